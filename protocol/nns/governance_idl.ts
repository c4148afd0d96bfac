/**
 * Candid types of the NNS governance canister (rrkah-fqaaa-aaaaa-aaaaq-cai) for the two queries
 * this project reads: `get_proposal_info` and `list_proposals`.
 *
 * Transcribed from dfinity/ic rs/nns/governance/canister/governance.did (commit 002d5530, 2025). Every type that
 * `ProposalInfo` reaches is spelled out, including all `Action` cases, so that:
 *  - the governance stand-in (replica/governance) exposes the same wire types as the real one;
 *  - a real reply decodes. Candid lets a decoder know fewer record fields than the sender, so
 *    fields governance adds later are skipped. A variant case we do not know (an `Action` added
 *    after this transcription) cannot be decoded, but `Proposal.action` is `opt Action`, and
 *    Candid's opt rule turns an undecodable value under `opt` into `null`: such a proposal then
 *    reads as "no action", which the election decoder reports as not an IC-OS election.
 *    test/nns covers both.
 *
 * Pure TypeScript: runs in Node and inside the canister.
 */
import { IDL } from '@dfinity/candid';

const opt = IDL.Opt;
const vec = IDL.Vec;
const empty = IDL.Record({});

export const ProposalId = IDL.Record({ id: IDL.Nat64 });
export const NeuronId = IDL.Record({ id: IDL.Nat64 });
export const GovernanceError = IDL.Record({ error_message: IDL.Text, error_type: IDL.Int32 });
export const Ballot = IDL.Record({ vote: IDL.Int32, voting_power: IDL.Nat64 });
export const Tally = IDL.Record({ no: IDL.Nat64, yes: IDL.Nat64, total: IDL.Nat64, timestamp_seconds: IDL.Nat64 });

const CanisterStatusResultV2 = IDL.Record({
  status: opt(IDL.Int32),
  freezing_threshold: opt(IDL.Nat64),
  controllers: vec(IDL.Principal),
  memory_size: opt(IDL.Nat64),
  cycles: opt(IDL.Nat64),
  idle_cycles_burned_per_day: opt(IDL.Nat64),
  module_hash: IDL.Vec(IDL.Nat8)
});
const CanisterSummary = IDL.Record({ status: opt(CanisterStatusResultV2), canister_id: opt(IDL.Principal) });
const SwapBackgroundInformation = IDL.Record({
  ledger_index_canister_summary: opt(CanisterSummary),
  fallback_controller_principal_ids: vec(IDL.Principal),
  ledger_archive_canister_summaries: vec(CanisterSummary),
  ledger_canister_summary: opt(CanisterSummary),
  swap_canister_summary: opt(CanisterSummary),
  governance_canister_summary: opt(CanisterSummary),
  root_canister_summary: opt(CanisterSummary),
  dapp_canister_summaries: vec(CanisterSummary)
});
const DerivedProposalInformation = IDL.Record({ swap_background_information: opt(SwapBackgroundInformation) });

// --- Action and everything it reaches -------------------------------------------------------

