/**
 * canister_inspect_message: cheap refusals before an ingress update executes (and is paid for).
 * Refuses anonymous callers, arguments over their size or decoding quota (before decoding
 * them), arguments that are not valid Candid for the method, unregistered submitters and
 * non-controllers calling controller methods. The methods check all of this again: inspection
 * does not run for inter-canister calls, nor for queries.
 */
import { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';
import { METHODS, type MethodName } from '../protocol/service.js';
import { candidQuotaRefusal, DEFAULT_QUOTA } from './candid-quota.js';
import { getConfig } from './store/config.js';
import type { Store } from './store/store.js';

/** Candid framing around an envelope: type table, field headers, signature entries. */
const CANDID_SLACK = 4096;
/** Arguments of every other method are small records. */
const SMALL_ARG_BYTES = 16 * 1024;
/** http_request: URL and headers as a browser sends them through a boundary node; bodies are not read. */
const HTTP_ARG_BYTES = 64 * 1024;

/** Updates only controllers may call (each method checks again). */
const CONTROLLER_METHODS = new Set(['set_config', 'set_sync_config', 'endorse_reviewer']);

/** The largest argument `method` reads, in bytes: envelopes for the two methods that take one. */
export function argLimit(store: Store, method: string): number {
  if (method === 'submit_attestation' || method === 'verify_envelope') return getConfig(store).max_envelope_bytes + CANDID_SLACK;
  return method === 'http_request' ? HTTP_ARG_BYTES : SMALL_ARG_BYTES;
}

/** Why the argument is refused before decoding (size, then the decoding quota), or null. */
export function argRefusal(store: Store, method: string, arg: Uint8Array): { kind: 'oversized' | 'malformed-argument'; message: string } | null {
  const limit = argLimit(store, method);
  if (arg.length > limit) return { kind: 'oversized', message: `the argument is ${arg.length} bytes; ${method} accepts at most ${limit}` };
  const why = candidQuotaRefusal(arg, { ...DEFAULT_QUOTA, maxBytes: limit });
  return why === null ? null : { kind: 'malformed-argument', message: `the argument is refused before decoding: ${why}` };
}

export function acceptMessage(
  store: Store,
  method: string,
  caller: Principal,
  arg: Uint8Array,
  isController: (p: Principal) => boolean
): boolean {
  if (!Object.prototype.hasOwnProperty.call(METHODS, method)) return false;
  const spec = METHODS[method as MethodName];
  if (spec.query) return true; // a query called as an update: harmless, reads only, and checks its own argument
  if (caller.isAnonymous()) return false;
  if (argRefusal(store, method, arg) !== null) return false;
  try {
    IDL.decode([...spec.args], arg);
  } catch {
    return false;
  }
  if (method === 'submit_attestation' || method === 'revoke_attestation') {
    return store.reviewers.containsKey(caller.toUint8Array());
  }
  if (CONTROLLER_METHODS.has(method)) return isController(caller);
  return true;
}
