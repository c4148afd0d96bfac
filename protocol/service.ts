/**
 * The Candid surface of the `attestations` canister: IDL types (shared by the canister's
 * decorators and by every client) and the matching TypeScript shapes. Pure: no Node APIs.
 *
 * This is a public, stable contract (documented in canister/attestations.did). Enumerations
 * that may grow (error kinds, verdicts, OS names) travel as `text` so that adding a value
 * never breaks an older client's decoding; their known values are listed below.
 */
import { IDL } from '@dfinity/candid';
import { CERTIFIED_METHODS, type CertifiedService } from './certified-idl.js';
import type { Principal } from '@dfinity/principal';

// ---------------------------------------------------------------- IDL types

/** DSSE envelope, field for field the JSON form (`payloadType` → `payload_type`). */
export const EnvelopeIdl = IDL.Record({
  payload_type: IDL.Text,
  payload: IDL.Text,
  signatures: IDL.Vec(IDL.Record({ keyid: IDL.Text, sig: IDL.Text }))
});

export const ServiceErrorIdl = IDL.Record({
  kind: IDL.Text,
  message: IDL.Text,
  field: IDL.Opt(IDL.Text)
});

export const SubmitResultIdl = IDL.Variant({ Ok: IDL.Nat64, Err: ServiceErrorIdl });
export const UnitResultIdl = IDL.Variant({ Ok: IDL.Null, Err: ServiceErrorIdl });

export const ReviewerProfileIdl = IDL.Record({
  name: IDL.Text,
  public_key: IDL.Vec(IDL.Nat8),
  contact: IDL.Opt(IDL.Text)
});

export const ReviewerIdl = IDL.Record({
  id: IDL.Principal,
  name: IDL.Text,
  contact: IDL.Opt(IDL.Text),
  public_key: IDL.Vec(IDL.Nat8),
  key_type: IDL.Text,
  endorsed: IDL.Bool,
  registered_at_ns: IDL.Nat64,
  updated_at_ns: IDL.Nat64,
  attestations: IDL.Nat64,
  name_collides: IDL.Bool
});

export const ReviewerResultIdl = IDL.Variant({ Ok: ReviewerIdl, Err: ServiceErrorIdl });

export const RevocationIdl = IDL.Record({ at_ns: IDL.Nat64, reason: IDL.Text });

export const AttestationIdl = IDL.Record({
  id: IDL.Nat64,
  proposal: IDL.Nat64,
  os: IDL.Text,
  reviewer: IDL.Principal,
  submitted_at_ns: IDL.Nat64,
  digest: IDL.Text,
  envelope: EnvelopeIdl,
  supersedes: IDL.Opt(IDL.Nat64),
  superseded_by: IDL.Opt(IDL.Nat64),
  revoked: IDL.Opt(RevocationIdl)
});

export const AttestationFilterIdl = IDL.Record({
  proposal: IDL.Opt(IDL.Nat64),
  os: IDL.Opt(IDL.Text),
  reviewer: IDL.Opt(IDL.Principal),
  include_revoked: IDL.Bool
});

export const AttestationPageIdl = IDL.Record({
  attestations: IDL.Vec(AttestationIdl),
  next_cursor: IDL.Opt(IDL.Nat64)
});

export const GroupMemberIdl = IDL.Record({
  reviewer: IDL.Principal,
  name: IDL.Text,
  endorsed: IDL.Bool,
  attestation_id: IDL.Nat64,
  claim_mismatch: IDL.Bool,
  name_collides: IDL.Bool
});

export const HashGroupIdl = IDL.Record({
  sha256: IDL.Text,
  matches_proposal: IDL.Opt(IDL.Bool),
  matches_cdn: IDL.Opt(IDL.Bool),
  members: IDL.Vec(GroupMemberIdl)
});

export const EnvironmentFactorIdl = IDL.Record({
  field: IDL.Text,
  reference: IDL.Vec(IDL.Text),
  divergent: IDL.Vec(IDL.Text),
  score: IDL.Float64,
  explanation: IDL.Text
});

export const ManifestDifferenceIdl = IDL.Record({ path: IDL.Text, change: IDL.Text });

export const DivergenceCauseIdl = IDL.Record({
  cause: IDL.Text,
  title: IDL.Text,
  reviewers: IDL.Vec(IDL.Text),
  evidence: IDL.Vec(IDL.Text),
  fix: IDL.Text,
  basis: IDL.Text
});

