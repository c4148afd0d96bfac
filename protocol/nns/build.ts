/**
 * Builds governance `ProposalInfo` values the way governance fills them, for the governance
 * stand-in and tests. Pure TypeScript.
 */
import { IDL } from '@dfinity/candid';

import { IC_OS_ELECTION_TOPIC, NNS_FUNCTION, PROPOSAL_STATUS, TOPIC, type ProposalStatusName } from './functions.js';
import { ProposalInfo, type ActionValue, type ProposalInfoValue } from './governance_idl.js';
import {
  encodeBlessReplicaVersionPayload,
  encodeReviseElectedGuestosVersionsPayload,
  encodeReviseElectedHostosVersionsPayload,
  encodeUpdateElectedReplicaVersionsPayload,
  type GuestosElection,
  type HostosElection
} from './registry_idl.js';

export interface ProposalInfoSeed {
  id: bigint;
  title: string;
  summary: string;
  url?: string;
  status?: ProposalStatusName;
  topic: number;
  action: ActionValue | null;
  proposedAtSeconds: bigint;
  deadlineSeconds?: bigint | null;
}

/** A ProposalInfo with the bookkeeping fields zero/empty, as governance reports a fresh proposal. */
export function makeProposalInfo(seed: ProposalInfoSeed): ProposalInfoValue {
  const status = PROPOSAL_STATUS[seed.status ?? 'open'];
  return {
    id: [{ id: seed.id }],
    status,
    topic: seed.topic,
    failure_reason: [],
    ballots: [],
    proposal_timestamp_seconds: seed.proposedAtSeconds,
    reward_event_round: 0n,
    deadline_timestamp_seconds: seed.deadlineSeconds === null || seed.deadlineSeconds === undefined ? [] : [seed.deadlineSeconds],
    failed_timestamp_seconds: 0n,
    reject_cost_e8s: 2_500_000_000n,
    derived_proposal_information: [],
    latest_tally: [],
    reward_status: status === PROPOSAL_STATUS.open ? 1 : 3,
    decided_timestamp_seconds: 0n,
    proposal: [
      {
        url: seed.url ?? '',
        title: [seed.title],
        action: seed.action === null ? [] : [seed.action],
        summary: seed.summary
      }
    ],
    proposer: [{ id: 1n }],
    executed_timestamp_seconds: 0n,
    total_potential_voting_power: []
  };
}

export type ElectionShape =
  | { function: 'ReviseElectedGuestosVersions'; election: GuestosElection }
  | { function: 'UpdateElectedReplicaVersions'; election: GuestosElection & { measurementSha256?: string } }
  | { function: 'ReviseElectedHostosVersions'; election: HostosElection }
  | { function: 'UpdateElectedHostosVersions'; election: HostosElection }
  | { function: 'BlessReplicaVersion'; election: { commit: string; sha256: string; url: string } };

/** The ExecuteNnsFunction action of an election, with the real Candid-encoded registry payload. */
export function electionAction(shape: ElectionShape): ActionValue {
  let nns_function: number;
  let payload: Uint8Array;
  switch (shape.function) {
    case 'ReviseElectedGuestosVersions':
      nns_function = NNS_FUNCTION.ReviseElectedGuestosVersions;
      payload = encodeReviseElectedGuestosVersionsPayload(shape.election);
      break;
    case 'UpdateElectedReplicaVersions':
      nns_function = NNS_FUNCTION.ReviseElectedGuestosVersions; // the same id, before the rename
      payload = encodeUpdateElectedReplicaVersionsPayload(shape.election);
      break;
    case 'ReviseElectedHostosVersions':
      nns_function = NNS_FUNCTION.ReviseElectedHostosVersions;
      payload = encodeReviseElectedHostosVersionsPayload(shape.election);
      break;
    case 'UpdateElectedHostosVersions':
      nns_function = NNS_FUNCTION.UpdateElectedHostosVersions;
      payload = encodeReviseElectedHostosVersionsPayload(shape.election);
      break;
    case 'BlessReplicaVersion':
      nns_function = NNS_FUNCTION.BlessReplicaVersion;
      payload = encodeBlessReplicaVersionPayload(shape.election);
      break;
  }
  return { ExecuteNnsFunction: { nns_function, payload } };
}

/** Topic governance files each function under (BlessReplicaVersion predates topic 13's rename, same id). */
export const ELECTION_TOPIC = IC_OS_ELECTION_TOPIC;
export const MOTION_TOPIC = TOPIC.Governance;

/** The Candid reply of `get_proposal_info`, as bytes on the wire. */
export function encodeGetProposalInfoReply(info: ProposalInfoValue | null): Uint8Array {
  return new Uint8Array(IDL.encode([IDL.Opt(ProposalInfo)], [info === null ? [] : [info]]));
}

/** Decodes `get_proposal_info`'s reply bytes. */
export function decodeGetProposalInfoReply(bytes: Uint8Array): ProposalInfoValue | null {
  const [v] = IDL.decode([IDL.Opt(ProposalInfo)], bytes) as unknown as [[] | [ProposalInfoValue]];
  return v.length === 1 ? v[0] : null;
}
