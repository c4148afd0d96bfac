/**
 * Consensus over one proposal's attestations: per OS and artifact, the groups of identical
 * hashes, which group matches the proposal (or, where no proposal hash applies, the CDN), and a
 * verdict at a quorum of endorsed reviewers. Pure and deterministic: the canister and a third
 * party computing it from the same records get identical output.
 */
import { compareCodeUnits } from './canonical.js';
import { OS_NAMES, type OsName, type Statement } from './types.js';

export interface AttestationRecord {
  id: bigint;
  /** Textual principal of the signer. */
  reviewer: string;
  /** Whether the reviewer is endorsed (only endorsed reviewers count towards the quorum). */
  endorsed: boolean;
  statement: Statement;
  revoked: boolean;
  submittedAtNs: bigint;
}

export interface ConsensusOptions {
  /** Endorsed matching reviewers needed for `reproduced`; values below 1 count as 1. */
  quorum: number;
  /**
   * Hashes elected by NNS governance per OS. When an OS's key is present (even null = "elects
   * nothing"), it is THE proposal hash and reviewer claims that differ are flagged.
   */
  elected?: Partial<Record<OsName, string | null>>;
}

export type Verdict = 'reproduced' | 'diverged' | 'pending';

export interface ReviewerRef {
  principal: string;
  endorsed: boolean;
  attestationId: bigint;
  /** The reviewer's claimed proposal hash differs from the proposal hash used here. */
  claimMismatch: boolean;
}

export interface HashGroup {
  sha256: string;
  /** Sorted by principal. */
  reviewers: ReviewerRef[];
  /** null when there is no proposal hash. */
  matchesProposal: boolean | null;
  /** true when every CDN hash seen equals this one; null when no CDN hash was reported. */
  matchesCdn: boolean | null;
}

export interface ArtifactConsensus {
  name: string;
  proposalSha256: string | null;
  proposalSource: 'governance' | 'reviewers' | 'none';
  /** Distinct CDN hashes reported by the counted attestations, sorted. */
  cdnSha256: string[];
  /** Matching group first, then by size (descending), then by hash. */
  groups: HashGroup[];
  verdict: Verdict;
  /** Endorsed reviewers in the matching group whose proposal claim agrees. */
  endorsedMatching: number;
}

export interface OsConsensus {
  os: OsName;
  verdict: Verdict;
  /** The effective quorum (at least 1). */
  quorum: number;
  /** Sorted by name. */
  artifacts: ArtifactConsensus[];
}

export interface ProposalConsensus {
  proposal: string;
  /** In OS_NAMES order; an OS appears when it has counted attestations or an elected hash. */
  oses: OsConsensus[];
}

function later(a: AttestationRecord, b: AttestationRecord): boolean {
  if (a.submittedAtNs !== b.submittedAtNs) return a.submittedAtNs > b.submittedAtNs;
  return a.id > b.id;
}

/**
 * The attestations that count: per (reviewer, proposal, OS), the latest one not revoked.
 * Revoking the latest one lets the previous one count again. Sorted by id.
 */
