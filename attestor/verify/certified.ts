/**
 * Certified answers (data + IC certificate + hash-tree witness), checked the way
 * docs/certified-interface steps 1-3 say:
 *   1. the certificate verifies against the root key (BLS, via @dfinity/agent's Certificate);
 *   2. its canister/<id>/certified_data equals rootHash(witness);
 *   3. values are read from the witness with OUR lookup (found / absent / unknown), so absence is
 *      proven by label order, never assumed (agent's lookup_path says Absent where it cannot know).
 * Everything but the BLS check is a pure function over bytes.
 */
import { Certificate } from '@dfinity/agent';
import * as cbor from '@dfinity/cbor';
import { Principal } from '@dfinity/principal';

import { bytesEqual, bytesToHex } from '../../protocol/bytes.js';
// The one hash-tree implementation, shared with the canister and the replica.
import { lookup, rootHash, type HashTree } from '../../protocol/hash-tree.js';
import { agentTrustReason, TrustError } from './trust-error.js';

export type { HashTree };

/** What every certified query answers besides its data. */
export interface CertifiedBlobs {
  certificate: Uint8Array;
  witness: Uint8Array;
}

export interface TrustAnchor {
  /** DER root key (mainnet's, --root-key, local.json, or fetched). */
  rootKey: Uint8Array;
  canisterId: string;
  /**
   * How old the certificate may be, in minutes; null checks no age (a receipt is meant to be old:
   * its age is set on purpose, never left to the agent's 5-minute default).
   */
  maxAgeMinutes: number | null;
}

export interface CertifiedState {
  /** The witness: the canister's certified tree, pruned to what this answer reveals. */
  tree: HashTree;
  /** The certificate's `time` (ns since the epoch). */
  timeNs: bigint;
}

const utf8 = (s: string) => new TextEncoder().encode(s);

/** Unsigned LEB128, as the IC encodes `time`. */
export function readLeb128(bytes: Uint8Array): bigint {
  let value = 0n;
  let shift = 0n;
  for (const b of bytes) {
    value |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return value;
    shift += 7n;
  }
  throw new TrustError('certificate', 'the certificate time is not LEB128');
}

