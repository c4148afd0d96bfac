/**
 * Finding IC-OS election proposals with governance `list_proposals`. Pure TypeScript, shared by
 * the attestor and the canister's discovery timer.
 */
import { IC_OS_ELECTION_TOPIC, TOPIC } from './functions.js';
import type { ListProposalInfoResponseValue, ListProposalInfoValue, ProposalInfoValue } from './governance_idl.js';

/** Governance caps a page at 100 proposals. */
export const LIST_PROPOSALS_MAX_LIMIT = 100;

/**
 * `list_proposals` has only `exclude_topic`, so exclude every other known topic. A topic added
 * after this list would slip through: filter the answer with `isIcOsElectionInfo` as well.
 */
export function icOsElectionListRequest(opts: { limit?: number; before?: bigint; status?: number[] } = {}): ListProposalInfoValue {
  const limit = Math.max(1, Math.min(LIST_PROPOSALS_MAX_LIMIT, Math.floor(opts.limit ?? LIST_PROPOSALS_MAX_LIMIT)));
  return {
    include_reward_status: [],
    omit_large_fields: [false],
    before_proposal: opts.before === undefined ? [] : [{ id: opts.before }],
    limit,
    exclude_topic: Object.values(TOPIC).filter((t) => t !== IC_OS_ELECTION_TOPIC),
    include_all_manage_neuron_proposals: [false],
    include_status: opts.status ?? []
  };
}

export function isIcOsElectionInfo(info: ProposalInfoValue): boolean {
  return info.topic === IC_OS_ELECTION_TOPIC;
}

/** The IC-OS election proposals of one page, newest first as governance returns them. */
export function icOsElectionsOf(response: ListProposalInfoResponseValue): ProposalInfoValue[] {
  return response.proposal_info.filter(isIcOsElectionInfo);
}
