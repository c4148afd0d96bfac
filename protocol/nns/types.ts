/** The shared shape of one IC-OS election proposal, whichever source it was read from. */
import type { AlternativeGuestOs } from './alternative.js';

export interface ElectionProposal {
  id: string;                  // decimal nat64
  title: string;
  summary: string;
  status: 'open' | 'rejected' | 'adopted' | 'executed' | 'failed' | 'unknown';
  /**
   * What the proposal elects: 'guestos' | 'hostos', or 'not-icos' for anything else. An
   * election function that elects no version (it only unelects) is 'not-icos' too: there is
   * nothing to build; `action` and `unelect` still say what it does.
   */
  elects: 'guestos' | 'hostos' | 'not-icos';
  /**
   * NNS function name for ExecuteNnsFunction proposals, by id under its current name
   * (38 is 'ReviseElectedGuestosVersions' even for 2023-24 proposals made as
   * 'UpdateElectedReplicaVersions'); otherwise the Action case ('Motion', ...), or 'unknown'.
   */
  action: string;
  commit: string | null;       // the version (git commit) elected; lowercase
  sha256: string | null;       // release_package_sha256_hex, lowercase
  urls: string[];
  launchMeasurements: string[]; // hex, normalised lowercase (dashboard gives hex; byte arrays are normalised too)
  unelect: string[];
  proposedAtSeconds: number;
  deadlineSeconds: number | null;
  source: 'governance' | 'dashboard';
  /** BlessAlternativeGuestOsVersion only (elects 'not-icos'): what it blesses (alternative.ts). */
  alternativeGuestOs?: AlternativeGuestOs;
}
