/**
 * Learning IC-OS election proposals from NNS governance: `sync_proposal` (one proposal, anyone)
 * and the timer's run (discovery with `list_proposals`, then refreshing open proposals). Every
 * path ends the same way: a decoded record is stored (and cached verdicts recomputed when the
 * record's content changed: a log entry and a fresh report), or the failure is kept in the sync state and nothing stored changes.
 */
import { Principal } from '@dfinity/principal';
import { isProposalError } from '../../protocol/nns/errors.js';
import type { ProposalInfoValue } from '../../protocol/nns/governance_idl.js';
import { icOsElectionListRequest, isIcOsElectionInfo } from '../../protocol/nns/list.js';
import { decodeElectionProposal } from '../../protocol/nns/proposal.js';
import type { GovernanceProposal, Result, SyncConfig } from '../../protocol/service.js';
import { canonicalJson } from '../../protocol/canonical.js';
import { electionChanged } from '../changes.js';
import { err, okv } from '../store/errors.js';
import type { Store } from '../store/store.js';
import { type Fetched, type GovernanceFailure } from './failures.js';
import { fetchProposalInfo, fetchProposalPage } from './governance.js';
import type { StoredElection } from './schema.js';
import {
  elections,
  getElection,
  getSyncConfig,
  getSyncState,
  MAX_INTERVAL_SECONDS,
  MIN_INTERVAL_SECONDS,
  putElection,
  putSyncConfig,
  putSyncState,
  recordError,
  toGovernanceProposal,
  type Elections
} from './store.js';

/** Proposals per `list_proposals` page: replies stay small (each carries its payload). */
export const DISCOVERY_PAGE = 20;
/** `list_proposals` calls per timer run. */
export const MAX_PAGES_PER_RUN = 3;
/** `get_proposal_info` calls per timer run, for open proposals discovery did not see. */
export const MAX_REFRESH_PER_RUN = 3;

/** The proposal as this canister stores it, or why it cannot be read. */
export function recordOf(info: ProposalInfoValue, governance: Principal, nowNs: bigint): Fetched<StoredElection> {
  try {
    const p = decodeElectionProposal(info);
    return {
      ok: true,
      value: {
        proposal: BigInt(p.id),
        title: p.title,
        status: p.status,
        elects: p.elects,
        action: p.action,
        commit: p.commit,
        sha256: p.sha256,
        urls: p.urls,
        launchMeasurements: p.launchMeasurements,
        unelect: p.unelect,
        // From the info's nat64 itself: the decoded numbers lose precision past 2^53 (and 2^64−1
        // rounds up to 2^64, which no nat64 can carry back out).
        proposedAtSeconds: info.proposal_timestamp_seconds,
        deadlineSeconds: info.deadline_timestamp_seconds.length === 1 ? info.deadline_timestamp_seconds[0] : null,
        fetchedAtNs: nowNs,
        governance
      }
    };
  } catch (e) {
    const kind = isProposalError(e) && e.kind === 'bad-payload' ? 'bad-payload' : 'bad-response';
    return { ok: false, error: { kind, message: (e instanceof Error ? e.message : String(e)).slice(0, 500) } };
  }
}

/** What governance says of a proposal, without when it was read: what the log records. */
export function electionContent(r: StoredElection): Record<string, unknown> {
  return {
    proposal: r.proposal.toString(),
    title: r.title,
    status: r.status,
    elects: r.elects,
    action: r.action,
    commit: r.commit,
    sha256: r.sha256,
    urls: r.urls,
    launch_measurements: r.launchMeasurements,
    unelect: r.unelect,
    proposed_at_seconds: r.proposedAtSeconds.toString(),
    deadline_seconds: r.deadlineSeconds === null ? null : r.deadlineSeconds.toString(),
    governance: r.governance.toText()
  };
}

/**
 * Stores a freshly read record unless a read that started later already landed (calls
 * interleave). A record whose content changed is logged and the proposal's report refreshed.
 */
export function storeRecord(store: Store, e: Elections, record: StoredElection, startedAtNs: bigint): StoredElection {
  const existing = getElection(e, record.proposal);
  if (existing !== undefined && existing.fetchedAtNs > startedAtNs) return existing;
  putElection(e, record);
  const content = electionContent(record);
  if (existing === undefined || canonicalJson(electionContent(existing)) !== canonicalJson(content)) {
    electionChanged(store, record.proposal, content, record.fetchedAtNs);
  }
  return record;
}