export const DivergenceHintIdl = IDL.Record({
  group_sha256: IDL.Text,
  reference_sha256: IDL.Text,
  reference_count: IDL.Nat32,
  divergent_count: IDL.Nat32,
  first_divergent: IDL.Opt(IDL.Text),
  manifest_note: IDL.Text,
  differing: IDL.Vec(ManifestDifferenceIdl),
  differing_total: IDL.Nat32,
  factors: IDL.Vec(EnvironmentFactorIdl),
  causes: IDL.Vec(DivergenceCauseIdl)
});

export const ArtifactReportIdl = IDL.Record({
  name: IDL.Text,
  proposal_sha256: IDL.Opt(IDL.Text),
  proposal_source: IDL.Text,
  cdn_sha256: IDL.Vec(IDL.Text),
  groups: IDL.Vec(HashGroupIdl),
  verdict: IDL.Text,
  endorsed_matching: IDL.Nat32,
  hints: IDL.Vec(DivergenceHintIdl),
  outcome: IDL.Text,
  endorsed_differing: IDL.Nat32,
  unverified_matching: IDL.Nat32,
  unverified_differing: IDL.Nat32
});

export const OsReportIdl = IDL.Record({
  os: IDL.Text,
  verdict: IDL.Text,
  quorum: IDL.Nat32,
  artifacts: IDL.Vec(ArtifactReportIdl),
  outcome: IDL.Text,
  endorsed_matching: IDL.Nat32,
  endorsed_differing: IDL.Nat32,
  unverified_matching: IDL.Nat32,
  unverified_differing: IDL.Nat32
});

/** A sync failure kept for display: which proposal (none for discovery), when, why. */
export const SyncErrorIdl = IDL.Record({
  proposal: IDL.Opt(IDL.Nat64),
  kind: IDL.Text,
  message: IDL.Text,
  at_ns: IDL.Nat64
});

/** An NNS proposal as the canister read it from governance (canister/proposals/). */
export const GovernanceProposalIdl = IDL.Record({
  proposal: IDL.Nat64,
  title: IDL.Text,
  status: IDL.Text,
  elects: IDL.Text,
  action: IDL.Text,
  commit: IDL.Opt(IDL.Text),
  sha256: IDL.Opt(IDL.Text),
  urls: IDL.Vec(IDL.Text),
  launch_measurements: IDL.Vec(IDL.Text),
  unelect: IDL.Vec(IDL.Text),
  proposed_at_seconds: IDL.Nat64,
  deadline_seconds: IDL.Opt(IDL.Nat64),
  fetched_at_ns: IDL.Nat64,
  governance: IDL.Principal,
  last_error: IDL.Opt(SyncErrorIdl)
});

export const GovernanceProposalResultIdl = IDL.Variant({ Ok: GovernanceProposalIdl, Err: ServiceErrorIdl });

/** What a proposal listing shows of the governance record. */
export const GovernanceSummaryIdl = IDL.Record({
  title: IDL.Text,
  status: IDL.Text,
  elects: IDL.Text,
  sha256: IDL.Opt(IDL.Text),
  deadline_seconds: IDL.Opt(IDL.Nat64)
});

export const SyncConfigIdl = IDL.Record({
  governance: IDL.Principal,
  interval_seconds: IDL.Nat32
});

export const SyncConfigResultIdl = IDL.Variant({ Ok: SyncConfigIdl, Err: ServiceErrorIdl });

export const SyncStatusIdl = IDL.Record({
  config: SyncConfigIdl,
  proposals: IDL.Nat64,
  open: IDL.Nat64,
  last_tick_at_ns: IDL.Opt(IDL.Nat64),
  last_success_at_ns: IDL.Opt(IDL.Nat64),
  discovered_through: IDL.Opt(IDL.Nat64),
  errors: IDL.Vec(SyncErrorIdl)
});

export const ProposalReportIdl = IDL.Record({
  proposal: IDL.Nat64,
  quorum: IDL.Nat32,
  attestations: IDL.Nat32,
  reviewers: IDL.Nat32,
  last_submitted_at_ns: IDL.Nat64,
  oses: IDL.Vec(OsReportIdl),
  governance: IDL.Opt(GovernanceProposalIdl)
});

