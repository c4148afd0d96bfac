/**
 * Materialised reports: a proposal's report is computed when a write touches it and stored as
 * the canonical JSON whose sha256 the certified state holds, so report queries and pages are
 * reads (O(their output)), never recomputations over what is stored.
 */
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8Encode } from '../../protocol/bytes.js';
import { canonicalJson } from '../../protocol/canonical.js';
import type { Opt, ProposalReport } from '../../protocol/service.js';
import { epoch } from '../store/config.js';
import { newProposalMeta, type StoredProposal } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { computeReport, verdictsOf } from './consensus.js';
import { reportFromJson, reportJson } from './json.js';

/**
 * Recomputes, stores and returns the proposal's metadata with its report hash. A proposal known
 * only from governance gets a record too (no attestations, its elected OS pending).
 */
export function materialise(store: Store, proposal: bigint): StoredProposal | null {
  const computed = computeReport(store, proposal);
  if (computed === null) return null;
  const text = canonicalJson(reportJson(computed.report));
  const bytes = utf8Encode(text) ?? new Uint8Array(0);
  const meta: StoredProposal = {
    ...(store.proposals.get(proposal) ?? newProposalMeta(proposal)),
    verdicts: verdictsOf(computed.consensus),
    epoch: epoch(store),
    report_sha256: bytesToHex(sha256(bytes)),
    with_hash: computed.consensus.oses.filter((o) => o.artifacts.some((a) => a.proposalSha256 !== null)).map((o) => o.os)
  };
  store.reports.insert(proposal, text);
  store.proposals.insert(proposal, meta);
  return meta;
}

/** The stored report text (the certified bytes), if the proposal has one. */
export function reportText(store: Store, proposal: bigint): string | undefined {
  return store.reports.get(proposal);
}

export function storedReport(store: Store, proposal: bigint): Opt<ProposalReport> {
  const text = store.reports.get(proposal);
  return text === undefined ? [] : [reportFromJson(JSON.parse(text))];
}

/**
 * Whether stored reports predate outcomes (an upgrade from a version that let unendorsed
 * reports decide): then every report must be recomputed. The newest report with an OS tells.
 */
export function reportsPredateOutcomes(store: Store): boolean {
  const total = Number(store.proposals.len());
  for (let start = 0; start < total; start += 100) {
    for (const meta of store.proposals.values(start, 100)) {
      const text = store.reports.get(meta.proposal);
      if (text === undefined || !text.includes('"os":')) continue;
      return !text.includes('"outcome":');
    }
  }
  return false;
}
