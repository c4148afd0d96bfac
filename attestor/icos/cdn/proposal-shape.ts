/**
 * Structural copy of the fields of `ElectionProposal` (protocol/nns/types.ts, owned by the
 * proposal engineer) that the check and build need. Structural typing lets the real type be
 * passed as-is; replace this with an import once protocol/nns/types.ts lands.
 */
export interface ElectionProposalLike {
  id: string;
  elects: 'guestos' | 'hostos' | 'not-icos';
  /** 40-hex git commit of the ic repo, null when the proposal names none. */
  commit: string | null;
  /** release_package_sha256_hex */
  sha256: string | null;
  /** release_package_urls */
  urls: string[];
  /** Hex strings (dashboard/Candid), normalised before comparing. */
  launchMeasurements: string[];
  /** Action name; BlessAlternativeGuestOsVersion proposals also carry what they bless. */
  action?: string;
  alternativeGuestOs?: import('../../../protocol/nns/alternative.js').AlternativeGuestOs;
}

export function isCommit(s: string | null | undefined): s is string {
  return typeof s === 'string' && /^[0-9a-f]{40}$/.test(s);
}