export const OsVerdictIdl = IDL.Record({ os: IDL.Text, verdict: IDL.Text, outcome: IDL.Text });

export const ProposalSummaryIdl = IDL.Record({
  proposal: IDL.Nat64,
  attestations: IDL.Nat32,
  last_submitted_at_ns: IDL.Nat64,
  oses: IDL.Vec(OsVerdictIdl),
  governance: IDL.Opt(GovernanceSummaryIdl)
});

export const ProposalPageIdl = IDL.Record({
  proposals: IDL.Vec(ProposalSummaryIdl),
  next_cursor: IDL.Opt(IDL.Nat64)
});

export const ReviewerPageIdl = IDL.Record({
  reviewers: IDL.Vec(ReviewerIdl),
  next_cursor: IDL.Opt(IDL.Principal)
});

export const ConfigIdl = IDL.Record({
  quorum: IDL.Nat32,
  registration_open: IDL.Bool,
  max_envelope_bytes: IDL.Nat32,
  // opt, so that clients written before it still call set_config (null = leave as it is).
  max_submissions_per_proposal: IDL.Opt(IDL.Nat32)
});

export const ConfigResultIdl = IDL.Variant({ Ok: ConfigIdl, Err: ServiceErrorIdl });

export const StatsIdl = IDL.Record({
  attestations: IDL.Nat64,
  revoked: IDL.Nat64,
  reviewers: IDL.Nat64,
  endorsed_reviewers: IDL.Nat64,
  proposals: IDL.Nat64
});

export const VerifiedIdl = IDL.Record({
  signer: IDL.Text,
  proposal: IDL.Nat64,
  os: IDL.Text,
  digest: IDL.Text
});

export const VerifyResultIdl = IDL.Variant({ Ok: VerifiedIdl, Err: ServiceErrorIdl });

export const HeaderFieldIdl = IDL.Tuple(IDL.Text, IDL.Text);

export const HttpRequestIdl = IDL.Record({
  method: IDL.Text,
  url: IDL.Text,
  headers: IDL.Vec(HeaderFieldIdl),
  body: IDL.Vec(IDL.Nat8),
  certificate_version: IDL.Opt(IDL.Nat16)
});

export const HttpResponseIdl = IDL.Record({
  status_code: IDL.Nat16,
  headers: IDL.Vec(HeaderFieldIdl),
  body: IDL.Vec(IDL.Nat8)
});

/** Argument and result types of every method, in one place (the canister's decorators use them). */
export const METHODS = {
  endorse_reviewer: { args: [IDL.Principal, IDL.Bool], ret: UnitResultIdl, query: false },
  get_attestation: { args: [IDL.Nat64], ret: IDL.Opt(AttestationIdl), query: true },
  get_config: { args: [], ret: ConfigIdl, query: true },
  get_proposal: { args: [IDL.Nat64], ret: IDL.Opt(GovernanceProposalIdl), query: true },
  get_reviewer: { args: [IDL.Principal], ret: IDL.Opt(ReviewerIdl), query: true },
  http_request: { args: [HttpRequestIdl], ret: HttpResponseIdl, query: true },
  list_attestations: {
    args: [AttestationFilterIdl, IDL.Opt(IDL.Nat64), IDL.Nat32],
    ret: AttestationPageIdl,
    query: true
  },
  list_proposals: { args: [IDL.Opt(IDL.Nat64), IDL.Nat32], ret: ProposalPageIdl, query: true },
  list_reviewers: { args: [IDL.Opt(IDL.Principal), IDL.Nat32], ret: ReviewerPageIdl, query: true },
  proposal_report: { args: [IDL.Nat64], ret: IDL.Opt(ProposalReportIdl), query: true },
  register_reviewer: { args: [ReviewerProfileIdl], ret: ReviewerResultIdl, query: false },
  revoke_attestation: { args: [IDL.Nat64, IDL.Text], ret: UnitResultIdl, query: false },
  set_config: { args: [ConfigIdl], ret: ConfigResultIdl, query: false },
  set_sync_config: { args: [SyncConfigIdl], ret: SyncConfigResultIdl, query: false },
  stats: { args: [], ret: StatsIdl, query: true },
  submit_attestation: { args: [EnvelopeIdl], ret: SubmitResultIdl, query: false },
  sync_proposal: { args: [IDL.Nat64], ret: GovernanceProposalResultIdl, query: false },
  sync_status: { args: [], ret: SyncStatusIdl, query: true },
  verify_envelope: {
    args: [EnvelopeIdl, IDL.Vec(IDL.Nat8), IDL.Opt(IDL.Nat64)],
    ret: VerifyResultIdl,
    query: true
  },
  ...CERTIFIED_METHODS
} as const;