function fail(e: Elections, proposal: bigint | null, error: GovernanceFailure, nowNs: bigint): void {
  recordError(e, { proposal, kind: error.kind, message: error.message, atNs: nowNs });
}

function succeeded(e: Elections, nowNs: bigint): void {
  putSyncState(e, { ...getSyncState(e), lastSuccessAtNs: nowNs });
}

/**
 * Calls to governance that sync_proposal (open to anyone) may have in flight at once, so
 * callers cannot make the canister spend without bound. Heap only; an entry older than
 * IN_FLIGHT_STALE_NS (its callback trapped) no longer counts.
 */
export const MAX_IN_FLIGHT = 10;
const IN_FLIGHT_STALE_NS = 5n * 60n * 1_000_000_000n;
let inFlight: bigint[] = [];

/** `sync_proposal`: one `get_proposal_info` call; idempotent (the same answer stores the same record). */
export async function syncProposal(store: Store, id: bigint, now: () => bigint): Promise<Result<GovernanceProposal>> {
  const e = elections();
  const governance = getSyncConfig(e).governance;
  const started = now();
  inFlight = inFlight.filter((t) => started - t < IN_FLIGHT_STALE_NS);
  if (inFlight.length >= MAX_IN_FLIGHT) return err('busy', `${inFlight.length} proposal syncs are waiting for governance; retry in a few seconds`);
  inFlight.push(started);
  let fetched: Fetched<ProposalInfoValue>;
  try {
    fetched = await fetchProposalInfo(governance, id);
  } finally {
    const i = inFlight.indexOf(started);
    if (i >= 0) inFlight.splice(i, 1);
  }
  const t = now();
  if (!fetched.ok) {
    fail(e, id, fetched.error, t);
    return err(fetched.error.kind, fetched.error.message);
  }
  const record = recordOf(fetched.value, governance, t);
  if (!record.ok) {
    fail(e, id, record.error, t);
    return err(record.error.kind, record.error.message);
  }
  if (record.value.proposal !== id) {
    const error: GovernanceFailure = { kind: 'bad-response', message: `asked governance ${governance.toText()} for proposal ${id}, it answered with proposal ${record.value.proposal}` };
    fail(e, id, error, t);
    return err(error.kind, error.message);
  }
  const stored = storeRecord(store, e, record.value, started);
  succeeded(e, t);
  return okv(toGovernanceProposal(e, stored));
}

export function validateSyncConfig(c: SyncConfig): Result<SyncConfig> {
  if (c.governance.isAnonymous()) return err('invalid-config', 'governance must be a canister id, not the anonymous principal', 'governance');
  if (c.interval_seconds !== 0 && (c.interval_seconds < MIN_INTERVAL_SECONDS || c.interval_seconds > MAX_INTERVAL_SECONDS)) {
    return err('invalid-config', `interval_seconds must be 0 (no timer) or between ${MIN_INTERVAL_SECONDS} and ${MAX_INTERVAL_SECONDS}, got ${c.interval_seconds}`, 'interval_seconds');
  }
  return okv(c);
}

/** `set_sync_config` (the caller checked the controller). A new governance restarts discovery. */
export function setSyncConfig(next: SyncConfig): Result<SyncConfig> {
  const checked = validateSyncConfig(next);
  if ('Err' in checked) return checked;
  const e = elections();
  const prev = getSyncConfig(e);
  const value: SyncConfig = { governance: Principal.fromUint8Array(next.governance.toUint8Array()), interval_seconds: next.interval_seconds };
  putSyncConfig(e, value);
  if (prev.governance.toText() !== value.governance.toText()) {
    putSyncState(e, { ...getSyncState(e), highWater: null, resumeBefore: null, scanTop: null });
  }
  return okv(value);
}

