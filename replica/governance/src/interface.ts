/**
 * The governance stand-in's Candid surface: the two real governance queries plus its seeding
 * methods. Shared by the canister (src/index.ts), tests and the demo.
 */
import { IDL } from '@dfinity/candid';

import type { ElectionShape } from '../nns/build.js';
import {
  ListProposalInfo,
  ListProposalInfoResponse,
  ProposalInfo,
  type ListProposalInfoResponseValue,
  type ListProposalInfoValue,
  type ProposalInfoValue
} from '../nns/governance_idl.js';

export const ElectionFunction = IDL.Variant({
  ReviseElectedGuestosVersions: IDL.Null,
  UpdateElectedReplicaVersions: IDL.Null,
  ReviseElectedHostosVersions: IDL.Null,
  UpdateElectedHostosVersions: IDL.Null,
  BlessReplicaVersion: IDL.Null
});
export type ElectionFunctionValue = { [K in ElectionShape['function']]: { [P in K]: null } }[ElectionShape['function']];

/** A simpler way to seed an election: the stand-in builds the real registry payload from it. */
export const ElectionSeed = IDL.Record({
  id: IDL.Nat64,
  title: IDL.Text,
  summary: IDL.Text,
  function: ElectionFunction,
  commit: IDL.Opt(IDL.Text),
  sha256: IDL.Opt(IDL.Text),
  urls: IDL.Vec(IDL.Text),
  launch_measurements: IDL.Vec(IDL.Vec(IDL.Nat8)),
  unelect: IDL.Vec(IDL.Text),
  proposed_at_seconds: IDL.Nat64,
  deadline_seconds: IDL.Opt(IDL.Nat64)
});
export interface ElectionSeedValue {
  id: bigint;
  title: string;
  summary: string;
  function: ElectionFunctionValue;
  commit: [] | [string];
  sha256: [] | [string];
  urls: string[];
  launch_measurements: Array<Uint8Array | number[]>;
  unelect: string[];
  proposed_at_seconds: bigint;
  deadline_seconds: [] | [bigint];
}

export const SeedResult = IDL.Variant({ Ok: IDL.Nat64, Err: IDL.Text });
export type SeedResultValue = { Ok: bigint } | { Err: string };

export const governanceStandInIdlFactory: IDL.InterfaceFactory = ({ IDL: I }) =>
  I.Service({
    get_proposal_info: I.Func([I.Nat64], [I.Opt(ProposalInfo)], ['query']),
    list_proposals: I.Func([ListProposalInfo], [ListProposalInfoResponse], ['query']),
    add_proposal: I.Func([ProposalInfo], [SeedResult], []),
    add_election: I.Func([ElectionSeed], [SeedResult], []),
    set_status: I.Func([I.Nat64, I.Int32], [SeedResult], []),
    remove_proposal: I.Func([I.Nat64], [SeedResult], [])
  });

export interface GovernanceStandIn {
  get_proposal_info(id: bigint): Promise<[] | [ProposalInfoValue]>;
  list_proposals(req: ListProposalInfoValue): Promise<ListProposalInfoResponseValue>;
  add_proposal(info: ProposalInfoValue): Promise<SeedResultValue>;
  add_election(seed: ElectionSeedValue): Promise<SeedResultValue>;
  set_status(id: bigint, status: number): Promise<SeedResultValue>;
  remove_proposal(id: bigint): Promise<SeedResultValue>;
}
