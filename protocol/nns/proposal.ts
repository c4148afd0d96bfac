/**
 * One IC-OS election proposal, read from NNS governance (Candid `ProposalInfo`) or from the
 * dashboard API (JSON), into the same shape. Pure TypeScript: runs in Node and in the canister.
 */
import { ALTERNATIVE_ACTION, alternativeFromCandid, alternativeFromDashboard, type BlessAlternativeValue } from './alternative.js';
import { ProposalError } from './errors.js';
import { ELECTING_FUNCTIONS, nnsFunctionId, nnsFunctionName, proposalStatusName } from './functions.js';
import type { ProposalInfoValue } from './governance_idl.js';
import { bytesToHex, measurementToHex } from './hex.js';
import { decodeElectionPayload, type ElectionPayload } from './registry_idl.js';
import type { ElectionProposal } from './types.js';

export type { ElectionProposal } from './types.js';

type Status = ElectionProposal['status'];

const lower = (s: string | null): string | null => (s === null ? null : s.trim().toLowerCase());

function fromPayload(
  base: Omit<ElectionProposal, 'elects' | 'commit' | 'sha256' | 'urls' | 'launchMeasurements' | 'unelect'>,
  os: 'guestos' | 'hostos',
  p: ElectionPayload
): ElectionProposal {
  const commit = lower(p.commit);
  return ordered({
    ...base,
    elects: commit === null || commit === '' ? 'not-icos' : os,
    commit: commit === '' ? null : commit,
    sha256: lower(p.sha256),
    urls: [...p.urls],
    launchMeasurements: p.measurements.map((m) => bytesToHex(m)),
    unelect: [...p.unelect]
  });
}

function notIcos(base: Omit<ElectionProposal, 'elects' | 'commit' | 'sha256' | 'urls' | 'launchMeasurements' | 'unelect'>): ElectionProposal {
  return ordered({ ...base, elects: 'not-icos', commit: null, sha256: null, urls: [], launchMeasurements: [], unelect: [] });
}

/** The fields in the interface's order, so JSON output reads the same from either source. */
function ordered(p: ElectionProposal): ElectionProposal {
  return {
    id: p.id,
    title: p.title,
    summary: p.summary,
    status: p.status,
    elects: p.elects,
    action: p.action,
    commit: p.commit,
    sha256: p.sha256,
    urls: p.urls,
    launchMeasurements: p.launchMeasurements,
    unelect: p.unelect,
    proposedAtSeconds: p.proposedAtSeconds,
    deadlineSeconds: p.deadlineSeconds,
    source: p.source,
    ...(p.alternativeGuestOs ? { alternativeGuestOs: p.alternativeGuestOs } : {})
  };
}

function seconds(v: bigint): number {
  return Number(v);
}

/**
 * Reads a governance `ProposalInfo`. A proposal that elects no IC-OS version comes back with
 * `elects: 'not-icos'` (not an error). Throws ProposalError 'bad-response' when the info has no
 * id or no proposal, 'bad-payload' when an election payload does not decode.
 */