/** Stores every IC-OS election of a page; undecodable ones are recorded as errors. */
function storePage(store: Store, e: Elections, infos: ProposalInfoValue[], governance: Principal, started: bigint, t: bigint): boolean {
  let clean = true;
  for (const info of infos) {
    if (!isIcOsElectionInfo(info)) continue;
    const record = recordOf(info, governance, t);
    if (record.ok) storeRecord(store, e, record.value, started);
    else {
      clean = false;
      fail(e, info.id.length === 1 ? info.id[0].id : null, record.error, t);
    }
  }
  return clean;
}

/**
 * Discovery: the newest page of IC-OS elections, then older pages down to what earlier runs
 * saw (at most MAX_PAGES_PER_RUN pages; an unfinished scan resumes on the next run). The first
 * run ever reads one page: older proposals are synced on demand with sync_proposal.
 */
async function discover(store: Store, e: Elections, governance: Principal, now: () => bigint): Promise<boolean> {
  const start = getSyncState(e);
  let before: bigint | null = null;
  let top: bigint | null = null;
  let reached = false;
  for (let pages = 0; pages < MAX_PAGES_PER_RUN && !reached; pages++) {
    const started = now();
    const page = await fetchProposalPage(governance, icOsElectionListRequest({ limit: DISCOVERY_PAGE, ...(before === null ? {} : { before }) }));
    const t = now();
    if (!page.ok) {
      fail(e, null, page.error, t);
      return false;
    }
    const infos = page.value.proposal_info;
    storePage(store, e, infos, governance, started, t);
    const ids = infos.flatMap((i) => (i.id.length === 1 ? [i.id[0].id] : []));
    if (ids.length === 0) {
      reached = true;
      break;
    }
    const min = ids.reduce((a, b) => (b < a ? b : a));
    const max = ids.reduce((a, b) => (b > a ? b : a));
    if (top === null || max > top) top = max;
    if (infos.length < DISCOVERY_PAGE || start.highWater === null || min <= start.highWater) {
      reached = true;
      break;
    }
    before = min;
    // The first page reaches the top of an unfinished scan: continue it where it stopped.
    if (pages === 0 && start.resumeBefore !== null && start.scanTop !== null && min <= start.scanTop && start.resumeBefore < min) before = start.resumeBefore;
  }
  const s = getSyncState(e);
  if (reached) {
    const highWater = top === null ? s.highWater : s.highWater === null || top > s.highWater ? top : s.highWater;
    putSyncState(e, { ...s, highWater, resumeBefore: null, scanTop: null });
  } else {
    putSyncState(e, { ...s, resumeBefore: before, scanTop: top });
  }
  return true;
}

/** Open proposals that discovery did not just read, least recently fetched first. */
async function refreshOpen(store: Store, e: Elections, governance: Principal, since: bigint, now: () => bigint): Promise<boolean> {
  const due = e.open
    .items()
    .filter(([, fetchedAt]) => fetchedAt < since)
    .sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .slice(0, MAX_REFRESH_PER_RUN);
  let clean = true;
  for (const [id] of due) {
    const started = now();
    const fetched = await fetchProposalInfo(governance, id);
    const t = now();
    const record = fetched.ok ? recordOf(fetched.value, governance, t) : fetched;
    if (record.ok) storeRecord(store, e, record.value, started);
    else {
      clean = false;
      fail(e, id, record.error, t);
      // Rotate it to the back (the record itself stays as it was), so a proposal governance no
      // longer answers for cannot take every refresh slot of every run.
      e.open.insert(id, t);
    }
  }
  return clean;
}

/** Guards against overlapping runs (a run awaits governance; the interval may fire again meanwhile). */
let runningSince: bigint | null = null;
const STALE_RUN_NS = 15n * 60n * 1_000_000_000n;

/** One timer run: bounded to MAX_PAGES_PER_RUN + MAX_REFRESH_PER_RUN calls. */
export async function runSync(store: Store, now: () => bigint): Promise<void> {
  const t0 = now();
  if (runningSince !== null && t0 - runningSince < STALE_RUN_NS) return;
  runningSince = t0;
  try {
    const e = elections();
    const governance = getSyncConfig(e).governance;
    putSyncState(e, { ...getSyncState(e), lastTickAtNs: t0 });
    const discovered = await discover(store, e, governance, now);
    const refreshed = await refreshOpen(store, e, governance, t0, now);
    if (discovered && refreshed) succeeded(e, now());
  } finally {
    runningSince = null;
  }
}

