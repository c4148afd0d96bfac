/**
 * Certified reads: each answer carries the query's data certificate and a witness cut from the
 * certified tree (state.ts), so a client checks it against the IC root key alone. Every read is
 * bounded by what it returns (pages of entries and events, O(log n) proofs).
 */
import type { Opt, Result } from '../../protocol/service.js';
import type { CertifiedReport, CertifiedTreeHead, InclusionProof, LogEntry, ProposalEvent, Receipt } from '../../protocol/certified-idl.js';
import { entryAt, consistencyPath, inclusionPath, logRoot, logSize, openLog } from '../log/log.js';
import { reportText } from '../report/materialise.js';
import { proposalEventKey } from '../store/attestations.js';
import { err, okv } from '../store/errors.js';
import { pageSize } from '../store/paging.js';
import type { Store } from '../store/store.js';
import { logPaths, proposalPaths, witnessBytes } from './state.js';

/** About 1 MB per page: under the IC's reply limit. */
const PAGE_BYTES = 1_000_000;

export function treeHead(certificate: Uint8Array): CertifiedTreeHead {
  const log = openLog();
  return { head: { size: BigInt(logSize(log)), root: logRoot(log) }, certificate, witness: witnessBytes(logPaths()) };
}

export function logEntries(start: bigint, limit: number): LogEntry[] {
  const log = openLog();
  const size = BigInt(logSize(log));
  const n = BigInt(pageSize(limit, 100, 1000));
  const out: LogEntry[] = [];
  let bytes = 0;
  for (let i = start; i < size && i < start + n && bytes < PAGE_BYTES; i++) {
    const entry = entryAt(log, Number(i));
    if (entry === undefined) break;
    bytes += entry.length + 16;
    out.push({ index: i, entry });
  }
  return out;
}

function checkSize(treeSize: bigint, size: number, field: string): ReturnType<typeof err> | null {
  return treeSize > BigInt(size) ? err('invalid-argument', `the log has ${size} entries; tree size ${treeSize} does not exist yet`, field) : null;
}

export function inclusionProofOf(index: bigint, treeSize: bigint): Result<InclusionProof> {
  const log = openLog();
  const size = logSize(log);
  const bad = checkSize(treeSize, size, 'tree_size');
  if (bad) return bad;
  if (index >= treeSize) return err('invalid-argument', `leaf ${index} is not in a tree of ${treeSize} entries`, 'index');
  const entry = entryAt(log, Number(index)) ?? new Uint8Array(0);
  return okv({ index, tree_size: treeSize, entry, path: inclusionPath(log, Number(index), Number(treeSize)) });
}

export function consistencyProofOf(from: bigint, to: bigint): Result<Uint8Array[]> {
  const log = openLog();
  const bad = checkSize(to, logSize(log), 'to_size');
  if (bad) return bad;
  if (from > to) return err('invalid-argument', `from_size ${from} is larger than to_size ${to}`, 'from_size');
  return okv(consistencyPath(log, Number(from), Number(to)));
}

/** Inclusion of an attestation's log entry in the current tree, with that tree's certified head. */
export function receiptOf(store: Store, id: bigint, certificate: Uint8Array): Opt<Receipt> {
  const index = store.leafOf.get(id);
  if (index === undefined) return [];
  const head = treeHead(certificate);
  const proof = inclusionProofOf(index, head.head.size);
  return 'Ok' in proof ? [{ attestation_id: id, proof: proof.Ok, head }] : [];
}

/** The materialised report and a page of the proposal's events, certified together with the log head. */
export function certifiedReport(store: Store, proposal: bigint, start: bigint, limit: number, certificate: Uint8Array): CertifiedReport {
  const log = openLog();
  const meta = store.proposals.get(proposal);
  const count = meta?.report_events ?? 0; // the events the certified report reflects
  const n = pageSize(limit, 500, 2000);
  const events: ProposalEvent[] = [];
  let bytes = 0;
  for (let seq = Number(start); seq < count && events.length < n && bytes < PAGE_BYTES; seq++) {
    const leaf = store.events.get(proposalEventKey(proposal, seq));
    if (leaf === undefined) break;
    const entry = entryAt(log, Number(leaf)) ?? new Uint8Array(0);
    bytes += entry.length + 16;
    events.push({ leaf_index: leaf, entry });
  }
  const text = reportText(store, proposal);
  return {
    proposal,
    report_json: text === undefined ? [] : [text],
    events,
    event_count: BigInt(count),
    certificate,
    witness: witnessBytes([...logPaths(), ...proposalPaths(proposal)])
  };
}