export function decodeElectionProposal(info: ProposalInfoValue): ElectionProposal {
  if (info.id.length !== 1) throw new ProposalError('bad-response', 'governance returned a proposal without an id');
  const id = info.id[0].id.toString();
  if (info.proposal.length !== 1) {
    // Governance strips the proposal body of very old proposals: nothing to read.
    throw new ProposalError('bad-response', `proposal ${id}: governance returned no proposal body`);
  }
  const p = info.proposal[0];
  const action = p.action.length === 1 ? p.action[0] : null;
  const caseName = action === null ? 'unknown' : (Object.keys(action as object)[0] ?? 'unknown');
  const base = {
    id,
    title: p.title.length === 1 ? p.title[0] : '',
    summary: p.summary,
    status: proposalStatusName(info.status) as Status,
    action: caseName,
    proposedAtSeconds: seconds(info.proposal_timestamp_seconds),
    deadlineSeconds: info.deadline_timestamp_seconds.length === 1 ? seconds(info.deadline_timestamp_seconds[0]) : null,
    source: 'governance' as const
  };
  if (action !== null && ALTERNATIVE_ACTION in (action as object)) {
    return ordered({ ...notIcos(base), alternativeGuestOs: alternativeFromCandid((action as Record<string, BlessAlternativeValue>)[ALTERNATIVE_ACTION]!) });
  }
  if (action === null || !('ExecuteNnsFunction' in (action as object))) return notIcos(base);
  const exec = (action as { ExecuteNnsFunction: { nns_function: number; payload: Uint8Array | number[] } }).ExecuteNnsFunction;
  const fn = exec.nns_function;
  const withName = { ...base, action: nnsFunctionName(fn) };
  const os = ELECTING_FUNCTIONS[fn];
  if (os === undefined) return notIcos(withName);
  let payload: ElectionPayload;
  try {
    payload = decodeElectionPayload(fn, Uint8Array.from(exec.payload));
  } catch (e) {
    throw new ProposalError(
      'bad-payload',
      `proposal ${id} (${withName.action}): its payload is not a valid ${withName.action} Candid value: ${(e as Error).message}`,
      { cause: e }
    );
  }
  return fromPayload(withName, os, payload);
}

// --- Dashboard ------------------------------------------------------------------------------

