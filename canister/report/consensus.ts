/**
 * Reports: the protocol's consensus over one proposal's stored attestations, in Candid shape.
 * Cost: O(attestations of that proposal) reads, independent of everything else stored.
 */
import { computeConsensus, type AttestationRecord, type ProposalConsensus } from '../../protocol/consensus.js';
import type { DivergenceHint, Opt, OsVerdict, ProposalReport, ProposalSummary } from '../../protocol/service.js';
import { attestationsOfProposal } from '../store/attestations.js';
import { getConfig } from '../store/config.js';
import { newProposalMeta, type StoredAttestation, type StoredProposal } from '../store/schema.js';
import { principalFromText, principalText } from '../store/principals.js';
import type { Store } from '../store/store.js';
import { divergenceHints } from './hints.js';
import { electedOf, elections, getProposal, toGovernanceSummary } from '../proposals/store.js';

/** The records computeConsensus takes, with endorsement as it stands now. */
export function toRecords(store: Store, stored: StoredAttestation[]): AttestationRecord[] {
  const endorsed = new Map<string, boolean>();
  return stored.map((s) => {
    const reviewer = principalText(s.reviewer);
    let e = endorsed.get(reviewer);
    if (e === undefined) {
      e = store.endorsements.containsKey(s.reviewer.toUint8Array());
      endorsed.set(reviewer, e);
    }
    return {
      id: s.id,
      reviewer,
      endorsed: e,
      statement: s.statement,
      revoked: s.revoked.length > 0,
      submittedAtNs: s.submitted_at_ns
    };
  });
}

export function consensusOf(store: Store, proposal: bigint): { consensus: ProposalConsensus; records: AttestationRecord[] } {
  const records = toRecords(store, attestationsOfProposal(store, proposal));
  // A proposal synced from governance is judged against the hash governance elects (canister/proposals/).
  const elected = electedOf(proposal);
  const opts = elected === undefined ? { quorum: getConfig(store).quorum } : { quorum: getConfig(store).quorum, elected };
  return { consensus: computeConsensus(proposal.toString(), records, opts), records };
}

export function verdictsOf(c: ProposalConsensus): OsVerdict[] {
  return c.oses.map((o) => ({ os: o.os, verdict: o.verdict, outcome: o.outcome }));
}

function opt<T>(v: T | null): Opt<T> {
  return v === null ? [] : [v];
}

/** Computes a proposal's report from its stored attestations (canister/report/materialise.ts stores it). */
export function computeReport(store: Store, proposal: bigint): { report: ProposalReport; consensus: ProposalConsensus } | null {
  const governance = getProposal(proposal);
  // Synced from governance but not attested yet: a report with the elected OS pending ("needs reviewers").
  const meta = store.proposals.get(proposal) ?? (governance.length === 1 ? newProposalMeta(proposal) : undefined);
  if (meta === undefined) return null;
  const { consensus, records } = consensusOf(store, proposal);
  const profiles = new Map<string, { name: string; collides: boolean }>();
  const profileOf = (p: string): { name: string; collides: boolean } => {
    let n = profiles.get(p);
    if (n === undefined) {
      const r = store.reviewers.get(principalFromText(p).toUint8Array());
      n = { name: r?.name ?? '', collides: r?.name_collides === true };
      profiles.set(p, n);
    }
    return n;
  };
  const nameOf = (p: string): string => profileOf(p).name;
  const byId = new Map(records.map((r) => [r.id, r]));
  const counted = new Set<string>();
  const oses = consensus.oses.map((o) => ({
    os: o.os,
    verdict: o.verdict,
    quorum: o.quorum,
    outcome: o.outcome,
    endorsed_matching: o.endorsedMatching,
    endorsed_differing: o.endorsedDiffering,
    unverified_matching: o.unverifiedMatching,
    unverified_differing: o.unverifiedDiffering,
    artifacts: o.artifacts.map((a) => {
      for (const g of a.groups) for (const r of g.reviewers) counted.add(r.principal);
      const hints: DivergenceHint[] = divergenceHints(a, byId, nameOf);
      return {
        name: a.name,
        proposal_sha256: opt(a.proposalSha256),
        proposal_source: a.proposalSource,
        cdn_sha256: a.cdnSha256,
        groups: a.groups.map((g) => ({
          sha256: g.sha256,
          matches_proposal: opt(g.matchesProposal),
          matches_cdn: opt(g.matchesCdn),
          members: g.reviewers.map((r) => ({
            reviewer: principalFromText(r.principal),
            name: nameOf(r.principal),
            endorsed: r.endorsed,
            attestation_id: r.attestationId,
            claim_mismatch: r.claimMismatch,
            name_collides: profileOf(r.principal).collides
          }))
        })),
        verdict: a.verdict,
        endorsed_matching: a.endorsedMatching,
        hints,
        outcome: a.outcome,
        endorsed_differing: a.endorsedDiffering,
        unverified_matching: a.unverifiedMatching,
        unverified_differing: a.unverifiedDiffering
      };
    })
  }));
  return {
    consensus,
    report: {
      proposal,
      quorum: getConfig(store).quorum,
      attestations: meta.count,
      reviewers: counted.size,
      last_submitted_at_ns: meta.last_submitted_at_ns,
      oses,
      governance
    }
  };
}

