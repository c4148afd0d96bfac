/**
 * Materialised reports: a proposal's report is computed when a write touches it and stored as
 * the canonical JSON whose sha256 the certified state holds, so report queries and pages are
 * reads (O(their output)), never recomputations over what is stored.
 */
import { IDL } from 'azle';
import { bytesEqual, bytesToHex } from '../../protocol/bytes.js';
import { canonicalJson } from '../../protocol/canonical.js';
import { METHODS, type Opt, type ProposalReport } from '../../protocol/service.js';
import { sha256 } from '../../protocol/sha256.js';
import { epoch } from '../store/config.js';
import { newProposalMeta, type StoredProposal } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { computeReport, verdictsOf } from './consensus.js';
import { reportFromJson, reportJson } from './json.js';
import { encodeUtf8 } from '../text.js';

/**
 * Recomputes, stores and returns the proposal's metadata with its report hash. A proposal known
 * only from governance gets a record too (no attestations, its elected OS pending).
 */
export function materialise(store: Store, proposal: bigint): StoredProposal | null {
  const computed = computeReport(store, proposal);
  if (computed === null) return null;
  const text = canonicalJson(reportJson(computed.report));
  const bytes = encodeUtf8(text) ?? new Uint8Array(0);
  const before = store.proposals.get(proposal) ?? newProposalMeta(proposal);
  const meta: StoredProposal = {
    ...before,
    report_events: before.events,
    report_chain: before.chain,
    verdicts: verdictsOf(computed.consensus),
    epoch: epoch(store),
    report_sha256: bytesToHex(sha256(bytes)),
    with_hash: computed.consensus.oses.filter((o) => o.artifacts.some((a) => a.proposalSha256 !== null)).map((o) => o.os)
  };
  store.reports.insert(proposal, text);
  store.reportReplies.insert(proposal, encodeReply([computed.report]));
  store.proposals.insert(proposal, meta);
  return meta;
}

/** The `proposal_report` reply for `report`, as Candid. */
function encodeReply(report: Opt<ProposalReport>): Uint8Array {
  return new Uint8Array(IDL.encode([METHODS.proposal_report.ret], [report]));
}

/**
 * The `proposal_report` reply: the stored Candid bytes, sent as they are (decoding and
 * re-encoding an 800-attestation report cost ≈ 2 B instructions). Stored bytes written by an
 * earlier version whose report type differed are re-encoded from the report JSON instead.
 */
export function reportReply(store: Store, proposal: bigint): Uint8Array {
  const stored = store.reportReplies.get(proposal);
  const prefix = emptyReplyPrefix();
  if (stored !== undefined && bytesEqual(stored.subarray(0, prefix.length), prefix)) return stored;
  return encodeReply(storedReport(store, proposal));
}

let replyPrefix: Uint8Array | undefined;
/** `DIDL` and the type table of the reply type: equal prefixes mean the same Candid type. */
function emptyReplyPrefix(): Uint8Array {
  if (replyPrefix === undefined) {
    const empty = encodeReply([]);
    replyPrefix = empty.subarray(0, empty.length - 1); // all but the value (the opt's tag byte 0)
  }
  return replyPrefix;
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
