/**
 * The headline verdict of a proposal: the verdict of the OS it elects, not of everything the
 * reviewers happened to build. A GuestOS election whose GuestOS is reproduced must not read
 * "diverged" because a HostOS build (which that proposal does not elect) diverged.
 * Shared by the canister's dashboard and the CLI's report, so both headline the same verdict.
 */
import type { OsConsensus } from './consensus.js';
import type { OsReport } from './service.js';

/** One verdict for a set of OS verdicts: any diverged → diverged; all reproduced → reproduced. */
export function overallVerdict(verdicts: string[]): string {
  if (verdicts.length === 0) return 'no attestations';
  if (verdicts.includes('diverged')) return 'diverged';
  if (verdicts.every((v) => v === 'reproduced')) return 'reproduced';
  return 'pending';
}

export interface OsVerdictLike {
  os: string;
  verdict: string;
}

export interface Headline {
  verdict: string;
  /** The OSes the verdict is about. */
  oses: string[];
  /**
   * Why those: `governance` (the OS the proposal elects, read from NNS governance),
   * `claimed` (the OSes with a proposal hash claimed by reviewers: not synced),
   * `all` (no proposal hash anywhere: everything is compared with the CDN),
   * `not-icos` (governance says the proposal elects no IC-OS version).
   */
  basis: 'governance' | 'claimed' | 'all' | 'not-icos';
  /** OSes built too but not elected by the proposal, each with its own verdict. */
  others: OsVerdictLike[];
}

/**
 * `elects`: governance's `guestos`/`hostos`/`not-icos`, or null when not synced.
 * `withProposalHash`: the OSes whose artifacts carry a proposal hash (used when not synced).
 */
export function headline(oses: OsVerdictLike[], elects: string | null, withProposalHash: string[]): Headline {
  if (elects === 'not-icos') return { verdict: 'not applicable', oses: [], basis: 'not-icos', others: oses };
  if (elects !== null) {
    const own = oses.find((o) => o.os === elects);
    // Synced but nobody attested the elected OS yet: pending, whatever else was built.
    return { verdict: own?.verdict ?? 'pending', oses: [elects], basis: 'governance', others: oses.filter((o) => o.os !== elects) };
  }
  const focus = oses.filter((o) => withProposalHash.includes(o.os));
  if (focus.length === 0) return { verdict: overallVerdict(oses.map((o) => o.verdict)), oses: oses.map((o) => o.os), basis: 'all', others: [] };
  return { verdict: overallVerdict(focus.map((o) => o.verdict)), oses: focus.map((o) => o.os), basis: 'claimed', others: oses.filter((o) => !withProposalHash.includes(o.os)) };
}

/** The facts a headline sentence states, from whichever shape the report came in. */
export interface HeadlineFacts {
  outcome: string;
  quorum: number;
  endorsedMatching: number;
  endorsedDiffering: number;
  unverifiedMatching: number;
  unverifiedDiffering: number;
  /** Endorsed reviewers with a counted attestation of this OS. */
  endorsedReviewers: number;
  /** What builds are compared with: the NNS-elected hash, the reviewers' claimed one, the CDN's, or nothing. */
  reference: 'elected' | 'claimed' | 'cdn' | 'none';
}

/** The parts of a report's OS the facts are read from (OsConsensus, and the CLI's JSON via its own reader). */
interface OsLike {
  artifacts: { proposalSource: string; proposalSha256: string | null; cdnSha256: string[]; groups: { reviewers: { principal: string; endorsed: boolean }[] }[] }[];
}

/** The reference an OS's builds were compared with (the first artifact that has one decides). */
export function referenceOf(artifacts: OsLike['artifacts']): HeadlineFacts['reference'] {
  if (artifacts.some((a) => a.proposalSource === 'governance')) return 'elected';
  if (artifacts.some((a) => a.proposalSha256 !== null)) return 'claimed';
  if (artifacts.length > 0 && artifacts.every((a) => a.cdnSha256.length === 1)) return 'cdn';
  return 'none';
}