export function latestPerReviewer(records: AttestationRecord[]): AttestationRecord[] {
  const best = new Map<string, AttestationRecord>();
  for (const r of records) {
    if (r.revoked) continue;
    const p = r.statement.predicate;
    const key = `${r.reviewer}\u0000${p.proposal}\u0000${p.os}`;
    const cur = best.get(key);
    if (cur === undefined || later(r, cur)) best.set(key, r);
  }
  return [...best.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

interface Entry { rec: AttestationRecord; sha256: string; claim: string | null; cdn: string[] }

/** Picks the proposal hash the reviewers claim: most endorsed claimants, then most claimants, then smallest hash. */
function claimedHash(entries: Entry[]): string | null {
  const tally = new Map<string, { endorsed: number; all: number }>();
  for (const e of entries) {
    if (e.claim === null) continue;
    const t = tally.get(e.claim) ?? { endorsed: 0, all: 0 };
    t.all++;
    if (e.rec.endorsed) t.endorsed++;
    tally.set(e.claim, t);
  }
  let pick: string | null = null;
  let pt = { endorsed: -1, all: -1 };
  for (const [h, t] of tally) {
    if (t.endorsed > pt.endorsed || (t.endorsed === pt.endorsed && (t.all > pt.all || (t.all === pt.all && pick !== null && h < pick)))) {
      pick = h;
      pt = t;
    }
  }
  return pick;
}

function artifactConsensus(os: OsName, name: string, entries: Entry[], opts: ConsensusOptions, quorum: number): ArtifactConsensus {
  const elected = opts.elected;
  let proposalSha256: string | null;
  let proposalSource: ArtifactConsensus['proposalSource'];
  if (elected !== undefined && Object.prototype.hasOwnProperty.call(elected, os) && elected[os] !== undefined) {
    proposalSha256 = elected[os]?.toLowerCase() ?? null;
    proposalSource = proposalSha256 === null ? 'none' : 'governance';
  } else {
    proposalSha256 = claimedHash(entries);
    proposalSource = proposalSha256 === null ? 'none' : 'reviewers';
  }
  const cdnSha256 = [...new Set(entries.flatMap((e) => e.cdn))].sort(compareCodeUnits);
  // What a build must equal: the proposal hash; without one (SetupOS), the CDN hash if the mirrors agree.
  const reference = proposalSha256 ?? (cdnSha256.length === 1 ? cdnSha256[0] : null);

  const byHash = new Map<string, ReviewerRef[]>();
  for (const e of entries) {
    const ref: ReviewerRef = {
      principal: e.rec.reviewer,
      endorsed: e.rec.endorsed,
      attestationId: e.rec.id,
      claimMismatch: e.claim !== null && e.claim !== proposalSha256
    };
    const list = byHash.get(e.sha256);
    if (list) list.push(ref);
    else byHash.set(e.sha256, [ref]);
  }
  const groups: HashGroup[] = [...byHash].map(([sha256, reviewers]) => ({
    sha256,
    reviewers: reviewers.sort((a, b) => compareCodeUnits(a.principal, b.principal)),
    matchesProposal: proposalSha256 === null ? null : sha256 === proposalSha256,
    matchesCdn: cdnSha256.length === 0 ? null : cdnSha256.length === 1 && cdnSha256[0] === sha256
  }));
  groups.sort((a, b) => {
    const am = a.sha256 === reference ? 0 : 1;
    const bm = b.sha256 === reference ? 0 : 1;
    if (am !== bm) return am - bm;
    if (a.reviewers.length !== b.reviewers.length) return b.reviewers.length - a.reviewers.length;
    return compareCodeUnits(a.sha256, b.sha256);
  });

  const matching = reference === null ? undefined : groups.find((g) => g.sha256 === reference);
  const endorsedMatching = matching ? matching.reviewers.filter((r) => r.endorsed && !r.claimMismatch).length : 0;
  let verdict: Verdict;
  if (reference === null) verdict = groups.length > 1 ? 'diverged' : 'pending';
  else if (groups.some((g) => g.sha256 !== reference)) verdict = 'diverged';
  else verdict = endorsedMatching >= quorum ? 'reproduced' : 'pending';
  return { name, proposalSha256, proposalSource, cdnSha256, groups, verdict, endorsedMatching };
}

export function computeConsensus(proposal: string, records: AttestationRecord[], opts: ConsensusOptions): ProposalConsensus {
  const quorum = Number.isFinite(opts.quorum) ? Math.max(1, Math.floor(opts.quorum)) : 1;
  const counted = latestPerReviewer(records.filter((r) => r.statement.predicate.proposal === proposal));
  const oses: OsConsensus[] = [];
  for (const os of OS_NAMES) {
    const recs = counted.filter((r) => r.statement.predicate.os === os);
    const hasElected = opts.elected !== undefined && typeof opts.elected[os] === 'string';
    if (recs.length === 0 && !hasElected) continue;
    const byName = new Map<string, Entry[]>();
    for (const rec of recs) {
      for (const a of rec.statement.predicate.artifacts) {
        const e: Entry = { rec, sha256: a.sha256, claim: a.proposalSha256, cdn: a.cdn.map((c) => c.sha256) };
        const list = byName.get(a.name);
        if (list) list.push(e);
        else byName.set(a.name, [e]);
      }
    }
    const artifacts = [...byName.keys()]
      .sort(compareCodeUnits)
      .map((name) => artifactConsensus(os, name, byName.get(name) ?? [], opts, quorum));
    let verdict: Verdict;
    if (artifacts.some((a) => a.verdict === 'diverged')) verdict = 'diverged';
    else if (artifacts.length > 0 && artifacts.every((a) => a.verdict === 'reproduced')) verdict = 'reproduced';
    else verdict = 'pending';
    oses.push({ os, verdict, quorum, artifacts });
  }
  return { proposal, oses };
}
