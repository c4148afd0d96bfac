/**
 * `icos-attest audit`: a Certificate Transparency-style monitor. The certified tree head now,
 * against the last one seen (rollback, rewrite, consistency proof); every receipt given, still
 * included (inclusion proof against today's head, same entry bytes); optionally the whole log
 * mirrored and recomputed. Problems are collected and named; any one means exit 1.
 */
import { bytesToHex } from '../../protocol/bytes.js';
import type { InclusionProof } from '../../protocol/certified-idl.js';
import { RFC9162_SHA256, verifyConsistency, verifyInclusion } from '../../protocol/merkle/index.js';
import type { Result } from '../../protocol/service.js';
import type { AttestationsClient } from '../client/client.js';
import { unwrapResult } from '../client/client.js';
import { leafHashOf, readReceipt, sameEntry, verifyReceipt } from '../client/receipts.js';
import { TrustError } from '../verify/trust-error.js';
import { latestHead, readHeads, recordHead } from './heads.js';
import { mirrorLog, type MirrorJson } from './mirror.js';
import { checkAgainstSeen, fetchTreeHead, type HeadRelation } from './tree-head.js';

/** JSON shape of `audit --json` (docs/cli.md). */
export interface AuditJson {
  canister: string;
  ok: boolean;
  head: { size: string; root: string; certificateTimeNs: string };
  previous: { size: string; root: string; seenAt: string } | null;
  /** first: no head seen before; same: unchanged; extended: a consistency proof checked. */
  relation: HeadRelation | null;
  receipts: { path: string; attestationId: string | null; leafIndex: string | null; included: boolean; error?: string }[];
  mirror: MirrorJson | null;
  /** Everything that changed that must not: rollback, rewrite, omission. Empty when ok. */
  problems: string[];
}

export interface AuditOptions {
  headsFile: string;
  receipts: string[];
  mirror?: string;
  onProgress?: (done: number, total: number) => void;
}

async function checkReceipt(client: AttestationsClient, path: string, rootKey: Uint8Array, head: { size: bigint; root: Uint8Array }): Promise<AuditJson['receipts'][number]> {
  const r = readReceipt(path);
  const base = { path, attestationId: r.attestationId, leafIndex: r.leafIndex };
  if (r.canister !== client.canisterId) return { ...base, included: false, error: `the receipt is from canister ${r.canister}` };
  try {
    const then = await verifyReceipt(r, rootKey);
    if (then.size > head.size) throw new TrustError('rollback', `the receipt's log had ${then.size} entries; the log now has ${head.size}: rolled back`);
    const consistency = unwrapResult<Uint8Array[]>(await client.call<Result<Uint8Array[]>>('get_consistency_proof', then.size, head.size), 'get_consistency_proof');
    const c = verifyConsistency(RFC9162_SHA256, Number(then.size), Number(head.size), consistency.map((p) => new Uint8Array(p)), then.root, head.root);
    if (!c.ok) throw new TrustError('consistency', `today's log does not extend the log of the receipt (${c.error.message}): rewritten`);
    const proof = unwrapResult<InclusionProof>(await client.call<Result<InclusionProof>>('get_inclusion_proof', BigInt(r.leafIndex), head.size), 'get_inclusion_proof');
    if (!sameEntry(new Uint8Array(proof.entry), r.entry)) throw new TrustError('inclusion', `log entry ${r.leafIndex} is no longer the receipt's entry: rewritten`);
    const v = verifyInclusion(RFC9162_SHA256, Number(r.leafIndex), Number(head.size), leafHashOf(r.entry), proof.path.map((p) => new Uint8Array(p)), head.root);
    if (!v.ok) throw new TrustError('inclusion', `the entry is not in today's log (${v.error.message})`);
    return { ...base, included: true };
  } catch (err) {
    if (err instanceof TrustError) return { ...base, included: false, error: err.message };
    throw err;
  }
}

export async function audit(client: AttestationsClient, rootKey: Uint8Array, opts: AuditOptions): Promise<AuditJson> {
  const problems: string[] = [];
  const head = await fetchTreeHead(client, rootKey);
  const file = readHeads(opts.headsFile, client.canisterId);
  const seen = latestHead(file);
  let relation: HeadRelation | null = null;
  try {
    relation = await checkAgainstSeen(client, seen, head);
  } catch (err) {
    if (!(err instanceof TrustError)) throw err;
    problems.push(err.message);
  }
  const receipts: AuditJson['receipts'] = [];
  for (const path of opts.receipts) {
    const r = await checkReceipt(client, path, rootKey, head);
    receipts.push(r);
    if (!r.included) problems.push(`receipt ${path} (attestation ${r.attestationId}): ${r.error}`);
  }
  const mirror = opts.mirror ? await mirrorLog(client, head, opts.mirror, (n) => opts.onProgress?.(n, Number(head.size))) : null;
  if (mirror) problems.push(...mirror.problems);
  // Remember the head only when it checked out: a rolled-back head must not become the reference.
  if (problems.length === 0) recordHead(opts.headsFile, file, { size: head.size.toString(), root: bytesToHex(head.root), certificateTimeNs: head.timeNs.toString() });
  return {
    canister: client.canisterId,
    ok: problems.length === 0,
    head: { size: head.size.toString(), root: bytesToHex(head.root), certificateTimeNs: head.timeNs.toString() },
    previous: seen ? { size: seen.size, root: seen.root, seenAt: seen.seenAt } : null,
    relation,
    receipts,
    mirror,
    problems
  };
}