const AccountIdentifier = IDL.Record({ hash: IDL.Vec(IDL.Nat8) });
const Amount = IDL.Record({ e8s: IDL.Nat64 });
const Account = IDL.Record({ owner: opt(IDL.Principal), subaccount: opt(IDL.Vec(IDL.Nat8)) });
const KnownNeuronData = IDL.Record({ name: IDL.Text, description: opt(IDL.Text) });
const KnownNeuron = IDL.Record({ id: opt(NeuronId), known_neuron_data: opt(KnownNeuronData) });
const NeuronIdOrSubaccount = IDL.Variant({ Subaccount: IDL.Vec(IDL.Nat8), NeuronId: NeuronId });
const Spawn = IDL.Record({ percentage_to_spawn: opt(IDL.Nat32), new_controller: opt(IDL.Principal), nonce: opt(IDL.Nat64) });
const Split = IDL.Record({ amount_e8s: IDL.Nat64 });
const Follow = IDL.Record({ topic: IDL.Int32, followees: vec(NeuronId) });
const ClaimOrRefreshNeuronFromAccount = IDL.Record({ controller: opt(IDL.Principal), memo: IDL.Nat64 });
const By = IDL.Variant({ NeuronIdOrSubaccount: empty, MemoAndController: ClaimOrRefreshNeuronFromAccount, Memo: IDL.Nat64 });
const ClaimOrRefresh = IDL.Record({ by: opt(By) });
const Operation = IDL.Variant({
  RemoveHotKey: IDL.Record({ hot_key_to_remove: opt(IDL.Principal) }),
  AddHotKey: IDL.Record({ new_hot_key: opt(IDL.Principal) }),
  ChangeAutoStakeMaturity: IDL.Record({ requested_setting_for_auto_stake_maturity: IDL.Bool }),
  StopDissolving: empty,
  StartDissolving: empty,
  IncreaseDissolveDelay: IDL.Record({ additional_dissolve_delay_seconds: IDL.Nat32 }),
  SetVisibility: IDL.Record({ visibility: opt(IDL.Int32) }),
  JoinCommunityFund: empty,
  LeaveCommunityFund: empty,
  SetDissolveTimestamp: IDL.Record({ dissolve_timestamp_seconds: IDL.Nat64 })
});
const Configure = IDL.Record({ operation: opt(Operation) });
const RegisterVote = IDL.Record({ vote: IDL.Int32, proposal: opt(ProposalId) });
const Merge = IDL.Record({ source_neuron_id: opt(NeuronId) });
const DisburseToNeuron = IDL.Record({
  dissolve_delay_seconds: IDL.Nat64,
  kyc_verified: IDL.Bool,
  amount_e8s: IDL.Nat64,
  new_controller: opt(IDL.Principal),
  nonce: IDL.Nat64
});
const StakeMaturity = IDL.Record({ percentage_to_stake: opt(IDL.Nat32) });
const MergeMaturity = IDL.Record({ percentage_to_merge: IDL.Nat32 });
const Disburse = IDL.Record({ to_account: opt(AccountIdentifier), amount: opt(Amount) });
const DisburseMaturity = IDL.Record({ percentage_to_disburse: IDL.Nat32, to_account: opt(Account) });

const Controllers = IDL.Record({ controllers: vec(IDL.Principal) });
const CanisterSettings = IDL.Record({
  freezing_threshold: opt(IDL.Nat64),
  controllers: opt(Controllers),
  log_visibility: opt(IDL.Int32),
  wasm_memory_limit: opt(IDL.Nat64),
  memory_allocation: opt(IDL.Nat64),
  compute_allocation: opt(IDL.Nat64),
  wasm_memory_threshold: opt(IDL.Nat64)
});
const UpdateCanisterSettings = IDL.Record({ canister_id: opt(IDL.Principal), settings: opt(CanisterSettings) });
const InstallCode = IDL.Record({
  skip_stopping_before_installing: opt(IDL.Bool),
  wasm_module_hash: opt(IDL.Vec(IDL.Nat8)),
  canister_id: opt(IDL.Principal),
  arg_hash: opt(IDL.Vec(IDL.Nat8)),
  install_mode: opt(IDL.Int32)
});
const StopOrStartCanister = IDL.Record({ action: opt(IDL.Int32), canister_id: opt(IDL.Principal) });