const DASHBOARD_STATUS: Record<string, Status> = {
  OPEN: 'open',
  REJECTED: 'rejected',
  ADOPTED: 'adopted',
  ACCEPTED: 'adopted',
  EXECUTED: 'executed',
  FAILED: 'failed'
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A dashboard "optional" scalar: absent or null, the value itself, or Candid-JSON `[]`/`[v]`. */
function optional(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (Array.isArray(v) && v.length <= 1) return v.length === 0 ? null : (v[0] ?? null);
  return v;
}

function bad(id: string, what: string): ProposalError {
  return new ProposalError('bad-response', `dashboard proposal ${id}: ${what}`);
}

function text(id: string, o: Record<string, unknown>, key: string, required: boolean): string | null {
  const v = optional(o[key]);
  if (v === null) {
    if (required) throw bad(id, `missing "${key}"`);
    return null;
  }
  if (typeof v !== 'string') throw bad(id, `"${key}" is not text`);
  return v;
}

function textList(id: string, o: Record<string, unknown>, key: string): string[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw bad(id, `"${key}" is not a list of text`);
  return v as string[];
}

function wholeSeconds(id: string, v: unknown, key: string): number | null {
  const x = optional(v);
  if (x === null) return null;
  const n = typeof x === 'string' && /^[0-9]+$/.test(x) ? Number(x) : x;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw bad(id, `"${key}" is not a whole number of seconds`);
  return n;
}

function dashboardMeasurements(id: string, v: unknown): string[] {
  // `{guest_launch_measurements: [...]}` (the payload's shape), that record wrapped as a
  // Candid-JSON opt `[{...}]`, or directly the list.
  let outer = v;
  if (Array.isArray(outer) && outer.length === 1 && isObject(outer[0]) && 'guest_launch_measurements' in outer[0]) outer = outer[0];
  if (outer === undefined || outer === null) return [];
  const list = isObject(outer) ? outer.guest_launch_measurements : outer;
  if (!Array.isArray(list)) throw bad(id, '"guest_launch_measurements" is not a list');
  return list.map((m, i) => {
    const raw = isObject(m) ? m.measurement : m;
    const hex = measurementToHex(raw);
    if (hex === null || hex === '') throw bad(id, `launch measurement ${i} is neither hex text nor a list of byte values`);
    return hex;
  });
}

function dashboardPayload(id: string, fn: number, payload: unknown): ElectionPayload & { hexMeasurements: string[] } {
  if (!isObject(payload)) throw new ProposalError('bad-payload', `dashboard proposal ${id}: "payload" is not an object`);
  const p = payload;
  if (fn === 38) {
    return {
      commit: text(id, p, 'replica_version_to_elect', false),
      sha256: text(id, p, 'release_package_sha256_hex', false),
      urls: textList(id, p, 'release_package_urls'),
      measurements: [],
      hexMeasurements: dashboardMeasurements(id, p.guest_launch_measurements),
      unelect: textList(id, p, 'replica_versions_to_unelect')
    };
  }
  if (fn === 40 || fn === 50) {
    return {
      commit: text(id, p, 'hostos_version_to_elect', false),
      sha256: text(id, p, 'release_package_sha256_hex', false),
      urls: textList(id, p, 'release_package_urls'),
      measurements: [],
      hexMeasurements: [],
      unelect: textList(id, p, 'hostos_versions_to_unelect')
    };
  }
  // 5: BlessReplicaVersion
  const urls = [text(id, p, 'release_package_url', false), ...textList(id, p, 'release_package_urls')].filter(
    (u): u is string => u !== null && u !== ''
  );
  const sha = text(id, p, 'release_package_sha256_hex', false);
  return {
    commit: text(id, p, 'replica_version_id', false),
    sha256: sha === '' ? null : sha,
    urls: [...new Set(urls)],
    measurements: [],
    hexMeasurements: [],
    unelect: []
  };
}

/**
 * Reads one proposal of the dashboard API (`GET /api/v3/proposals/<id>`): flat JSON with `id`
 * (or `proposal_id`), `title`, `summary`, `status`, `action`, `action_nns_function`,
 * `proposal_timestamp_seconds`, `deadline_timestamp_seconds` and the decoded `payload`.
 * Throws ProposalError 'bad-response' when it is not such a proposal.
 */
export function parseDashboardProposal(json: unknown): ElectionProposal {
  if (!isObject(json)) throw new ProposalError('bad-response', 'dashboard answer is not a JSON object');
  const rawId = json.id ?? json.proposal_id;
  if (!(typeof rawId === 'number' && Number.isSafeInteger(rawId) && rawId >= 0) && !(typeof rawId === 'string' && /^[0-9]+$/.test(rawId))) {
    throw new ProposalError('bad-response', 'dashboard answer has no proposal "id"');
  }
  const id = BigInt(rawId).toString();
  const statusText = typeof json.status === 'string' ? json.status.toUpperCase().replace(/^PROPOSAL_STATUS_/, '') : '';
  const actionCase = typeof json.action === 'string' && json.action !== '' ? json.action : 'unknown';
  const fnName = typeof json.action_nns_function === 'string' ? json.action_nns_function : null;
  const fn = fnName === null ? undefined : nnsFunctionId(fnName);
  const proposedAt = wholeSeconds(id, json.proposal_timestamp_seconds, 'proposal_timestamp_seconds');
  if (proposedAt === null) throw bad(id, 'missing "proposal_timestamp_seconds"');
  const base = {
    id,
    title: text(id, json, 'title', false) ?? '',
    summary: text(id, json, 'summary', false) ?? '',
    status: DASHBOARD_STATUS[statusText] ?? 'unknown',
    action: actionCase === 'ExecuteNnsFunction' && fnName !== null ? (fn === undefined ? fnName : nnsFunctionName(fn)) : actionCase,
    proposedAtSeconds: proposedAt,
    deadlineSeconds: wholeSeconds(id, json.deadline_timestamp_seconds, 'deadline_timestamp_seconds'),
    source: 'dashboard' as const
  };
  if (actionCase === ALTERNATIVE_ACTION) return ordered({ ...notIcos(base), alternativeGuestOs: alternativeFromDashboard(json.payload) });
  const os = actionCase === 'ExecuteNnsFunction' && fn !== undefined ? ELECTING_FUNCTIONS[fn] : undefined;
  if (os === undefined || fn === undefined) return notIcos(base);
  const p = dashboardPayload(id, fn, json.payload);
  const result = fromPayload(base, os, p);
  return { ...result, launchMeasurements: p.hexMeasurements };
}
