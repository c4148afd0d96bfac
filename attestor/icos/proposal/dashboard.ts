/**
 * Reads proposals from the dashboard API (ic-api.internetcomputer.org/api/v3). Unlike governance
 * it keeps old proposals, but it is a web service to trust; governance is the default source.
 */
import { notIcosMessage } from '../../../protocol/nns/alternative.js';
import { ProposalError, parseProposalId } from '../../../protocol/nns/errors.js';
import { IC_OS_ELECTION_TOPIC_NAME } from '../../../protocol/nns/functions.js';
import { parseDashboardProposal, type ElectionProposal } from '../../../protocol/nns/proposal.js';
import { proposalEndpoints } from './endpoints.js';
import { validateElectionPayload } from './validate.js';

export interface DashboardOptions {
  /** API base, e.g. https://ic-api.internetcomputer.org/api/v3; default ICOS_ATTEST_DASHBOARD_URL or that. */
  baseUrl?: string;
  fetch?: typeof globalThis.fetch;
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
  /** Return proposals that elect no IC-OS version instead of throwing 'not-icos'. */
  allowNotIcos?: boolean;
}

function describe(e: unknown): string {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur instanceof Error; i++) {
    parts.push(cur.message);
    cur = cur.cause;
  }
  return parts.join(': ') || String(e);
}

async function getJson(url: string, opts: DashboardOptions, what: string): Promise<unknown | undefined> {
  const doFetch = opts.fetch ?? globalThis.fetch;
  let res: Response;
  try {
    res = await doFetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000) });
  } catch (e) {
    throw new ProposalError('network', `dashboard API ${url} could not be reached: ${describe(e)}`, { cause: e });
  }
  if (res.status === 404) {
    await res.body?.cancel();
    return undefined;
  }
  if (!res.ok) {
    await res.body?.cancel();
    const kind = res.status >= 500 || res.status === 429 ? 'network' : 'bad-response';
    throw new ProposalError(kind, `dashboard API answered ${res.status} ${res.statusText} for ${what} (${url})`);
  }
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    throw new ProposalError('network', `dashboard API ${url}: reading the answer failed: ${describe(e)}`, { cause: e });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ProposalError('bad-response', `dashboard API answer for ${what} is not JSON (${url})`);
  }
}

/**
 * One IC-OS election proposal from `GET <base>/proposals/<id>`. Errors (ProposalError):
 * 'not-found' (404), 'not-icos', 'network' (unreachable, timeout, 5xx), 'bad-response'.
 */
export async function fetchProposalFromDashboard(id: string | number | bigint, opts: DashboardOptions = {}): Promise<ElectionProposal> {
  const n = parseProposalId(id);
  const base = (opts.baseUrl ?? proposalEndpoints().dashboardUrl).replace(/\/+$/, '');
  const url = `${base}/proposals/${n}`;
  const json = await getJson(url, opts, `proposal ${n}`);
  if (json === undefined) throw new ProposalError('not-found', `proposal ${n} is not known to the dashboard API (${url} answered 404)`);
  const proposal = parseDashboardProposal(json);
  if (proposal.id !== n.toString()) {
    throw new ProposalError('bad-response', `dashboard API answered proposal ${proposal.id} when asked for ${n}`);
  }
  if (proposal.elects === 'not-icos' && !opts.allowNotIcos) {
    throw new ProposalError('not-icos', notIcosMessage(proposal));
  }
  return validateElectionPayload(proposal);
}

/** Recent IC-OS election proposals: `GET <base>/proposals?include_topic=…&limit=…` → `{data: [...]}`. */
export async function listProposalsFromDashboard(opts: DashboardOptions & { limit?: number } = {}): Promise<{ proposals: ElectionProposal[]; errors: ProposalError[] }> {
  const base = (opts.baseUrl ?? proposalEndpoints().dashboardUrl).replace(/\/+$/, '');
  const limit = Math.max(1, Math.min(100, Math.floor(opts.limit ?? 20)));
  const url = `${base}/proposals?include_topic=${IC_OS_ELECTION_TOPIC_NAME}&limit=${limit}`;
  const json = await getJson(url, opts, 'the proposal list');
  const data = (json as { data?: unknown } | undefined)?.data;
  if (!Array.isArray(data)) throw new ProposalError('bad-response', `dashboard API list answer has no "data" list (${url})`);
  const proposals: ElectionProposal[] = [];
  const errors: ProposalError[] = [];
  for (const item of data) {
    try {
      const p = parseDashboardProposal(item);
      if (p.elects !== 'not-icos' || opts.allowNotIcos) proposals.push(p);
    } catch (e) {
      errors.push(e instanceof ProposalError ? e : new ProposalError('bad-response', describe(e)));
    }
  }
  return { proposals, errors };
}