const Percentage = IDL.Record({ basis_points: opt(IDL.Nat64) });
const Duration = IDL.Record({ seconds: opt(IDL.Nat64) });
const Tokens = IDL.Record({ e8s: opt(IDL.Nat64) });
const Image = IDL.Record({ base64_encoding: opt(IDL.Text) });
const VotingRewardParameters = IDL.Record({
  reward_rate_transition_duration: opt(Duration),
  initial_reward_rate: opt(Percentage),
  final_reward_rate: opt(Percentage)
});
const GovernanceParameters = IDL.Record({
  neuron_maximum_dissolve_delay_bonus: opt(Percentage),
  neuron_maximum_age_for_age_bonus: opt(Duration),
  neuron_maximum_dissolve_delay: opt(Duration),
  neuron_minimum_dissolve_delay_to_vote: opt(Duration),
  neuron_maximum_age_bonus: opt(Percentage),
  neuron_minimum_stake: opt(Tokens),
  proposal_wait_for_quiet_deadline_increase: opt(Duration),
  proposal_initial_voting_period: opt(Duration),
  proposal_rejection_fee: opt(Tokens),
  voting_reward_parameters: opt(VotingRewardParameters)
});
const LedgerParameters = IDL.Record({
  transaction_fee: opt(Tokens),
  token_symbol: opt(IDL.Text),
  token_logo: opt(Image),
  token_name: opt(IDL.Text)
});
const Canister = IDL.Record({ id: opt(IDL.Principal) });
const NeuronBasketConstructionParameters = IDL.Record({ dissolve_delay_interval: opt(Duration), count: opt(IDL.Nat64) });
const GlobalTimeOfDay = IDL.Record({ seconds_after_utc_midnight: opt(IDL.Nat64) });
const Countries = IDL.Record({ iso_codes: vec(IDL.Text) });
const SwapParameters = IDL.Record({
  minimum_participants: opt(IDL.Nat64),
  neurons_fund_participation: opt(IDL.Bool),
  duration: opt(Duration),
  neuron_basket_construction_parameters: opt(NeuronBasketConstructionParameters),
  confirmation_text: opt(IDL.Text),
  maximum_participant_icp: opt(Tokens),
  minimum_icp: opt(Tokens),
  minimum_direct_participation_icp: opt(Tokens),
  minimum_participant_icp: opt(Tokens),
  start_time: opt(GlobalTimeOfDay),
  maximum_direct_participation_icp: opt(Tokens),
  maximum_icp: opt(Tokens),
  neurons_fund_investment_icp: opt(Tokens),
  restricted_countries: opt(Countries)
});
const SwapDistribution = IDL.Record({ total: opt(Tokens) });
const NeuronDistribution = IDL.Record({
  controller: opt(IDL.Principal),
  dissolve_delay: opt(Duration),
  memo: opt(IDL.Nat64),
  vesting_period: opt(Duration),
  stake: opt(Tokens)
});
const DeveloperDistribution = IDL.Record({ developer_neurons: vec(NeuronDistribution) });
const InitialTokenDistribution = IDL.Record({
  treasury_distribution: opt(SwapDistribution),
  developer_distribution: opt(DeveloperDistribution),
  swap_distribution: opt(SwapDistribution)
});
const CreateServiceNervousSystem = IDL.Record({
  url: opt(IDL.Text),
  governance_parameters: opt(GovernanceParameters),
  fallback_controller_principal_ids: vec(IDL.Principal),
  logo: opt(Image),
  name: opt(IDL.Text),
  ledger_parameters: opt(LedgerParameters),
  description: opt(IDL.Text),
  dapp_canisters: vec(Canister),
  swap_parameters: opt(SwapParameters),
  initial_token_distribution: opt(InitialTokenDistribution)
});

export const ExecuteNnsFunction = IDL.Record({ nns_function: IDL.Int32, payload: IDL.Vec(IDL.Nat8) });

