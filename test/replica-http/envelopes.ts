/** Test helper: signed request envelopes made by the agent's own identities, as CBOR bytes. */
import { Cbor, Expiry, type Identity } from '@dfinity/agent';
import type { Principal } from '@dfinity/principal';

export const NS_PER_MS = 1_000_000n;

export function expiryIn(ms: number, nowMs = Date.now()): Expiry {
  return Expiry.fromDeltaInMilliseconds(ms, nowMs - Date.now());
}

export interface ContentOptions {
  canisterId: Principal;
  method: string;
  arg: Uint8Array;
  expiry?: Expiry;
}

/** Signs `content` with `identity` exactly as HttpAgent would, returning the body to POST. */
export async function envelope(identity: Identity, content: Record<string, unknown>): Promise<Uint8Array> {
  const signed = (await identity.transformRequest({
    endpoint: 'call' as never,
    request: {},
    body: content as never,
  })) as { body: unknown };
  return Cbor.encode(signed.body);
}

export function callContent(identity: Identity, o: ContentOptions, type: 'call' | 'query' = 'call'): Record<string, unknown> {
  return {
    request_type: type,
    canister_id: o.canisterId,
    method_name: o.method,
    arg: o.arg,
    sender: identity.getPrincipal(),
    ingress_expiry: o.expiry ?? expiryIn(4 * 60_000),
  };
}

export function readStateContent(identity: Identity, paths: Uint8Array[][], expiry?: Expiry): Record<string, unknown> {
  return { request_type: 'read_state', paths, sender: identity.getPrincipal(), ingress_expiry: expiry ?? expiryIn(4 * 60_000) };
}
