/**
 * The headline verdict of a proposal: the verdict of the OS it elects, not of everything the
 * reviewers happened to build. A GuestOS election whose GuestOS is reproduced must not read
 * "diverged" because a HostOS build (which that proposal does not elect) diverged.
 * Shared by the canister's dashboard and the CLI's report, so both headline the same verdict.
 */

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