const NodeProvider = IDL.Record({ id: opt(IDL.Principal), reward_account: opt(AccountIdentifier) });
const RewardMode = IDL.Variant({
  RewardToNeuron: IDL.Record({ dissolve_delay_seconds: IDL.Nat64 }),
  RewardToAccount: IDL.Record({ to_account: opt(AccountIdentifier) })
});
const RewardNodeProvider = IDL.Record({ node_provider: opt(NodeProvider), reward_mode: opt(RewardMode), amount_e8s: IDL.Nat64 });
const NeuronBasketConstructionParameters_1 = IDL.Record({ dissolve_delay_interval_seconds: IDL.Nat64, count: IDL.Nat64 });
const Params = IDL.Record({
  min_participant_icp_e8s: IDL.Nat64,
  neuron_basket_construction_parameters: opt(NeuronBasketConstructionParameters_1),
  max_icp_e8s: IDL.Nat64,
  swap_due_timestamp_seconds: IDL.Nat64,
  min_participants: IDL.Nat32,
  sns_token_e8s: IDL.Nat64,
  sale_delay_seconds: opt(IDL.Nat64),
  max_participant_icp_e8s: IDL.Nat64,
  min_direct_participation_icp_e8s: opt(IDL.Nat64),
  min_icp_e8s: IDL.Nat64,
  max_direct_participation_icp_e8s: opt(IDL.Nat64)
});
const OpenSnsTokenSwap = IDL.Record({
  community_fund_investment_e8s: opt(IDL.Nat64),
  target_swap_canister_id: opt(IDL.Principal),
  params: opt(Params)
});
const TimeWindow = IDL.Record({ start_timestamp_seconds: IDL.Nat64, end_timestamp_seconds: IDL.Nat64 });
const SetSnsTokenSwapOpenTimeWindow = IDL.Record({
  request: opt(IDL.Record({ open_time_window: opt(TimeWindow) })),
  swap_canister_id: opt(IDL.Principal)
});
const Followees = IDL.Record({ followees: vec(NeuronId) });
const SetDefaultFollowees = IDL.Record({ default_followees: vec(IDL.Tuple(IDL.Int32, Followees)) });
const RewardNodeProviders = IDL.Record({ use_registry_derived_rewards: opt(IDL.Bool), rewards: vec(RewardNodeProvider) });
const Decimal = IDL.Record({ human_readable: opt(IDL.Text) });
const NeuronsFundEconomics = IDL.Record({
  maximum_icp_xdr_rate: opt(Percentage),
  neurons_fund_matched_funding_curve_coefficients: opt(
    IDL.Record({
      contribution_threshold_xdr: opt(Decimal),
      one_third_participation_milestone_xdr: opt(Decimal),
      full_participation_milestone_xdr: opt(Decimal)
    })
  ),
  max_theoretical_neurons_fund_participation_amount_xdr: opt(Decimal),
  minimum_icp_xdr_rate: opt(Percentage)
});
const VotingPowerEconomics = IDL.Record({
  start_reducing_voting_power_after_seconds: opt(IDL.Nat64),
  clear_following_after_seconds: opt(IDL.Nat64),
  neuron_minimum_dissolve_delay_to_vote_seconds: opt(IDL.Nat64)
});
const NetworkEconomics = IDL.Record({
  neuron_minimum_stake_e8s: IDL.Nat64,
  max_proposals_to_keep_per_topic: IDL.Nat32,
  neuron_management_fee_per_proposal_e8s: IDL.Nat64,
  reject_cost_e8s: IDL.Nat64,
  transaction_fee_e8s: IDL.Nat64,
  neuron_spawn_dissolve_delay_seconds: IDL.Nat64,
  minimum_icp_xdr_rate: IDL.Nat64,
  maximum_node_provider_rewards_e8s: IDL.Nat64,
  neurons_fund_economics: opt(NeuronsFundEconomics),
  voting_power_economics: opt(VotingPowerEconomics)
});
const Principals = IDL.Record({ principals: vec(IDL.Principal) });
const AddOrRemoveNodeProvider = IDL.Record({ change: opt(IDL.Variant({ ToRemove: NodeProvider, ToAdd: NodeProvider })) });
export const Motion = IDL.Record({ motion_text: IDL.Text });

// Proposal -> Action -> ManageNeuron -> Command -> MakeProposal : Proposal is recursive.
export const Proposal = IDL.Rec();
const Command = IDL.Variant({
  Spawn,
  Split,
  Follow,
  ClaimOrRefresh,
  Configure,
  RegisterVote,
  Merge,
  DisburseToNeuron,
  MakeProposal: Proposal,
  StakeMaturity,
  MergeMaturity,
  Disburse,
  RefreshVotingPower: empty,
  DisburseMaturity
});
const ManageNeuron = IDL.Record({ id: opt(NeuronId), command: opt(Command), neuron_id_or_subaccount: opt(NeuronIdOrSubaccount) });

/**
 * The SEV recovery proposal (read by alternative.ts). Inner measurement fields are all read as
 * opt (inferred from governance's protobuf-derived types; Candid's opt rule also accepts the
 * non-opt shapes).
 */
export const BlessAlternativeGuestOsVersion = IDL.Record({
  rootfs_hash: opt(IDL.Text),
  chip_ids: opt(vec(IDL.Vec(IDL.Nat8))),
  base_guest_launch_measurements: opt(
    IDL.Record({
      guest_launch_measurements: opt(
        vec(IDL.Record({ measurement: opt(IDL.Vec(IDL.Nat8)), metadata: opt(IDL.Record({ kernel_cmdline: opt(IDL.Text) })) }))
      )
    })
  )
});

export const Action = IDL.Variant({
  RegisterKnownNeuron: KnownNeuron,
  ManageNeuron,
  UpdateCanisterSettings,
  InstallCode,
  StopOrStartCanister,
  CreateServiceNervousSystem,
  ExecuteNnsFunction,
  RewardNodeProvider,
  OpenSnsTokenSwap,
  SetSnsTokenSwapOpenTimeWindow,
  SetDefaultFollowees,
  RewardNodeProviders,
  ManageNetworkEconomics: NetworkEconomics,
  ApproveGenesisKyc: Principals,
  AddOrRemoveNodeProvider,
  Motion,
  BlessAlternativeGuestOsVersion
});
Proposal.fill(IDL.Record({ url: IDL.Text, title: opt(IDL.Text), action: opt(Action), summary: IDL.Text }));

