/**
 * NNS numbering this project relies on: NNS function ids (`ExecuteNnsFunction.nns_function`),
 * proposal topics, proposal statuses. From the governance protobuf enums (dfinity/ic
 * rs/nns/governance/proto/ic_nns_governance/pb/v1/governance.proto).
 */

/** NNS function id -> current name. Ids are never reused; some were renamed (see aliases). */
export const NNS_FUNCTIONS: Readonly<Record<number, string>> = {
  0: 'Unspecified',
  1: 'CreateSubnet',
  2: 'AddNodeToSubnet',
  3: 'NnsCanisterInstall',
  4: 'NnsCanisterUpgrade',
  5: 'BlessReplicaVersion',
  6: 'RecoverSubnet',
  7: 'UpdateConfigOfSubnet',
  8: 'AssignNoid',
  9: 'NnsRootUpgrade',
  10: 'IcpXdrConversionRate',
  11: 'DeployGuestosToAllSubnetNodes',
  12: 'ClearProvisionalWhitelist',
  13: 'RemoveNodesFromSubnet',
  14: 'SetAuthorizedSubnetworks',
  15: 'SetFirewallConfig',
  16: 'UpdateNodeOperatorConfig',
  17: 'StopOrStartNnsCanister',
  18: 'RemoveNodes',
  19: 'UninstallCode',
  20: 'UpdateNodeRewardsTable',
  21: 'AddOrRemoveDataCenters',
  22: 'UpdateUnassignedNodesConfig',
  23: 'RemoveNodeOperators',
  24: 'RerouteCanisterRanges',
  25: 'AddFirewallRules',
  26: 'RemoveFirewallRules',
  27: 'UpdateFirewallRules',
  28: 'PrepareCanisterMigration',
  29: 'CompleteCanisterMigration',
  30: 'AddSnsWasm',
  31: 'ChangeSubnetMembership',
  32: 'UpdateSubnetType',
  33: 'ChangeSubnetTypeAssignment',
  34: 'UpdateSnsWasmSnsSubnetIds',
  35: 'UpdateAllowedPrincipals',
  36: 'RetireReplicaVersion',
  37: 'InsertSnsWasmUpgradePathEntries',
  38: 'ReviseElectedGuestosVersions',
  39: 'BitcoinSetConfig',
  40: 'UpdateElectedHostosVersions',
  41: 'UpdateNodesHostosVersion',
  42: 'HardResetNnsRootToVersion',
  43: 'AddApiBoundaryNodes',
  44: 'RemoveApiBoundaryNodes',
  46: 'UpdateApiBoundaryNodesVersion',
  47: 'DeployGuestosToSomeApiBoundaryNodes',
  48: 'DeployGuestosToAllUnassignedNodes',
  49: 'UpdateSshReadonlyAccessForAllUnassignedNodes',
  50: 'ReviseElectedHostosVersions',
  51: 'DeployHostosToSomeNodes'
};

export const NNS_FUNCTION = {
  BlessReplicaVersion: 5,
  ReviseElectedGuestosVersions: 38,
  UpdateElectedHostosVersions: 40,
  ReviseElectedHostosVersions: 50
} as const;

/** Earlier names of renamed functions (the dashboard shows old proposals under either). */
export const NNS_FUNCTION_ALIASES: Readonly<Record<string, number>> = {
  UpdateElectedReplicaVersions: 38, // 2023-24 name of 38, same payload fields
  UpdateSubnetReplicaVersion: 11,
  UpdateNodesHostosVersion: 41
};

/** Which OS an NNS function elects, for the functions that elect an IC-OS version. */
export const ELECTING_FUNCTIONS: Readonly<Record<number, 'guestos' | 'hostos'>> = {
  5: 'guestos',
  38: 'guestos',
  40: 'hostos',
  50: 'hostos'
};

export function nnsFunctionName(id: number): string {
  return NNS_FUNCTIONS[id] ?? `NnsFunction${id}`;
}

/** Function id for a name (current or earlier), or undefined. */
export function nnsFunctionId(name: string): number | undefined {
  for (const [id, n] of Object.entries(NNS_FUNCTIONS)) if (n === name) return Number(id);
  return NNS_FUNCTION_ALIASES[name];
}

/** Topic ids. 13 is "IC OS version election" (formerly ReplicaVersionManagement). */
export const TOPIC = {
  Unspecified: 0,
  NeuronManagement: 1,
  ExchangeRate: 2,
  NetworkEconomics: 3,
  Governance: 4,
  NodeAdmin: 5,
  ParticipantManagement: 6,
  SubnetManagement: 7,
  NetworkCanisterManagement: 8,
  Kyc: 9,
  NodeProviderRewards: 10,
  SnsDecentralizationSale: 11,
  IcOsVersionDeployment: 12,
  IcOsVersionElection: 13,
  SnsAndCommunityFund: 14,
  ApiBoundaryNodeManagement: 15,
  SubnetRental: 16,
  ProtocolCanisterManagement: 17,
  ServiceNervousSystemManagement: 18
} as const;

export const IC_OS_ELECTION_TOPIC = TOPIC.IcOsVersionElection;
/** The dashboard's name for the same topic. */
export const IC_OS_ELECTION_TOPIC_NAME = 'TOPIC_IC_OS_VERSION_ELECTION';

/** ProposalStatus: 0 unknown, 1 open, 2 rejected, 3 adopted (accepted), 4 executed, 5 failed. */
export const PROPOSAL_STATUS = {
  unknown: 0,
  open: 1,
  rejected: 2,
  adopted: 3,
  executed: 4,
  failed: 5
} as const;

export type ProposalStatusName = keyof typeof PROPOSAL_STATUS;

export function proposalStatusName(status: number): ProposalStatusName {
  for (const [name, id] of Object.entries(PROPOSAL_STATUS)) if (id === status) return name as ProposalStatusName;
  return 'unknown';
}
