/**
 * Reads proposals from the NNS governance canister with @dfinity/agent queries, decoding the
 * reply bytes with our own Candid types (protocol/nns), so a failure to decode is ours to name.
 */
import { Actor, TrustError, type Agent } from '@dfinity/agent';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';

import { notIcosMessage } from '../../../protocol/nns/alternative.js';
import { ProposalError, parseProposalId } from '../../../protocol/nns/errors.js';
import { ListProposalInfo, ListProposalInfoResponse, ProposalInfo, type ListProposalInfoResponseValue, type ProposalInfoValue } from '../../../protocol/nns/governance_idl.js';
import { icOsElectionListRequest, icOsElectionsOf } from '../../../protocol/nns/list.js';
import { decodeElectionProposal, type ElectionProposal } from '../../../protocol/nns/proposal.js';
import { proposalEndpoints } from './endpoints.js';
import { validateElectionPayload } from './validate.js';

export interface GovernanceOptions {
  /** Governance canister id; default ICOS_ATTEST_GOVERNANCE_ID or mainnet's. */
  governanceId?: string;
  /** Return proposals that elect no IC-OS version instead of throwing 'not-icos'. */
  allowNotIcos?: boolean;
  /**
   * Read with a replicated (update-style) call whose reply the agent checks in the subnet's
   * certificate, instead of one node's query answer: what `verify` uses for the elected hash.
   */
  certified?: boolean;
}

/** get_proposal_info as an update call: the reply comes in a certificate checked against the root key. */
async function certifiedProposalInfo(agent: Agent, governanceId: string, n: bigint): Promise<[] | [ProposalInfoValue]> {
  const actor = Actor.createActor(() => IDL.Service({ get_proposal_info: IDL.Func([IDL.Nat64], [IDL.Opt(ProposalInfo)], []) }), { agent, canisterId: canisterId(governanceId) });
  try {
    return (await actor.get_proposal_info(n)) as [] | [ProposalInfoValue];
  } catch (e) {
    if (e instanceof TrustError) throw e; // a certificate that fails the root key is not a network problem
    throw new ProposalError('network', `governance ${governanceId} could not be called (get_proposal_info, certified): ${describe(e)}`, { cause: e });
  }
}

function canisterId(id: string): Principal {
  try {
    return Principal.fromText(id);
  } catch {
    throw new ProposalError('bad-input', `governance canister id ${JSON.stringify(id)} is not a principal`);
  }
}

function describe(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n').map((s) => s.trim()).find((s) => s !== '') ?? 'unknown error';
}

async function queryRaw(agent: Agent, governanceId: string, methodName: string, arg: Uint8Array): Promise<Uint8Array> {
  const id = canisterId(governanceId);
  let res;
  try {
    res = await agent.query(id, { methodName, arg });
  } catch (e) {
    throw new ProposalError('network', `governance ${governanceId} could not be queried (${methodName}): ${describe(e)}`, { cause: e });
  }
  if (res.status !== 'replied') {
    throw new ProposalError(
      'network',
      `governance ${governanceId} rejected ${methodName}: ${res.reject_message} (reject code ${String(res.reject_code)})`
    );
  }
  return new Uint8Array(res.reply.arg);
}

/** The raw `ProposalInfo` governance holds for `id`, or null when it has none. */
export async function getProposalInfo(agent: Agent, id: string | number | bigint, opts: GovernanceOptions = {}): Promise<ProposalInfoValue | null> {
  const n = parseProposalId(id);
  const governanceId = opts.governanceId ?? proposalEndpoints().governanceId;
  if (opts.certified) {
    const got = await certifiedProposalInfo(agent, governanceId, n);
    return got.length === 1 ? got[0] : null;
  }
  const bytes = await queryRaw(agent, governanceId, 'get_proposal_info', new Uint8Array(IDL.encode([IDL.Nat64], [n])));
  let decoded: [] | [ProposalInfoValue];
  try {
    [decoded] = IDL.decode([IDL.Opt(ProposalInfo)], bytes) as unknown as [[] | [ProposalInfoValue]];
  } catch (e) {
    throw new ProposalError('bad-response', `governance ${governanceId}: get_proposal_info(${n}) reply is not an opt ProposalInfo: ${describe(e)}`, { cause: e });
  }
  return decoded.length === 1 ? decoded[0] : null;
}

/**
 * One IC-OS election proposal from governance. Errors (ProposalError): 'not-found' (governance
 * has no such proposal; it deletes old ones, the dashboard keeps them), 'not-icos', 'network'
 * (unreachable or rejected), 'bad-response' / 'bad-payload' (undecodable).
 */
export async function fetchProposalFromGovernance(agent: Agent, id: string | number | bigint, opts: GovernanceOptions = {}): Promise<ElectionProposal> {
  const governanceId = opts.governanceId ?? proposalEndpoints().governanceId;
  const info = await getProposalInfo(agent, id, { ...opts, governanceId });
  const n = parseProposalId(id);
  if (info === null) {
    throw new ProposalError(
      'not-found',
      `proposal ${n} is not known to governance ${governanceId} (it may never have existed, or governance has deleted it: try --source dashboard)`
    );
  }
  const proposal = decodeElectionProposal(info);
  if (proposal.elects === 'not-icos' && !opts.allowNotIcos) {
    throw new ProposalError('not-icos', notIcosMessage(proposal));
  }
  return validateElectionPayload(proposal);
}

/**
 * IC-OS election proposals from governance's `list_proposals`, newest first, `limit` per page;
 * pass the smallest id seen as `before` for the next page. Undecodable ones are skipped and
 * named in `errors`, so one odd proposal does not hide the rest.
 */
export async function listProposalsFromGovernance(
  agent: Agent,
  opts: GovernanceOptions & { limit?: number; before?: bigint } = {}
): Promise<{ proposals: ElectionProposal[]; errors: ProposalError[]; oldestId: bigint | null }> {
  const governanceId = opts.governanceId ?? proposalEndpoints().governanceId;
  const request = icOsElectionListRequest({ limit: opts.limit, before: opts.before });
  const bytes = await queryRaw(agent, governanceId, 'list_proposals', new Uint8Array(IDL.encode([ListProposalInfo], [request])));
  let response: ListProposalInfoResponseValue;
  try {
    [response] = IDL.decode([ListProposalInfoResponse], bytes) as unknown as [ListProposalInfoResponseValue];
  } catch (e) {
    throw new ProposalError('bad-response', `governance ${governanceId}: list_proposals reply does not decode: ${describe(e)}`, { cause: e });
  }
  const proposals: ElectionProposal[] = [];
  const errors: ProposalError[] = [];
  let oldestId: bigint | null = null;
  for (const info of response.proposal_info) {
    const pid = info.id.length === 1 ? info.id[0].id : null;
    if (pid !== null && (oldestId === null || pid < oldestId)) oldestId = pid;
  }
  for (const info of icOsElectionsOf(response)) {
    try {
      const p = decodeElectionProposal(info);
      if (p.elects !== 'not-icos' || opts.allowNotIcos) proposals.push(p);
    } catch (e) {
      errors.push(e instanceof ProposalError ? e : new ProposalError('bad-response', describe(e)));
    }
  }
  return { proposals, errors, oldestId };
}
