/**
 * The poll loop: list governance's open IC-OS elections, take them into the state (plan.ts),
 * then work through the queue one review at a time, saving the state after every transition and
 * reporting each event before the next step. The steps themselves (check + build + attest,
 * submit) are given by the caller: the CLI wires the same functions `run` uses.
 */
import type { ElectionProposal } from '../../protocol/nns/types.js';
import { watchEvent, type WatchEvent } from './events.js';
import { applyPoll, atOf, nextReview, startReview, type Clock } from './plan.js';
import { markBuilt, markError, markSubmitted, type EnvelopeRecord, type ProposalRecord, type SubmittedRecord, type WatchState } from './state.js';

export interface ReviewSteps {
  /** Governance's open IC-OS elections. */
  listOpen(): Promise<ElectionProposal[]>;
  /** check → build → attest: the envelopes signed and on disk, nothing sent. */
  build(p: ProposalRecord): Promise<BuiltReview>;
  /** Submits exactly the envelopes in `p.envelopes` (idempotent on the canister). */
  submit(p: ProposalRecord): Promise<SubmittedRecord[]>;
}

export interface BuiltReview {
  resultPath: string;
  envelopes: EnvelopeRecord[];
  /** The CDN check's report and whether every hash agreed (null with --skip-check). */
  check?: { path: string; ok: boolean; findings: number } | null;
}

export interface LoopDeps {
  steps: ReviewSteps;
  buildDurationSeconds: number;
  clock(): Clock;
  /** Persists the state (atomically); called after every transition. */
  save(state: WatchState): void;
  /** Reports one event (stdout, hook); awaited before the next step. */
  emit(event: WatchEvent): Promise<void>;
  /** A failure worth retrying at the next poll (the network), and its words. */
  classify(err: unknown): { kind: string; message: string; transient: boolean };
}

const FINAL = new Set(['submitted', 'failed', 'too-late', 'closed']);

async function commit(deps: LoopDeps, state: WatchState, events: WatchEvent[]): Promise<WatchState> {
  deps.save(state);
  for (const e of events) await deps.emit(e);
  return state;
}

/** Takes one poll's answer into the state. */
export async function takePoll(deps: LoopDeps, state: WatchState, open: ElectionProposal[]): Promise<WatchState> {
  const r = applyPoll(state, open, deps.clock(), deps.buildDurationSeconds);
  if (r.events.length === 0) return state;
  return commit(deps, r.state, r.events);
}

/** Works through the queue, one review at a time, until nothing is left to do. */
export async function drainQueue(deps: LoopDeps, state: WatchState, shouldStop: () => boolean = () => false): Promise<WatchState> {
  let s = state;
  for (let p = nextReview(s); p !== null && !shouldStop(); p = nextReview(s)) {
    s = await reviewOne(deps, s, p);
    // a transient failure leaves the proposal queued: the next poll tries again
    if (!FINAL.has(s.proposals[p.id]!.phase)) break;
  }
  return s;
}

async function failStep(deps: LoopDeps, s: WatchState, id: string, step: string, err: unknown): Promise<WatchState> {
  const c = deps.classify(err);
  const clock = deps.clock();
  const next = markError(s, id, { step, kind: c.kind, message: c.message, at: atOf(clock) }, c.transient);
  const retrying = next.proposals[id]!.phase !== 'failed';
  return commit(deps, next, [watchEvent('error', next.proposals[id]!, atOf(clock), { step, kind: c.kind, message: c.message, retrying })]);
}

/** One proposal from where it stands to submitted (or failed, or too late). */
export async function reviewOne(deps: LoopDeps, state: WatchState, p: ProposalRecord): Promise<WatchState> {
  let s = state;
  if (p.phase !== 'built') {
    const start = startReview(s, p.id, deps.clock(), deps.buildDurationSeconds);
    s = await commit(deps, start.state, start.events);
    if (!start.started) return s;
    let built: BuiltReview;
    try {
      built = await deps.steps.build(s.proposals[p.id]!);
    } catch (err) {
      return failStep(deps, s, p.id, 'build', err);
    }
    const at = atOf(deps.clock());
    s = markBuilt(s, p.id, at, built.resultPath, built.envelopes);
    const q = s.proposals[p.id]!;
    const artifacts = built.envelopes.flatMap((e) => e.artifacts);
    const events = [watchEvent('build-finished', q, at, { resultPath: built.resultPath, envelopes: built.envelopes.map((e) => e.path), artifacts, check: built.check ?? null })];
    const bad = artifacts.filter((a) => a.outcome === 'mismatch');
    if (bad.length > 0) events.push(watchEvent('diverged', q, at, { artifacts: bad }));
    s = await commit(deps, s, events);
  }
  let submitted: SubmittedRecord[];
  try {
    submitted = await deps.steps.submit(s.proposals[p.id]!);
  } catch (err) {
    return failStep(deps, s, p.id, 'submit', err);
  }
  const at = atOf(deps.clock());
  s = markSubmitted(s, p.id, at, submitted);
  return commit(deps, s, [watchEvent('submitted', s.proposals[p.id]!, at, { attestations: submitted.map((x) => ({ id: x.id, os: x.os, receipt: x.receipt })) })]);
}

/** What a poll would do, without doing it (`--dry-run`): the events it would report and the queue. */
export function dryRun(state: WatchState, open: ElectionProposal[], clock: Clock, buildDurationSeconds: number): { events: WatchEvent[]; queue: { proposal: string; elects: string; action: string }[] } {
  const r = applyPoll(state, open, clock, buildDurationSeconds);
  const queue: { proposal: string; elects: string; action: string }[] = [];
  let s = r.state;
  const events = [...r.events];
  for (let p = nextReview(s); p !== null; p = nextReview(s)) {
    if (p.phase === 'built') {
      queue.push({ proposal: p.id, elects: p.elects, action: `submit the ${p.envelopes.length} envelope(s) already signed` });
      s = { ...s, proposals: { ...s.proposals, [p.id]: { ...p, phase: 'submitted' } } };
      continue;
    }
    const start = startReview(s, p.id, clock, buildDurationSeconds);
    events.push(...start.events.filter((e) => e.type === 'too-late'));
    if (start.started) queue.push({ proposal: p.id, elects: p.elects, action: `${p.phase === 'started' ? 'resume' : 'start'} check, build, attest and submit of ${p.elects} at ${p.commit ?? '(no commit)'}` });
    // in a dry run every review "finishes" at once, so the next one is planned from the same time
    s = { ...start.state, proposals: { ...start.state.proposals, [p.id]: { ...start.state.proposals[p.id]!, phase: start.started ? 'submitted' : 'too-late' } } };
  }
  return { events, queue };
}
