/** Where proposals are read from; every endpoint can be moved (tests, other networks). */

export const MAINNET_GOVERNANCE_ID = 'rrkah-fqaaa-aaaaa-aaaaq-cai';
export const DEFAULT_DASHBOARD_URL = 'https://ic-api.internetcomputer.org/api/v3';

export interface ProposalEndpoints {
  governanceId: string;
  dashboardUrl: string;
}

/**
 * Endpoints from flags, then env (ICOS_ATTEST_GOVERNANCE_ID, ICOS_ATTEST_DASHBOARD_URL), then
 * mainnet defaults.
 */
export function proposalEndpoints(
  flags: { governanceId?: string; dashboardUrl?: string } = {},
  env: Record<string, string | undefined> = process.env
): ProposalEndpoints {
  const pick = (...vs: Array<string | undefined>): string | undefined => vs.find((v) => v !== undefined && v.trim() !== '')?.trim();
  return {
    governanceId: pick(flags.governanceId, env.ICOS_ATTEST_GOVERNANCE_ID) ?? MAINNET_GOVERNANCE_ID,
    dashboardUrl: (pick(flags.dashboardUrl, env.ICOS_ATTEST_DASHBOARD_URL) ?? DEFAULT_DASHBOARD_URL).replace(/\/+$/, '')
  };
}