/** Distinct endorsed reviewers in an OS's groups. */
export function endorsedReviewersOf(artifacts: OsLike['artifacts']): number {
  const seen = new Set<string>();
  for (const a of artifacts) for (const g of a.groups) for (const r of g.reviewers) if (r.endorsed) seen.add(r.principal);
  return seen.size;
}

/** HeadlineFacts of an OsConsensus (protocol/consensus.ts). */
export function headlineFacts(os: OsConsensus): HeadlineFacts {
  return {
    outcome: os.outcome,
    quorum: os.quorum,
    endorsedMatching: os.endorsedMatching,
    endorsedDiffering: os.endorsedDiffering,
    unverifiedMatching: os.unverifiedMatching,
    unverifiedDiffering: os.unverifiedDiffering,
    endorsedReviewers: endorsedReviewersOf(os.artifacts),
    reference: referenceOf(os.artifacts)
  };
}

/** HeadlineFacts of an OS in the Candid/JSON report shape (snake_case; members carry `endorsed`). */
export function headlineFactsOfReport(os: OsReport): HeadlineFacts {
  const artifacts = os.artifacts.map((a) => ({
    proposalSource: a.proposal_source,
    proposalSha256: a.proposal_sha256.length === 1 ? a.proposal_sha256[0] : null,
    cdnSha256: a.cdn_sha256,
    groups: a.groups.map((g) => ({ reviewers: g.members.map((m) => ({ principal: m.reviewer.toText(), endorsed: m.endorsed })) }))
  }));
  return {
    outcome: os.outcome,
    quorum: os.quorum,
    endorsedMatching: os.endorsed_matching,
    endorsedDiffering: os.endorsed_differing,
    unverifiedMatching: os.unverified_matching,
    unverifiedDiffering: os.unverified_differing,
    endorsedReviewers: endorsedReviewersOf(artifacts),
    reference: referenceOf(artifacts)
  };
}

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * One sentence a voter can act on, e.g. "Elected hash reproduced by 3 of 3 endorsed reviewers
 * (quorum 3); 1 unverified report differs". Endorsed counts lead; unverified reports follow,
 * always said to be unverified. Accepts an OsConsensus, an OsReport or the facts themselves.
 */
export function headlineSentence(os: OsConsensus | OsReport | HeadlineFacts): string {
  const f = 'endorsedReviewers' in os ? os : 'endorsed_matching' in os ? headlineFactsOfReport(os) : headlineFacts(os);
  const subject = { elected: 'Elected hash', claimed: 'Claimed proposal hash', cdn: 'CDN hash', none: '' }[f.reference];
  const of = `${f.endorsedMatching} of ${count(f.endorsedReviewers, 'endorsed reviewer', 'endorsed reviewers')} (quorum ${f.quorum})`;
  const differ = count(f.endorsedDiffering, 'endorsed build differs', 'endorsed builds differ');
  let main: string;
  if (f.endorsedReviewers === 0) main = `No endorsed reviewer has attested yet (quorum ${f.quorum})`;
  else if (subject === '') {
    main = f.endorsedDiffering > 0 ? `No reference hash, and endorsed builds disagree: ${differ} from the most common one` : `No reference hash to compare with: ${count(f.endorsedReviewers, 'endorsed reviewer', 'endorsed reviewers')} attested`;
  } else if (f.outcome === 'reproduced') main = `${subject} reproduced by ${of}`;
  else if (f.outcome === 'contested') main = `${subject} reproduced by ${of}, but ${differ}`;
  else if (f.outcome === 'diverged') main = `${subject} reproduced by only ${of}; ${differ}`;
  else main = `${subject} reproduced by ${of} so far: ${f.quorum - f.endorsedMatching > 0 ? `${f.quorum - f.endorsedMatching} more needed` : 'the other artifacts need more'}`;
  const unverified: string[] = [];
  if (f.unverifiedDiffering > 0) unverified.push(count(f.unverifiedDiffering, 'unverified report differs', 'unverified reports differ'));
  if (f.unverifiedMatching > 0) unverified.push(count(f.unverifiedMatching, 'unverified report matches', 'unverified reports match'));
  return [main, ...unverified].join('; ');
}
