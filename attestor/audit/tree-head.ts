/**
 * The certified tree head, and what it must be relative to the last head seen: the same tree, or
 * a larger one that provably extends it (RFC 9162 consistency proof). Anything else is named.
 */
import { bytesEqual, bytesToHex, hexToBytes } from '../../protocol/bytes.js';
import type { CertifiedTreeHead } from '../../protocol/certified-idl.js';
import { RFC9162_SHA256, verifyConsistency } from '../../protocol/merkle/index.js';
import type { Result } from '../../protocol/service.js';
import type { AttestationsClient } from '../client/client.js';
import { unwrapResult } from '../client/client.js';
import { logHead, verifyCertified } from '../verify/certified.js';
import { TrustError } from '../verify/trust-error.js';
import type { SeenHead } from './heads.js';

export interface VerifiedHead {
  size: bigint;
  root: Uint8Array;
  timeNs: bigint;
}

/** A CertifiedTreeHead checked against the root key; its record must equal what the witness certifies. */
export async function verifyTreeHead(h: CertifiedTreeHead, rootKey: Uint8Array, canisterId: string, maxAgeMinutes: number | null): Promise<VerifiedHead> {
  const state = await verifyCertified({ certificate: new Uint8Array(h.certificate), witness: new Uint8Array(h.witness) }, { rootKey, canisterId, maxAgeMinutes });
  const certified = logHead(state.tree);
  if (certified.size !== BigInt(h.head.size) || !bytesEqual(certified.root, new Uint8Array(h.head.root))) {
    throw new TrustError('witness', `the tree head answered (size ${h.head.size}) is not the certified one (size ${certified.size})`);
  }
  return { size: certified.size, root: certified.root, timeNs: state.timeNs };
}

export async function fetchTreeHead(client: AttestationsClient, rootKey: Uint8Array, maxAgeMinutes: number | null = 5): Promise<VerifiedHead> {
  return verifyTreeHead(await client.call<CertifiedTreeHead>('get_tree_head'), rootKey, client.canisterId, maxAgeMinutes);
}

export type HeadRelation = 'first' | 'same' | 'extended';

const when = (s: SeenHead) => `seen ${s.seenAt}`;

/**
 * How `current` relates to the last head seen. Throws TrustError('rollback') for a smaller log or
 * an older certificate, ('consistency') for a rewrite or a larger tree that does not extend it.
 */
export async function checkAgainstSeen(client: AttestationsClient, seen: SeenHead | null, current: VerifiedHead): Promise<HeadRelation> {
  if (!seen) return 'first';
  const size = BigInt(seen.size);
  const root = hexToBytes(seen.root);
  if (current.size < size) {
    throw new TrustError('rollback', `the log was rolled back: it has ${current.size} entries, but ${size} were certified before (${when(seen)})`, { detail: { seenSize: seen.size, size: current.size.toString() } });
  }
  if (current.size === size) {
    if (!bytesEqual(current.root, root)) {
      throw new TrustError('consistency', `the log was rewritten: ${size} entries with root ${bytesToHex(current.root).slice(0, 16)}…, but root ${seen.root.slice(0, 16)}… before (${when(seen)})`);
    }
    // The same tree: an older certificate of it (a slower concurrent answer) says nothing new.
    return 'same';
  }
  // A larger tree certified before the smaller one was: time ran backwards, a replay.
  if (current.timeNs < BigInt(seen.certificateTimeNs)) {
    throw new TrustError('rollback', `replayed certificate: it certifies ${current.size} entries at a time before the tree head of ${size} entries ${when(seen)}`, { detail: { seenTimeNs: seen.certificateTimeNs, timeNs: current.timeNs.toString() } });
  }
  const proof = unwrapResult<Uint8Array[]>(await client.call<Result<Uint8Array[]>>('get_consistency_proof', size, current.size), 'get_consistency_proof');
  const v = verifyConsistency(RFC9162_SHA256, Number(size), Number(current.size), proof.map((p) => new Uint8Array(p)), root, current.root);
  if (!v.ok) {
    throw new TrustError('consistency', `the log of ${current.size} entries does not extend the one of ${size} entries ${when(seen)} (${v.error.message}): entries were rewritten or removed`);
  }
  return 'extended';
}