export const ProposalInfo = IDL.Record({
  id: opt(ProposalId),
  status: IDL.Int32,
  topic: IDL.Int32,
  failure_reason: opt(GovernanceError),
  ballots: vec(IDL.Tuple(IDL.Nat64, Ballot)),
  proposal_timestamp_seconds: IDL.Nat64,
  reward_event_round: IDL.Nat64,
  deadline_timestamp_seconds: opt(IDL.Nat64),
  failed_timestamp_seconds: IDL.Nat64,
  reject_cost_e8s: IDL.Nat64,
  derived_proposal_information: opt(DerivedProposalInformation),
  latest_tally: opt(Tally),
  reward_status: IDL.Int32,
  decided_timestamp_seconds: IDL.Nat64,
  proposal: opt(Proposal),
  proposer: opt(NeuronId),
  executed_timestamp_seconds: IDL.Nat64,
  total_potential_voting_power: opt(IDL.Nat64)
});

export const ListProposalInfo = IDL.Record({
  include_reward_status: vec(IDL.Int32),
  omit_large_fields: opt(IDL.Bool),
  before_proposal: opt(ProposalId),
  limit: IDL.Nat32,
  exclude_topic: vec(IDL.Int32),
  include_all_manage_neuron_proposals: opt(IDL.Bool),
  include_status: vec(IDL.Int32)
});
export const ListProposalInfoResponse = IDL.Record({ proposal_info: vec(ProposalInfo) });

/** The two governance queries this project uses, with the real signatures. */
export const governanceIdlFactory: IDL.InterfaceFactory = ({ IDL: I }) =>
  I.Service({
    get_proposal_info: I.Func([I.Nat64], [I.Opt(ProposalInfo)], ['query']),
    list_proposals: I.Func([ListProposalInfo], [ListProposalInfoResponse], ['query'])
  });

// --- TypeScript shapes of the decoded values (only what our code reads is typed closely) -----

export type Opt<T> = [] | [T];

export interface ExecuteNnsFunctionValue {
  nns_function: number;
  payload: Uint8Array | number[];
}

/** A decoded Action: exactly one key. Cases other than ExecuteNnsFunction and Motion are opaque here. */
export type ActionValue =
  | { ExecuteNnsFunction: ExecuteNnsFunctionValue }
  | { Motion: { motion_text: string } }
  | { [otherCase: string]: unknown };

export interface ProposalValue {
  url: string;
  title: Opt<string>;
  action: Opt<ActionValue>;
  summary: string;
}

export interface ProposalInfoValue {
  id: Opt<{ id: bigint }>;
  status: number;
  topic: number;
  failure_reason: Opt<{ error_message: string; error_type: number }>;
  ballots: Array<[bigint, { vote: number; voting_power: bigint }]>;
  proposal_timestamp_seconds: bigint;
  reward_event_round: bigint;
  deadline_timestamp_seconds: Opt<bigint>;
  failed_timestamp_seconds: bigint;
  reject_cost_e8s: bigint;
  derived_proposal_information: Opt<unknown>;
  latest_tally: Opt<{ no: bigint; yes: bigint; total: bigint; timestamp_seconds: bigint }>;
  reward_status: number;
  decided_timestamp_seconds: bigint;
  proposal: Opt<ProposalValue>;
  proposer: Opt<{ id: bigint }>;
  executed_timestamp_seconds: bigint;
  total_potential_voting_power: Opt<bigint>;
}

export interface ListProposalInfoValue {
  include_reward_status: number[];
  omit_large_fields: Opt<boolean>;
  before_proposal: Opt<{ id: bigint }>;
  limit: number;
  exclude_topic: number[];
  include_all_manage_neuron_proposals: Opt<boolean>;
  include_status: number[];
}

export interface ListProposalInfoResponseValue {
  proposal_info: ProposalInfoValue[];
}

/** Same names as the Candid types, for callers that read the brief's `ProposalInfo`. */
export type ProposalInfo = ProposalInfoValue;
export type ListProposalInfo = ListProposalInfoValue;
export type ListProposalInfoResponse = ListProposalInfoResponseValue;
