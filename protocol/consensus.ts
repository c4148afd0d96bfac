/**
 * Consensus over one proposal's attestations: per OS and artifact, the groups of identical
 * hashes, which group matches the proposal (or, where no proposal hash applies, the CDN), and a
 * verdict at a quorum of endorsed reviewers. Only endorsed reviewers decide: anyone can register,
 * so an unendorsed attestation is shown and counted apart ("unverified") but never changes a
 * verdict or outcome. Pure and deterministic: the canister and a third party computing it from
 * the same records get identical output.
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

/** The published three-valued verdict (kept for existing clients): `outcome` refines it. */
export type Verdict = 'reproduced' | 'diverged' | 'pending';

/**
 * What the endorsed reviewers say, with the case `verdict` folds into `diverged` told apart:
 * - `reproduced`: a quorum of endorsed reviewers match the reference, no endorsed build differs;
 * - `contested`:  a quorum of endorsed reviewers match, but an endorsed build differs (verdict `diverged`);
 * - `diverged`:   an endorsed build differs and there is no quorum (verdict `diverged`);
 * - `pending`:    no quorum yet and no endorsed build differs.
 */
export type Outcome = 'reproduced' | 'contested' | 'diverged' | 'pending';

/** The verdict an outcome is published as. */
export function verdictOfOutcome(o: Outcome): Verdict {
  return o === 'reproduced' ? 'reproduced' : o === 'pending' ? 'pending' : 'diverged';
}

/** The outcome from whether an endorsed build differs and whether the endorsed matches reach the quorum. */
export function outcomeOf(endorsedDiffers: boolean, quorumReached: boolean): Outcome {
  if (endorsedDiffers) return quorumReached ? 'contested' : 'diverged';
  return quorumReached ? 'reproduced' : 'pending';
}

/**
 * The counts behind an outcome. A reviewer matches when its build equals the reference and its
 * proposal claim agrees; differs when its build is another hash (with no reference: when it is
 * outside the group most endorsed reviewers built). Claiming another proposal hash while
 * building the reference is neither. Unverified = not endorsed: shown, never decisive.
 */
export interface ConsensusCounts {
  endorsedMatching: number;
  endorsedDiffering: number;
  unverifiedMatching: number;
  unverifiedDiffering: number;
}

export interface ReviewerRef {
  principal: string;
  endorsed: boolean;
  attestationId: bigint;
  /** The reviewer's claimed proposal hash differs from the proposal hash used here. */
  claimMismatch: boolean;
}

export interface HashGroup {
  sha256: string;
  /** Endorsed reviewers first, each part by principal. */
  reviewers: ReviewerRef[];
  /** null when there is no proposal hash. */
  matchesProposal: boolean | null;
  /** true when every CDN hash seen equals this one; null when no CDN hash was reported. */
  matchesCdn: boolean | null;
}

export interface ArtifactConsensus extends ConsensusCounts {
  name: string;
  proposalSha256: string | null;
  proposalSource: 'governance' | 'reviewers' | 'none';
  /** Distinct CDN hashes reported by the counted attestations, sorted. */
  cdnSha256: string[];
  /** Matching group first, then by endorsed members, then by size (both descending), then by hash. */
  groups: HashGroup[];
  verdict: Verdict;
  outcome: Outcome;
}

