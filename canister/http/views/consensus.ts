/**
 * What the page needs from the report: the outcome and the counts that back it, where only
 * endorsed reviewers decide and unendorsed ("unverified") reports are counted apart. A report
 * carries them (protocol/consensus.ts computed them); one stored by a version before they existed
 * has them worked out here from its groups, by the same rule, until it is re-materialised.
 */
import type { ArtifactReport, GroupMember, OsReport } from '../../../protocol/service.js';
import { headlineSentence as sentence } from '../../../protocol/headline.js';
import { principalText } from '../../store/principals.js';

export type Outcome = 'reproduced' | 'contested' | 'diverged' | 'pending';

export interface Counts {
  endorsedMatching: number;
  endorsedDiffering: number;
  unverifiedMatching: number;
  unverifiedDiffering: number;
}

/** What a build must equal: the proposal hash; without one, the CDN hash if the mirrors agree. */
export function referenceHash(a: ArtifactReport): string | null {
  return a.proposal_sha256[0] ?? (a.cdn_sha256.length === 1 ? a.cdn_sha256[0] : null);
}

/** A member's standing for one artifact: matches the reference, differs from it, or neither (no reference / claims another hash). */
export function memberStanding(a: ArtifactReport, sha256: string, m: GroupMember): 'match' | 'differ' | 'other' {
  const ref = referenceHash(a);
  if (ref === null) return 'other';
  if (sha256 !== ref) return 'differ';
  return m.claim_mismatch ? 'other' : 'match';
}

function decide(c: Counts, quorum: number, anything: boolean): Outcome {
  if (!anything) return 'pending';
  if (c.endorsedMatching >= quorum) return c.endorsedDiffering > 0 ? 'contested' : 'reproduced';
  return c.endorsedDiffering > 0 ? 'diverged' : 'pending';
}

export function artifactCounts(a: ArtifactReport): Counts {
  if (carries(a)) return countsOf(a);
  const c: Counts = { endorsedMatching: 0, endorsedDiffering: 0, unverifiedMatching: 0, unverifiedDiffering: 0 };
  for (const g of a.groups) {
    for (const m of g.members) {
      const s = memberStanding(a, g.sha256, m);
      if (s === 'match') m.endorsed ? c.endorsedMatching++ : c.unverifiedMatching++;
      else if (s === 'differ') m.endorsed ? c.endorsedDiffering++ : c.unverifiedDiffering++;
    }
  }
  return c;
}

const OUTCOMES: readonly string[] = ['reproduced', 'contested', 'diverged', 'pending'];
const carries = (x: { outcome?: string }): boolean => x.outcome !== undefined && OUTCOMES.includes(x.outcome);
const countsOf = (x: ArtifactReport | OsReport): Counts => ({
  endorsedMatching: x.endorsed_matching,
  endorsedDiffering: x.endorsed_differing,
  unverifiedMatching: x.unverified_matching,
  unverifiedDiffering: x.unverified_differing
});

export function artifactOutcome(a: ArtifactReport, quorum: number): Outcome {
  if (carries(a)) return a.outcome as Outcome;
  return decide(artifactCounts(a), quorum, a.groups.length > 0);
}

/**
 * An OS's counts: a reviewer matches when every artifact they built matches, and differs when
 * any differs; endorsed matching is the least over the artifacts (each needs its quorum).
 */
export function osCounts(o: OsReport): Counts {
  if (carries(o)) return countsOf(o);
  const differ = new Map<string, boolean>();
  const match = new Map<string, boolean>();
  for (const a of o.artifacts) {
    for (const g of a.groups) {
      for (const m of g.members) {
        const p = principalText(m.reviewer);
        const s = memberStanding(a, g.sha256, m);
        if (s === 'differ') differ.set(p, m.endorsed);
        else if (s === 'match') match.set(p, m.endorsed);
      }
    }
  }
  for (const p of differ.keys()) match.delete(p);
  const count = (map: Map<string, boolean>, endorsed: boolean) => [...map.values()].filter((x) => x === endorsed).length;
  const perArtifact = o.artifacts.map((a) => artifactCounts(a).endorsedMatching);
  return {
    endorsedMatching: perArtifact.length === 0 ? 0 : Math.min(count(match, true), ...perArtifact),
    endorsedDiffering: count(differ, true),
    unverifiedMatching: count(match, false),
    unverifiedDiffering: count(differ, false)
  };
}

export function osOutcome(o: OsReport): Outcome {
  if (carries(o)) return o.outcome as Outcome;
  return decide(osCounts(o), o.quorum, o.artifacts.some((a) => a.groups.length > 0));
}

/** Worst first: one OS diverged makes a proposal about several OSes diverged. */
const RANK: Record<string, number> = { diverged: 0, contested: 1, pending: 2, reproduced: 3 };
export function worstOutcome(outcomes: Outcome[]): Outcome {
  return outcomes.length === 0 ? 'pending' : outcomes.reduce((a, b) => (RANK[b] < RANK[a] ? b : a));
}

/**
 * The OS's headline sentence, worded once for the page and the CLI's `report`
 * (protocol/headline.ts), from the report's outcome and counts (worked out here for an older report).
 */
export function headlineSentence(o: OsReport): string {
  if (carries(o)) return sentence(o);
  const c = osCounts(o);
  return sentence({
    ...o,
    outcome: osOutcome(o),
    endorsed_matching: c.endorsedMatching,
    endorsed_differing: c.endorsedDiffering,
    unverified_matching: c.unverifiedMatching,
    unverified_differing: c.unverifiedDiffering
  });
}
