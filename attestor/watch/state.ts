/**
 * What `watch` remembers, per proposal, and the only ways it may change: a pure state machine.
 *
 *   seen ──start──▶ started ──built──▶ built ──submitted──▶ submitted
 *     │               │  ▲               │
 *     │               └──┘ resume        └──▶ (resume: submit the same envelopes again)
 *     ├──▶ too-late   (the deadline would pass before a build of typical duration finishes)
 *     └──▶ closed     (voting ended before the review started)
 *   started/built ──error──▶ failed   (a transient error keeps its phase, up to MAX_ATTEMPTS times)
 *
 * `submitted` is final: nothing ever moves a proposal out of it, so a restart never submits twice.
 * `built` holds the envelope files on disk: resuming from it submits exactly those files again
 * (the canister returns the same id for an identical envelope), never a new statement.
 */
import type { ElectionProposal } from '../../protocol/nns/types.js';

export const WATCH_STATE_FORMAT = 'icos-attest/watch-state/v1';

export const PHASES = ['seen', 'started', 'built', 'submitted', 'failed', 'too-late', 'closed'] as const;
export type Phase = (typeof PHASES)[number];

/** After this many transient failures (network) of one proposal, it fails. Kills and restarts do not count. */
export const MAX_ATTEMPTS = 3;

export interface EnvelopeRecord {
  os: string;
  path: string;
  artifacts: { name: string; sha256: string; outcome: string }[];
}

export interface SubmittedRecord {
  id: string;
  os: string;
  path: string;
  receipt: string | null;
}

export interface ProposalRecord {
  id: string;
  elects: 'guestos' | 'hostos';
  title: string;
  commit: string | null;
  sha256: string | null;
  proposedAtSeconds: number;
  deadlineSeconds: number | null;
  phase: Phase;
  /** ISO times of each step (null until it happened). */
  seenAt: string;
  startedAt: string | null;
  builtAt: string | null;
  submittedAt: string | null;
  /** Review attempts started (a resume after a restart is an attempt too). */
  attempts: number;
  /** Transient failures so far (reset by `--retry`). */
  transientFailures: number;
  /** Set by `--retry`: start even when the deadline rule says too late. */
  force: boolean;
  resultPath: string | null;
  envelopes: EnvelopeRecord[];
  submitted: SubmittedRecord[];
  /** The last error (kept after a successful retry, for the record). */
  error: { step: string; kind: string; message: string; at: string } | null;
}

export interface WatchState {
  format: typeof WATCH_STATE_FORMAT;
  proposals: Record<string, ProposalRecord>;
}

export class WatchStateError extends Error {
  constructor(
    readonly kind: 'bad-state' | 'bad-transition' | 'unknown-proposal',
    message: string
  ) {
    super(message);
    this.name = 'WatchStateError';
  }
}

export function emptyState(): WatchState {
  return { format: WATCH_STATE_FORMAT, proposals: {} };
}

// ---------------------------------------------------------------- reading a state file

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isStrOrNull = (v: unknown) => v === null || isStr(v);
const isNumOrNull = (v: unknown) => v === null || (typeof v === 'number' && Number.isFinite(v));

/** A state file's JSON, checked field by field: a damaged file is refused, never half-used. */
export function parseWatchState(raw: unknown, where = 'the watch state'): WatchState {
  const bad = (why: string): never => {
    throw new WatchStateError('bad-state', `${where} is damaged: ${why}`);
  };
  if (!isObj(raw)) bad('not a JSON object');
  const r = raw as Record<string, unknown>;
  if (r.format !== WATCH_STATE_FORMAT) bad(`format is ${JSON.stringify(r.format)}, expected "${WATCH_STATE_FORMAT}"`);
  if (!isObj(r.proposals)) bad('"proposals" is not an object');
  const proposals: Record<string, ProposalRecord> = {};
  for (const [key, v] of Object.entries(r.proposals as Record<string, unknown>)) {
    if (!isObj(v)) bad(`proposal ${key} is not an object`);
    const p = v as Record<string, unknown>;
    const field = (name: string, ok: boolean) => {
      if (!ok) bad(`proposal ${key}: field "${name}" is missing or malformed`);
    };
    field('id', isStr(p.id) && p.id === key && /^[0-9]{1,20}$/.test(p.id));
    field('elects', p.elects === 'guestos' || p.elects === 'hostos');
    field('phase', (PHASES as readonly unknown[]).includes(p.phase));
    field('title', isStr(p.title));
    field('commit', isStrOrNull(p.commit));
    field('sha256', isStrOrNull(p.sha256));
    field('proposedAtSeconds', typeof p.proposedAtSeconds === 'number');
    field('deadlineSeconds', isNumOrNull(p.deadlineSeconds));
    field('seenAt', isStr(p.seenAt));
    for (const t of ['startedAt', 'builtAt', 'submittedAt', 'resultPath']) field(t, isStrOrNull(p[t]));
    field('attempts', Number.isInteger(p.attempts) && (p.attempts as number) >= 0);
    field('force', typeof p.force === 'boolean');
    field('transientFailures', Number.isInteger(p.transientFailures) && (p.transientFailures as number) >= 0);
    field('envelopes', Array.isArray(p.envelopes) && p.envelopes.every((e) => isObj(e) && isStr(e.os) && isStr(e.path) && Array.isArray(e.artifacts)));
    field('submitted', Array.isArray(p.submitted) && p.submitted.every((s) => isObj(s) && isStr(s.id) && isStr(s.os) && isStr(s.path) && isStrOrNull(s.receipt)));
    field('error', p.error === null || (isObj(p.error) && isStr(p.error.step) && isStr(p.error.kind) && isStr(p.error.message) && isStr(p.error.at)));
    // a phase that needs what it records
    if (p.phase === 'built' && (p.envelopes as unknown[]).length === 0) bad(`proposal ${key} is "built" but names no envelope`);
    if (p.phase === 'submitted' && (p.submitted as unknown[]).length === 0) bad(`proposal ${key} is "submitted" but names no attestation`);
    proposals[key] = p as unknown as ProposalRecord;
  }
  return { format: WATCH_STATE_FORMAT, proposals };
}