/** Per OS the counts are of reviewers: matching when all their artifacts match, differing when any differs. */
export interface OsConsensus extends ConsensusCounts {
  os: OsName;
  verdict: Verdict;
  outcome: Outcome;
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

interface ArtifactResult {
  artifact: ArtifactConsensus;
  /** Principals whose build of this artifact matches / differs. */
  matchers: Set<string>;
  differs: Set<string>;
}

function artifactConsensus(os: OsName, name: string, entries: Entry[], opts: ConsensusOptions, quorum: number): ArtifactResult {
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
    reviewers: reviewers.sort((a, b) => (a.endorsed !== b.endorsed ? (a.endorsed ? -1 : 1) : compareCodeUnits(a.principal, b.principal))),
    matchesProposal: proposalSha256 === null ? null : sha256 === proposalSha256,
    matchesCdn: cdnSha256.length === 0 ? null : cdnSha256.length === 1 && cdnSha256[0] === sha256
  }));
  groups.sort((a, b) => {
    const am = a.sha256 === reference ? 0 : 1;
    const bm = b.sha256 === reference ? 0 : 1;
    if (am !== bm) return am - bm;
    // Endorsed support before size: unverified reports cannot make a hash look like the majority.
    const ae = a.reviewers.filter((r) => r.endorsed).length;
    const be = b.reviewers.filter((r) => r.endorsed).length;
    if (ae !== be) return be - ae;
    if (a.reviewers.length !== b.reviewers.length) return b.reviewers.length - a.reviewers.length;
    return compareCodeUnits(a.sha256, b.sha256);
  });

  // Who matches and who differs. Without a reference nothing matches; the builds outside the
  // group most endorsed reviewers share (the first such group) differ.
  const pivot = reference ?? pivotGroup(groups)?.sha256 ?? null;
  const matchers = new Set<string>();
  const differs = new Set<string>();
  for (const g of groups) {
    for (const r of g.reviewers) {
      if (g.sha256 !== pivot) differs.add(r.principal);
      else if (reference !== null && !r.claimMismatch) matchers.add(r.principal);
    }
  }
  const endorsed = new Set(entries.filter((e) => e.rec.endorsed).map((e) => e.rec.reviewer));
  const counts = countsOf(matchers, differs, endorsed);
  const outcome = outcomeOf(counts.endorsedDiffering > 0, counts.endorsedMatching >= quorum);
  return {
    artifact: { name, proposalSha256, proposalSource, cdnSha256, groups, verdict: verdictOfOutcome(outcome), outcome, ...counts },
    matchers,
    differs
  };
}

/** The group with the most endorsed members (the first in report order on a tie: with no reference, the first group). */
function pivotGroup(groups: HashGroup[]): HashGroup | undefined {
  let best: HashGroup | undefined;
  let most = -1;
  for (const g of groups) {
    const n = g.reviewers.filter((r) => r.endorsed).length;
    if (n > most) {
      best = g;
      most = n;
    }
  }
  return best;
}

function countsOf(matchers: Set<string>, differs: Set<string>, endorsed: Set<string>): ConsensusCounts {
  const c: ConsensusCounts = { endorsedMatching: 0, endorsedDiffering: 0, unverifiedMatching: 0, unverifiedDiffering: 0 };
  for (const p of matchers) {
    if (endorsed.has(p)) c.endorsedMatching++;
    else c.unverifiedMatching++;
  }
  for (const p of differs) {
    if (endorsed.has(p)) c.endorsedDiffering++;
    else c.unverifiedDiffering++;
  }
  return c;
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
    const results = [...byName.keys()]
      .sort(compareCodeUnits)
      .map((name) => artifactConsensus(os, name, byName.get(name) ?? [], opts, quorum));
    const artifacts = results.map((r) => r.artifact);
    // Per OS, reviewers: one differing artifact makes a reviewer differ; matching needs all of theirs.
    const differs = new Set(results.flatMap((r) => [...r.differs]));
    const matchers = new Set<string>();
    for (const rec of recs) {
      const mine = results.filter((r) => byName.get(r.artifact.name)?.some((e) => e.rec === rec));
      if (mine.length > 0 && mine.every((r) => r.matchers.has(rec.reviewer))) matchers.add(rec.reviewer);
    }
    const counts = countsOf(matchers, differs, new Set(recs.filter((r) => r.endorsed).map((r) => r.reviewer)));
    const quorumReached = artifacts.length > 0 && counts.endorsedMatching >= quorum && artifacts.every((a) => a.endorsedMatching >= quorum);
    const outcome = outcomeOf(counts.endorsedDiffering > 0, quorumReached);
    oses.push({ os, verdict: verdictOfOutcome(outcome), outcome, quorum, ...counts, artifacts });
  }
  return { proposal, oses };
}
