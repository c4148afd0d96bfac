/**
 * The governance maps (schema.ts), opened once per instance. Reports reach them through
 * `elections()` because the attestation code that refreshes cached verdicts takes only the
 * attestation Store.
 */
import { StableBTreeMap } from 'azle';
import { Principal } from '@dfinity/principal';
import type { OsName } from '../../protocol/types.js';
import type { GovernanceProposal, GovernanceSummary, Opt, SyncConfig, SyncError, SyncStatus } from '../../protocol/service.js';
import { u64DescKey, u64Key, u64Value, u8Key } from '../store/codec.js';
import { electionValue, PROPOSALS_MEMORY, SYNC_KEY, syncValue, type StoredElection, type StoredSyncError, type SyncRecord, type SyncState } from './schema.js';

export interface Elections {
  elections: StableBTreeMap<bigint, StoredElection>;
  sync: StableBTreeMap<number, SyncRecord>;
  open: StableBTreeMap<bigint, bigint>;
}

/** NNS governance on mainnet. */
export const MAINNET_GOVERNANCE = 'rrkah-fqaaa-aaaaa-aaaaq-cai';
/** Proposals are open for 4 days or more; ten minutes keeps "needs reviewers" current. */
export const DEFAULT_INTERVAL_SECONDS = 600;
export const MIN_INTERVAL_SECONDS = 10;
export const MAX_INTERVAL_SECONDS = 7 * 24 * 3600;
/** Failures kept for sync_status (and get_proposal's last_error). */
export const MAX_ERRORS = 20;

let opened: Elections | null = null;

export function elections(): Elections {
  opened ??= {
    elections: new StableBTreeMap(PROPOSALS_MEMORY.elections, u64DescKey, electionValue),
    sync: new StableBTreeMap(PROPOSALS_MEMORY.sync, u8Key, syncValue),
    open: new StableBTreeMap(PROPOSALS_MEMORY.open, u64Key, u64Value)
  };
  return opened;
}

export function getSyncConfig(e: Elections): SyncConfig {
  const r = e.sync.get(SYNC_KEY.config);
  return r !== undefined && 'config' in r ? r.config : { governance: Principal.fromText(MAINNET_GOVERNANCE), interval_seconds: DEFAULT_INTERVAL_SECONDS };
}

export function putSyncConfig(e: Elections, c: SyncConfig): void {
  e.sync.insert(SYNC_KEY.config, { config: { governance: c.governance, interval_seconds: c.interval_seconds } });
}

export function getSyncState(e: Elections): SyncState {
  const r = e.sync.get(SYNC_KEY.state);
  return r !== undefined && 'state' in r ? r.state : { lastTickAtNs: null, lastSuccessAtNs: null, highWater: null, resumeBefore: null, scanTop: null, errors: [] };
}

export function putSyncState(e: Elections, s: SyncState): void {
  e.sync.insert(SYNC_KEY.state, { state: s });
}

/** Keeps a failure for display; stored proposals are not touched. */
export function recordError(e: Elections, error: StoredSyncError): void {
  const s = getSyncState(e);
  putSyncState(e, { ...s, errors: [error, ...s.errors].slice(0, MAX_ERRORS) });
}

export function getElection(e: Elections, proposal: bigint): StoredElection | undefined {
  return e.elections.get(proposal);
}

/** Stores the record and keeps the open index in step. */
export function putElection(e: Elections, record: StoredElection): void {
  e.elections.insert(record.proposal, record);
  if (record.status === 'open') e.open.insert(record.proposal, record.fetchedAtNs);
  else if (e.open.containsKey(record.proposal)) e.open.remove(record.proposal);
}

/**
 * The elected hash per OS for computeConsensus, or undefined when the proposal was never synced.
 * Every OS the proposal does not elect maps to null: there is no proposal hash for it, so a
 * reviewer's claimed hash is flagged instead of being taken as the proposal's.
 */
export function electedOf(proposal: bigint): Partial<Record<OsName, string | null>> | undefined {
  const record = elections().elections.get(proposal);
  if (record === undefined) return undefined;
  const elected: Partial<Record<OsName, string | null>> = { guestos: null, hostos: null, setupos: null, recovery: null };
  if (record.elects !== 'not-icos') elected[record.elects] = record.sha256;
  return elected;
}

const opt = <T>(v: T | null): Opt<T> => (v === null ? [] : [v]);

function toSyncError(x: StoredSyncError): SyncError {
  return { proposal: opt(x.proposal), kind: x.kind, message: x.message, at_ns: x.atNs };
}

export function toGovernanceProposal(e: Elections, r: StoredElection): GovernanceProposal {
  const failed = getSyncState(e).errors.find((x) => x.proposal === r.proposal && x.atNs > r.fetchedAtNs);
  return {
    proposal: r.proposal,
    title: r.title,
    status: r.status,
    elects: r.elects,
    action: r.action,
    commit: opt(r.commit),
    sha256: opt(r.sha256),
    urls: r.urls,
    launch_measurements: r.launchMeasurements,
    unelect: r.unelect,
    proposed_at_seconds: r.proposedAtSeconds,
    deadline_seconds: opt(r.deadlineSeconds),
    fetched_at_ns: r.fetchedAtNs,
    governance: r.governance,
    last_error: failed === undefined ? [] : [toSyncError(failed)]
  };
}

export function toGovernanceSummary(r: StoredElection): GovernanceSummary {
  return { title: r.title, status: r.status, elects: r.elects, sha256: opt(r.sha256), deadline_seconds: opt(r.deadlineSeconds) };
}

export function getProposal(proposal: bigint): Opt<GovernanceProposal> {
  const e = elections();
  const r = e.elections.get(proposal);
  return r === undefined ? [] : [toGovernanceProposal(e, r)];
}

export function syncStatus(): SyncStatus {
  const e = elections();
  const s = getSyncState(e);
  return {
    config: getSyncConfig(e),
    proposals: BigInt(e.elections.len()),
    open: BigInt(e.open.len()),
    last_tick_at_ns: opt(s.lastTickAtNs),
    last_success_at_ns: opt(s.lastSuccessAtNs),
    discovered_through: opt(s.highWater),
    errors: s.errors.map(toSyncError)
  };
}

/** Open synced proposals, ascending by id (a handful: IC-OS elections open at once). */
export function openProposalIds(e: Elections): bigint[] {
  return e.open.keys();
}