// ---------------------------------------------------------------- transitions (pure: new state out)

function get(state: WatchState, id: string): ProposalRecord {
  const p = state.proposals[id];
  if (!p) throw new WatchStateError('unknown-proposal', `proposal ${id} is not in the watch state`);
  return p;
}

function put(state: WatchState, p: ProposalRecord): WatchState {
  return { ...state, proposals: { ...state.proposals, [p.id]: p } };
}

function expect(p: ProposalRecord, from: readonly Phase[], to: Phase): void {
  if (!from.includes(p.phase)) throw new WatchStateError('bad-transition', `proposal ${p.id} is ${p.phase}; it cannot become ${to} (only from ${from.join(' or ')})`);
}

/** A new open IC-OS election: remembered as seen (or straight away as too late / closed). */
export function recordSeen(state: WatchState, proposal: ElectionProposal, at: string, phase: 'seen' | 'too-late' = 'seen'): WatchState {
  if (state.proposals[proposal.id]) throw new WatchStateError('bad-transition', `proposal ${proposal.id} is already in the watch state`);
  if (proposal.elects === 'not-icos') throw new WatchStateError('bad-transition', `proposal ${proposal.id} elects no IC-OS version`);
  return put(state, {
    id: proposal.id,
    elects: proposal.elects,
    title: proposal.title,
    commit: proposal.commit,
    sha256: proposal.sha256,
    proposedAtSeconds: proposal.proposedAtSeconds,
    deadlineSeconds: proposal.deadlineSeconds,
    phase,
    seenAt: at,
    startedAt: null,
    builtAt: null,
    submittedAt: null,
    attempts: 0,
    transientFailures: 0,
    force: false,
    resultPath: null,
    envelopes: [],
    submitted: [],
    error: null
  });
}

export function markTooLate(state: WatchState, id: string): WatchState {
  const p = get(state, id);
  expect(p, ['seen'], 'too-late');
  return put(state, { ...p, phase: 'too-late' });
}

export function markClosed(state: WatchState, id: string): WatchState {
  const p = get(state, id);
  expect(p, ['seen'], 'closed');
  return put(state, { ...p, phase: 'closed' });
}

/** A review attempt begins (or resumes after a restart: from `started` again). */
export function markStarted(state: WatchState, id: string, at: string): WatchState {
  const p = get(state, id);
  expect(p, ['seen', 'started'], 'started');
  return put(state, { ...p, phase: 'started', startedAt: at, attempts: p.attempts + 1 });
}

/** The build finished and its envelopes are signed and on disk (nothing sent yet). */
export function markBuilt(state: WatchState, id: string, at: string, resultPath: string, envelopes: EnvelopeRecord[]): WatchState {
  const p = get(state, id);
  expect(p, ['started'], 'built');
  if (envelopes.length === 0) throw new WatchStateError('bad-transition', `proposal ${id}: a build with no envelope cannot be marked built`);
  return put(state, { ...p, phase: 'built', builtAt: at, resultPath, envelopes });
}

/** The canister stored every envelope. Final. */
export function markSubmitted(state: WatchState, id: string, at: string, submitted: SubmittedRecord[]): WatchState {
  const p = get(state, id);
  expect(p, ['built'], 'submitted');
  if (submitted.length === 0) throw new WatchStateError('bad-transition', `proposal ${id}: nothing was stored; it cannot be marked submitted`);
  return put(state, { ...p, phase: 'submitted', submittedAt: at, submitted });
}

/**
 * A step failed. A transient failure (the network) keeps the phase, so the next poll resumes it,
 * until MAX_ATTEMPTS attempts were made; anything else fails the proposal at once.
 */
export function markError(state: WatchState, id: string, error: { step: string; kind: string; message: string; at: string }, transient: boolean): WatchState {
  const p = get(state, id);
  expect(p, ['started', 'built'], 'failed');
  const transientFailures = p.transientFailures + (transient ? 1 : 0);
  const giveUp = !transient || transientFailures >= MAX_ATTEMPTS;
  return put(state, { ...p, phase: giveUp ? 'failed' : p.phase, error, transientFailures });
}

/** `--retry <id>`: a failed, too-late or closed proposal is reviewed again, deadline rule or not. */
export function markRetry(state: WatchState, id: string): WatchState {
  const p = get(state, id);
  expect(p, ['failed', 'too-late', 'closed'], 'seen');
  // a failure after the envelopes were signed resumes at submitting exactly those envelopes
  const phase: Phase = p.envelopes.length > 0 && p.phase === 'failed' ? 'built' : 'seen';
  return put(state, { ...p, phase, force: true, transientFailures: 0 });
}