/** A listing entry: the verdicts materialised with the report (a read, never a recomputation). */
function summaryOf(meta: StoredProposal): ProposalSummary {
  // Listings stored before outcomes existed: the verdict stands in until the report is refreshed.
  const oses = meta.verdicts.map((v) => ({ os: v.os, verdict: v.verdict, outcome: v.outcome ?? v.verdict }));
  const election = elections().elections.get(meta.proposal);
  return {
    proposal: meta.proposal,
    attestations: meta.count,
    last_submitted_at_ns: meta.last_submitted_at_ns,
    oses,
    governance: election === undefined ? [] : [toGovernanceSummary(election)]
  };
}

/** A synced proposal nobody attested yet: its elected OS pending, 0 attestations. */
function syncedOnlySummary(proposal: bigint): ProposalSummary | null {
  const election = elections().elections.get(proposal);
  if (election === undefined) return null;
  const oses = election.elects === 'not-icos' ? [] : [{ os: election.elects, verdict: 'pending', outcome: 'pending' }];
  return { proposal, attestations: 0, last_submitted_at_ns: 0n, oses, governance: [toGovernanceSummary(election)] };
}

export function proposalSummary(store: Store, proposal: bigint): Opt<ProposalSummary> {
  const meta = store.proposals.get(proposal);
  if (meta === undefined) {
    const synced = syncedOnlySummary(proposal);
    return synced === null ? [] : [synced];
  }
  return [summaryOf(meta)];
}

/**
 * Proposals newest (highest id) first, after `cursor` (a proposal id seen on the previous page):
 * those with attestations, and open IC-OS elections synced from governance that nobody has
 * attested yet (a handful, read from the open index).
 */
export function listProposals(store: Store, cursor: Opt<bigint>, limit: number, max = 50): { proposals: ProposalSummary[]; next_cursor: Opt<bigint> } {
  const n = !Number.isFinite(limit) || limit <= 0 ? 20 : Math.min(limit, max);
  const total = store.proposals.len();
  let start = 0;
  if (cursor.length === 1) {
    // Keys run newest first; binary search the first proposal older than the cursor.
    let lo = 0;
    let hi = total;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const [p] = store.proposals.keys(mid, 1);
      if (p >= cursor[0]) lo = mid + 1;
      else hi = mid;
    }
    start = lo;
  }
  const slice = store.proposals.values(start, n);
  // Records exist for every synced election (their reports are materialised); only attested ones
  // and open IC-OS elections are listed, as before.
  const listed = (m: StoredProposal): boolean => m.count > 0 || (elections().open.containsKey(m.proposal) && elections().elections.get(m.proposal)?.elects !== 'not-icos');
  const attested = slice.filter(listed).map(summaryOf);
  const openOnly = elections()
    .open.keys()
    .filter((id) => (cursor.length === 0 || id < cursor[0]) && !store.proposals.containsKey(id) && elections().elections.get(id)?.elects !== 'not-icos')
    .flatMap((id) => syncedOnlySummary(id) ?? []);
  const merged = [...attested, ...openOnly].sort((a, b) => (a.proposal > b.proposal ? -1 : a.proposal < b.proposal ? 1 : 0));
  const page = merged.slice(0, n);
  const more = start + slice.length < total || merged.length > n;
  return { proposals: page, next_cursor: more && page.length > 0 ? [page[page.length - 1].proposal] : [] };
}
