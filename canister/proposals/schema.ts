/**
 * What the canister keeps of NNS governance, each map on its own memory id (canister/store/
 * uses 0-9):
 *
 *   10 elections  u64::MAX − proposal (BE) → StoredElection (newest first)
 *   11 sync       0 → SyncConfig, 1 → SyncState (discovery position, recent errors)
 *   12 open       proposal (u64 BE)        → last read or attempt (ns): the open proposals to refresh, oldest first
 *
 * Values are ASCII JSON like the rest of the store.
 */
import type { Principal } from '@dfinity/principal';
import type { SyncConfig } from '../../protocol/service.js';
import { jsonValue, type Serializable } from '../store/codec.js';
import { principalFromText, principalText } from '../store/principals.js';

export const PROPOSALS_MEMORY = { elections: 10, sync: 11, open: 12 } as const;

export const SYNC_KEY = { config: 0, state: 1 } as const;

export interface StoredElection {
  proposal: bigint;
  title: string;
  status: string;
  elects: 'guestos' | 'hostos' | 'not-icos';
  action: string;
  commit: string | null;
  sha256: string | null;
  urls: string[];
  launchMeasurements: string[];
  unelect: string[];
  proposedAtSeconds: bigint;
  deadlineSeconds: bigint | null;
  fetchedAtNs: bigint;
  governance: Principal;
}

export interface StoredSyncError {
  proposal: bigint | null;
  kind: string;
  message: string;
  atNs: bigint;
}

export interface SyncState {
  lastTickAtNs: bigint | null;
  lastSuccessAtNs: bigint | null;
  /** Discovery has listed every IC-OS election up to here. */
  highWater: bigint | null;
  /** Discovery paging still to do: list before this id (down to highWater) on the next run. */
  resumeBefore: bigint | null;
  /** The newest id when that unfinished scan started: the next run may resume only if its first page reaches down to it. */
  scanTop: bigint | null;
  /** Newest first, at most MAX_ERRORS. */
  errors: StoredSyncError[];
}

export type SyncRecord = { config: SyncConfig } | { state: SyncState };

interface ElectionJson {
  proposal: string;
  title: string;
  status: string;
  elects: StoredElection['elects'];
  action: string;
  commit: string | null;
  sha256: string | null;
  urls: string[];
  launch_measurements: string[];
  unelect: string[];
  proposed_at_seconds: string;
  deadline_seconds: string | null;
  fetched_at_ns: string;
  governance: string;
}

const big = (s: string | null): bigint | null => (s === null ? null : BigInt(s));
const str = (n: bigint | null): string | null => (n === null ? null : n.toString());

export const electionValue: Serializable<StoredElection> = jsonValue<StoredElection, ElectionJson>(
  (e) => ({
    proposal: e.proposal.toString(),
    title: e.title,
    status: e.status,
    elects: e.elects,
    action: e.action,
    commit: e.commit,
    sha256: e.sha256,
    urls: e.urls,
    launch_measurements: e.launchMeasurements,
    unelect: e.unelect,
    proposed_at_seconds: e.proposedAtSeconds.toString(),
    deadline_seconds: str(e.deadlineSeconds),
    fetched_at_ns: e.fetchedAtNs.toString(),
    governance: principalText(e.governance)
  }),
  (j) => ({
    proposal: BigInt(j.proposal),
    title: j.title,
    status: j.status,
    elects: j.elects,
    action: j.action,
    commit: j.commit,
    sha256: j.sha256,
    urls: j.urls,
    launchMeasurements: j.launch_measurements,
    unelect: j.unelect,
    proposedAtSeconds: BigInt(j.proposed_at_seconds),
    deadlineSeconds: big(j.deadline_seconds),
    fetchedAtNs: BigInt(j.fetched_at_ns),
    governance: principalFromText(j.governance)
  })
);

interface ErrorJson { proposal: string | null; kind: string; message: string; at_ns: string }
type SyncJson =
  | { config: { governance: string; interval_seconds: number } }
  | { state: { last_tick_at_ns: string | null; last_success_at_ns: string | null; high_water: string | null; resume_before: string | null; scan_top: string | null; errors: ErrorJson[] } };

export const syncValue: Serializable<SyncRecord> = jsonValue<SyncRecord, SyncJson>(
  (r) =>
    'config' in r
      ? { config: { governance: principalText(r.config.governance), interval_seconds: r.config.interval_seconds } }
      : {
          state: {
            last_tick_at_ns: str(r.state.lastTickAtNs),
            last_success_at_ns: str(r.state.lastSuccessAtNs),
            high_water: str(r.state.highWater),
            resume_before: str(r.state.resumeBefore),
            scan_top: str(r.state.scanTop),
            errors: r.state.errors.map((e) => ({ proposal: str(e.proposal), kind: e.kind, message: e.message, at_ns: e.atNs.toString() }))
          }
        },
  (j) =>
    'config' in j
      ? { config: { governance: principalFromText(j.config.governance), interval_seconds: j.config.interval_seconds } }
      : {
          state: {
            lastTickAtNs: big(j.state.last_tick_at_ns),
            lastSuccessAtNs: big(j.state.last_success_at_ns),
            highWater: big(j.state.high_water),
            resumeBefore: big(j.state.resume_before),
            scanTop: big(j.state.scan_top ?? null),
            errors: j.state.errors.map((e) => ({ proposal: big(e.proposal), kind: e.kind, message: e.message, atNs: BigInt(e.at_ns) }))
          }
        }
);