/** Big-endian unsigned integer of 8 bytes (sizes and counts in the certified tree). */
export function readU64(bytes: Uint8Array, what: string): bigint {
  if (bytes.length !== 8) throw new TrustError('witness', `${what} is ${bytes.length} bytes, expected 8`);
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

export function u64Bytes(n: bigint): Uint8Array {
  const out = new Uint8Array(8);
  for (let i = 7, v = n; i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

/** A structurally valid hash tree (what CBOR decoding must give before anything is hashed). */
export function isHashTree(v: unknown, depth = 0): v is HashTree {
  if (!Array.isArray(v) || depth > 128) return false;
  const bytes = (x: unknown) => x instanceof Uint8Array;
  switch (v[0]) {
    case 0: return v.length === 1;
    case 1: return v.length === 3 && isHashTree(v[1], depth + 1) && isHashTree(v[2], depth + 1);
    case 2: return v.length === 3 && bytes(v[1]) && isHashTree(v[2], depth + 1);
    case 3: return v.length === 2 && bytes(v[1]);
    case 4: return v.length === 2 && bytes(v[1]) && (v[1] as Uint8Array).length === 32;
    default: return false;
  }
}

/** CBOR (self-describe tag optional) → hash tree; anything else is a TrustError. */
export function decodeWitness(bytes: Uint8Array): HashTree {
  let value: unknown;
  try {
    value = cbor.decode(bytes);
  } catch (err) {
    throw new TrustError('witness', `the witness is not CBOR (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!isHashTree(value)) throw new TrustError('witness', 'the witness is not an IC hash tree');
  return value;
}

/** Step 2 (pure): the certificate's tree commits to exactly this witness for this canister. */
export function checkCertifiedData(certTree: HashTree, canisterId: string, witness: HashTree): bigint {
  const id = Principal.fromText(canisterId).toUint8Array();
  const data = lookup(certTree, [utf8('canister'), id, utf8('certified_data')]);
  if (!(data instanceof Uint8Array)) throw new TrustError('certificate', `the certificate holds no certified data for canister ${canisterId} (${data})`);
  const root = rootHash(witness);
  if (!bytesEqual(data, root)) {
    throw new TrustError('witness', `the witness (root ${bytesToHex(root).slice(0, 16)}…) is not what canister ${canisterId} certified (${bytesToHex(data).slice(0, 16)}…)`);
  }
  const time = lookup(certTree, [utf8('time')]);
  if (!(time instanceof Uint8Array)) throw new TrustError('certificate', 'the certificate has no time');
  return readLeb128(time);
}

/** Steps 1 and 2: the certificate against the root key, then the witness against it. */
export async function verifyCertified(blobs: CertifiedBlobs, trust: TrustAnchor): Promise<CertifiedState> {
  if (blobs.certificate.length === 0) {
    throw new TrustError('certificate', 'the answer carries no certificate (a replicated or proxied query?): it cannot be verified');
  }
  const witness = decodeWitness(blobs.witness);
  let cert: Certificate;
  try {
    cert = await Certificate.create({
      certificate: blobs.certificate,
      rootKey: trust.rootKey,
      canisterId: Principal.fromText(trust.canisterId),
      ...(trust.maxAgeMinutes === null ? { disableTimeVerification: true } : { maxAgeInMinutes: trust.maxAgeMinutes })
    });
  } catch (err) {
    const reason = agentTrustReason(err);
    const check = /time|expired|stale|outdated|future/i.test(reason) ? 'certificate' : 'root-key';
    throw new TrustError(check, `the certificate does not verify${check === 'root-key' ? ' against the root key' : ''} (${reason})`, { cause: err });
  }
  const timeNs = checkCertifiedData(cert.cert.tree as HashTree, trust.canisterId, witness);
  return { tree: witness, timeNs };
}

/** The certified log head: "log" → "size" (u64 BE) and "root" (32 bytes). */
export interface CertifiedHead {
  size: bigint;
  root: Uint8Array;
}

export function logHead(tree: HashTree): CertifiedHead {
  const size = lookup(tree, [utf8('log'), utf8('size')]);
  const root = lookup(tree, [utf8('log'), utf8('root')]);
  if (!(size instanceof Uint8Array) || !(root instanceof Uint8Array)) {
    throw new TrustError('witness', `the witness does not reveal the log head (size: ${describe(size)}, root: ${describe(root)})`);
  }
  if (root.length !== 32) throw new TrustError('witness', `the certified log root is ${root.length} bytes, expected 32`);
  return { size: readU64(size, 'the certified log size'), root };
}

/** What the tree certifies about one proposal; null when it provably has nothing. */
export interface CertifiedProposal {
  /** Number of attestation and revocation events. */
  count: bigint;
  /** chain_k = sha256(chain_{k-1} ‖ leafHash(entry_k)), chain_0 = 32 zero bytes. */
  chain: Uint8Array;
  /** sha256 of report_json; null when the report is absent. */
  reportSha256: Uint8Array | null;
}

export function proposalState(tree: HashTree, proposal: bigint): CertifiedProposal | null {
  const base = [utf8('proposals'), u64Bytes(proposal)];
  const events = lookup(tree, [...base, utf8('events')]);
  const report = lookup(tree, [...base, utf8('report')]);
  if (events === 'unknown' || report === 'unknown') {
    throw new TrustError('witness', `the witness prunes proposal ${proposal}: it neither reveals nor excludes it`);
  }
  // Label order proves both absent: nothing is certified for this proposal.
  if (events === 'absent' && report === 'absent') return null;
  if (!(events instanceof Uint8Array)) throw new TrustError('witness', `proposal ${proposal} has no certified events`);
  if (events.length !== 40) throw new TrustError('witness', `proposal ${proposal}: certified events are ${events.length} bytes, expected 8 + 32`);
  if (report instanceof Uint8Array && report.length !== 32) throw new TrustError('witness', `proposal ${proposal}: the certified report hash is ${report.length} bytes`);
  return { count: readU64(events.slice(0, 8), 'the certified event count'), chain: events.slice(8), reportSha256: report instanceof Uint8Array ? report : null };
}

function describe(v: Uint8Array | 'absent' | 'unknown'): string {
  return v instanceof Uint8Array ? `${v.length} bytes` : v;
}