export type MethodName = keyof typeof METHODS;

/** The IDL factory @dfinity/agent's `Actor.createActor` expects. */
export const idlFactory: IDL.InterfaceFactory = ({ IDL: idl }) =>
  idl.Service(
    Object.fromEntries(
      Object.entries(METHODS).map(([name, m]) => [
        name,
        idl.Func([...m.args], [m.ret], m.query ? ['query'] : [])
      ])
    )
  );

// ---------------------------------------------------------------- TypeScript shapes

export type Opt<T> = [] | [T];

/** Error kinds the canister itself returns; protocol validation kinds pass through unchanged. */
export const ERROR_KINDS = [
  'anonymous',
  'not-registered',
  'registration-closed',
  'key-mismatch',
  'invalid-profile',
  'invalid-argument',
  'oversized',
  'malformed-argument',
  'bad-supersedes',
  'not-found',
  'not-author',
  'already-revoked',
  'not-controller',
  'invalid-config',
  // sync_proposal (canister/proposals/)
  'governance-unreachable',
  'governance-rejected',
  'bad-response',
  'bad-payload',
  'busy'
] as const;

export interface ServiceError {
  kind: string;
  message: string;
  field: Opt<string>;
}

export type Result<T> = { Ok: T } | { Err: ServiceError };

export interface CandidEnvelope {
  payload_type: string;
  payload: string;
  signatures: { keyid: string; sig: string }[];
}

export interface ReviewerProfile {
  name: string;
  public_key: Uint8Array | number[];
  contact: Opt<string>;
}

export interface Reviewer {
  /** The reviewer's principal (self-authenticating, derived from public_key). */
  id: Principal;
  name: string;
  contact: Opt<string>;
  public_key: Uint8Array | number[];
  /** `ed25519` or `secp256k1`. */
  key_type: string;
  endorsed: boolean;
  registered_at_ns: bigint;
  updated_at_ns: bigint;
  attestations: bigint;
  /** Another registered reviewer's name is the same after case folding (protocol/names.ts): show the principal. */
  name_collides: boolean;
}

export interface Revocation {
  at_ns: bigint;
  reason: string;
}

export interface Attestation {
  id: bigint;
  proposal: bigint;
  os: string;
  reviewer: Principal;
  submitted_at_ns: bigint;
  /** Hex sha256 identifying the signed statement (from protocol's verifyEnvelope). */
  digest: string;
  envelope: CandidEnvelope;
  supersedes: Opt<bigint>;
  superseded_by: Opt<bigint>;
  revoked: Opt<Revocation>;
}

export interface AttestationFilter {
  proposal: Opt<bigint>;
  os: Opt<string>;
  reviewer: Opt<Principal>;
  include_revoked: boolean;
}

export interface AttestationPage {
  attestations: Attestation[];
  next_cursor: Opt<bigint>;
}

export interface GroupMember {
  reviewer: Principal;
  name: string;
  endorsed: boolean;
  attestation_id: bigint;
  claim_mismatch: boolean;
  /** The member's name is shared with another reviewer after case folding: show the principal. */
  name_collides: boolean;
}

export interface HashGroup {
  sha256: string;
  /** Absent when there is no proposal hash (SetupOS). */
  matches_proposal: Opt<boolean>;
  /** Absent when no CDN hash was reported. */
  matches_cdn: Opt<boolean>;
  members: GroupMember[];
}

/** An environment field whose values set a divergent group apart from the reference group. */
export interface EnvironmentFactor {
  /** Dotted statement field, e.g. `environment.tempDirs.tmpfs`. */
  field: string;
  /** Distinct values in each group, most common first. */
  reference: string[];
  divergent: string[];
  /** 0..1; 1 = the value cleanly separates the groups. */
  score: number;
  /** The known cause this factor points to, for people. */
  explanation: string;
}

/** A catalogued cause (protocol/causes.ts) found for some members of a divergent group. */
export interface DivergenceCause {
  /** Catalogue id, e.g. `tmpfs-off`, `script-not-at-commit`. */
  cause: string;
  title: string;
  /** The reviewers it concerns, by name (principal when unnamed). */
  reviewers: string[];
  evidence: string[];
  fix: string;
  /** `fact` (their own attestation says so) or `comparison` (inferred against the reference builds). */
  basis: string;
}

