/**
 * What the page needs from the report: the outcome and the counts that back it, where only
 * endorsed reviewers decide and unendorsed ("unverified") reports are counted apart. A report
 * carries them (protocol/consensus.ts computed them); one stored by a version before they existed
 * has them worked out here from its groups, by the same rule, until it is re-materialised.
 */
import type { ArtifactReport, GroupMember, OsReport } from '../../../protocol/service.js';
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

/** What the builds were compared with, for the sentence. */
function subject(o: OsReport, elected: boolean): string {
  if (o.artifacts.some((a) => a.proposal_sha256.length === 1)) return elected ? 'Elected hash' : 'Proposal hash';
  return 'CDN hash';
}

const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;

/**
 * One sentence a voter can act on, e.g. "Elected hash reproduced by 3 of 3 endorsed reviewers
 * (quorum 3); 1 unverified report differs." `elected`: the hash was read from governance.
 */
export function headlineSentence(o: OsReport, elected = true): string {
  const c = osCounts(o);
  const what = subject(o, elected);
  const endorsed = c.endorsedMatching + c.endorsedDiffering;
  const q = `quorum ${o.quorum}`;
  let s: string;
  switch (osOutcome(o)) {
    case 'reproduced':
      s = `${what} reproduced by ${c.endorsedMatching} of ${n(endorsed, 'endorsed reviewer', 'endorsed reviewers')} (${q})`;
      break;
    case 'contested':
      s = `${what} reproduced by ${c.endorsedMatching} of ${n(endorsed, 'endorsed reviewer', 'endorsed reviewers')} (${q}), but ${n(c.endorsedDiffering, 'endorsed build differs', 'endorsed builds differ')}: read the hints before voting`;
      break;
    case 'diverged':
      s = `${n(c.endorsedDiffering, 'endorsed build differs', 'endorsed builds differ')} from the ${what === 'CDN hash' ? what : what.toLowerCase()}, and only ${c.endorsedMatching} of the ${o.quorum} endorsed reproductions the quorum needs match it`;
      break;
    default:
      s = endorsed === 0 && c.unverifiedMatching + c.unverifiedDiffering === 0 ? `Nobody has attested this yet (${q})` : `Needs reviewers: ${c.endorsedMatching} of ${o.quorum} endorsed reproductions so far`;
  }
  const unverified: string[] = [];
  if (c.unverifiedMatching > 0) unverified.push(`${n(c.unverifiedMatching, 'unverified report matches', 'unverified reports match')}`);
  if (c.unverifiedDiffering > 0) unverified.push(`${n(c.unverifiedDiffering, 'unverified report differs', 'unverified reports differ')}`);
  return `${s}${unverified.length ? `; ${unverified.join(', ')}` : ''}.`;
}