export interface ManifestDifference {
  /** Display path inside the artifact, e.g. `update-img.tar.zst › root.img`. */
  path: string;
  /** `added`, `removed` or `changed`. */
  change: string;
}

/** Why one group's builds differ from the reference group's (protocol/diagnosis.ts). */
export interface DivergenceHint {
  group_sha256: string;
  /** The group compared with: the one matching the proposal/CDN, else the largest. */
  reference_sha256: string;
  reference_count: number;
  divergent_count: number;
  /** First divergent component inside the artifact, when both groups carry manifests. */
  first_divergent: Opt<string>;
  manifest_note: string;
  /** At most MAX_DIFFERING entries; `differing_total` counts them all. */
  differing: ManifestDifference[];
  differing_total: number;
  factors: EnvironmentFactor[];
  causes: DivergenceCause[];
}

export interface ArtifactReport {
  name: string;
  proposal_sha256: Opt<string>;
  proposal_source: string;
  cdn_sha256: string[];
  groups: HashGroup[];
  /** `reproduced`, `diverged` or `pending`. */
  verdict: string;
  endorsed_matching: number;
  hints: DivergenceHint[];
  /** `reproduced`, `contested`, `diverged` or `pending` (protocol/consensus.ts, Outcome). */
  outcome: string;
  endorsed_differing: number;
  unverified_matching: number;
  unverified_differing: number;
}

/** Per OS the four counts are of reviewers (matching: all their artifacts match; differing: any differs). */
export interface OsReport {
  os: string;
  verdict: string;
  quorum: number;
  artifacts: ArtifactReport[];
  outcome: string;
  endorsed_matching: number;
  endorsed_differing: number;
  unverified_matching: number;
  unverified_differing: number;
}

export interface ProposalReport {
  proposal: bigint;
  quorum: number;
  attestations: number;
  reviewers: number;
  last_submitted_at_ns: bigint;
  oses: OsReport[];
  /** The proposal as read from NNS governance, when synced (optional only for reports built outside the canister). */
  governance?: Opt<GovernanceProposal>;
}

export interface OsVerdict {
  os: string;
  verdict: string;
  /** As in OsReport (listings materialised before outcomes existed read it from `verdict`). */
  outcome: string;
}

export interface ProposalSummary {
  proposal: bigint;
  attestations: number;
  last_submitted_at_ns: bigint;
  oses: OsVerdict[];
  /** Present when the proposal was synced from governance (optional only for summaries built outside the canister). */
  governance?: Opt<GovernanceSummary>;
}

export interface SyncError {
  /** The proposal the failed call was about; none for discovery (list_proposals). */
  proposal: Opt<bigint>;
  /** `governance-unreachable`, `governance-rejected`, `not-found`, `bad-response`, `bad-payload`. */
  kind: string;
  message: string;
  at_ns: bigint;
}

/** One NNS proposal as read from governance `get_proposal_info` / `list_proposals`. */
export interface GovernanceProposal {
  proposal: bigint;
  title: string;
  /** `open`, `rejected`, `adopted`, `executed`, `failed` or `unknown`. */
  status: string;
  /** `guestos`, `hostos`, or `not-icos` (elects no IC-OS version: not applicable). */
  elects: string;
  /** NNS function name (e.g. `ReviseElectedGuestosVersions`) or the Action case. */
  action: string;
  commit: Opt<string>;
  /** The elected release package sha256 (lowercase hex): THE proposal hash in reports. */
  sha256: Opt<string>;
  urls: string[];
  /** GuestOS launch measurements, lowercase hex. */
  launch_measurements: string[];
  unelect: string[];
  proposed_at_seconds: bigint;
  deadline_seconds: Opt<bigint>;
  /** When the canister last read it successfully. */
  fetched_at_ns: bigint;
  /** The governance canister it was read from. */
  governance: Principal;
  /** The latest failed refresh since fetched_at_ns (the stored fields are left as they were). */
  last_error: Opt<SyncError>;
}

export interface GovernanceSummary {
  title: string;
  status: string;
  elects: string;
  sha256: Opt<string>;
  deadline_seconds: Opt<bigint>;
}

export interface SyncConfig {
  /** NNS governance canister (mainnet: rrkah-fqaaa-aaaaa-aaaaq-cai). */
  governance: Principal;
  /** Seconds between discovery/refresh runs; 0 = no timer (sync_proposal still works). */
  interval_seconds: number;
}

export interface SyncStatus {
  config: SyncConfig;
  /** Proposals stored from governance (IC-OS elections and not-applicable ones). */
  proposals: bigint;
  /** Of those, still open. */
  open: bigint;
  last_tick_at_ns: Opt<bigint>;
  last_success_at_ns: Opt<bigint>;
  /** Discovery has seen every IC-OS election up to this id. */
  discovered_through: Opt<bigint>;
  /** Recent failures, newest first (at most 20). */
  errors: SyncError[];
}

export interface ProposalPage {
  proposals: ProposalSummary[];
  next_cursor: Opt<bigint>;
}

export interface ReviewerPage {
  reviewers: Reviewer[];
  next_cursor: Opt<Principal>;
}

export interface Config {
  quorum: number;
  registration_open: boolean;
  max_envelope_bytes: number;
  /** Attestations one reviewer may submit for one proposal (get_config: always set; set_config: [] keeps it). */
  max_submissions_per_proposal: Opt<number>;
}

export interface Stats {
  attestations: bigint;
  revoked: bigint;
  reviewers: bigint;
  endorsed_reviewers: bigint;
  proposals: bigint;
}

export interface Verified {
  /** Textual principal of the signing key (= the signature's keyid). */
  signer: string;
  proposal: bigint;
  os: string;
  digest: string;
}

export interface HttpRequest {
  method: string;
  url: string;
  headers: [string, string][];
  body: Uint8Array | number[];
  certificate_version: Opt<number>;
}

export interface HttpResponse {
  status_code: number;
  headers: [string, string][];
  body: Uint8Array | number[];
}

/** The actor @dfinity/agent builds from `idlFactory`. */
export interface AttestationsService extends CertifiedService {
  endorse_reviewer(reviewer: Principal, endorsed: boolean): Promise<Result<null>>;
  get_attestation(id: bigint): Promise<Opt<Attestation>>;
  get_config(): Promise<Config>;
  get_proposal(proposal: bigint): Promise<Opt<GovernanceProposal>>;
  get_reviewer(reviewer: Principal): Promise<Opt<Reviewer>>;
  http_request(request: HttpRequest): Promise<HttpResponse>;
  list_attestations(filter: AttestationFilter, cursor: Opt<bigint>, limit: number): Promise<AttestationPage>;
  list_proposals(cursor: Opt<bigint>, limit: number): Promise<ProposalPage>;
  list_reviewers(cursor: Opt<Principal>, limit: number): Promise<ReviewerPage>;
  proposal_report(proposal: bigint): Promise<Opt<ProposalReport>>;
  register_reviewer(profile: ReviewerProfile): Promise<Result<Reviewer>>;
  revoke_attestation(id: bigint, reason: string): Promise<Result<null>>;
  set_config(config: Config): Promise<Result<Config>>;
  set_sync_config(config: SyncConfig): Promise<Result<SyncConfig>>;
  stats(): Promise<Stats>;
  submit_attestation(envelope: CandidEnvelope): Promise<Result<bigint>>;
  sync_proposal(proposal: bigint): Promise<Result<GovernanceProposal>>;
  sync_status(): Promise<SyncStatus>;
  verify_envelope(envelope: CandidEnvelope, publicKeyDer: Uint8Array | number[], expectedProposal: Opt<bigint>): Promise<Result<Verified>>;
}

/** DSSE JSON envelope ↔ Candid record (lossless both ways). */
export function toCandidEnvelope(e: { payloadType: string; payload: string; signatures: { keyid: string; sig: string }[] }): CandidEnvelope {
  return {
    payload_type: e.payloadType,
    payload: e.payload,
    signatures: e.signatures.map((s) => ({ keyid: s.keyid, sig: s.sig }))
  };
}

export function fromCandidEnvelope(e: CandidEnvelope): { payloadType: string; payload: string; signatures: { keyid: string; sig: string }[] } {
  return {
    payloadType: e.payload_type,
    payload: e.payload,
    signatures: e.signatures.map((s) => ({ keyid: s.keyid, sig: s.sig }))
  };
}
