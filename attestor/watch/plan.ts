/**
 * What one poll decides, given the state and governance's open IC-OS elections: pure functions
 * of (state, proposals, now), so every rule here is tested without a replica.
 *
 * The deadline rule: a review is started only if a build of typical duration, started now,
 * finishes before the voting deadline (`now + buildDuration <= deadline`); otherwise the
 * proposal is reported as too late. A resumed review is always finished. `--retry` overrides it.
 */
import type { ElectionProposal } from '../../protocol/nns/types.js';
import { formatDuration } from './duration.js';
import { isoOf, watchEvent, type WatchEvent } from './events.js';
import { markClosed, markStarted, markTooLate, recordSeen, type ProposalRecord, type WatchState } from './state.js';

export interface Clock {
  /** Unix seconds. */
  nowSeconds: number;
}

export const atOf = (c: Clock): string => isoOf(c.nowSeconds);

/** True when a build of `buildDurationSeconds` started now would finish after the deadline. */
export function tooLate(deadlineSeconds: number | null, nowSeconds: number, buildDurationSeconds: number): boolean {
  return deadlineSeconds !== null && nowSeconds + buildDurationSeconds > deadlineSeconds;
}

function lateDetail(p: { deadlineSeconds: number | null }, clock: Clock, buildDurationSeconds: number) {
  return { buildDuration: formatDuration(buildDurationSeconds), buildDurationSeconds, wouldFinishAt: isoOf(clock.nowSeconds + buildDurationSeconds) };
}

/**
 * Takes in one poll's answer: new open elections become `seen` (or `too-late`), and a `seen`
 * proposal governance no longer lists as open becomes `closed`. Proposals that elect no IC-OS
 * version, or that are not open, are ignored.
 */
export function applyPoll(state: WatchState, open: ElectionProposal[], clock: Clock, buildDurationSeconds: number): { state: WatchState; events: WatchEvent[] } {
  const events: WatchEvent[] = [];
  const at = atOf(clock);
  let s = state;
  const openIds = new Set<string>();
  // oldest first, so events read in proposal order
  const fresh = [...open].filter((p) => p.status === 'open' && p.elects !== 'not-icos').sort((a, b) => cmpId(a.id, b.id));
  for (const p of fresh) {
    openIds.add(p.id);
    if (s.proposals[p.id]) continue;
    s = recordSeen(s, p, at);
    events.push(watchEvent('proposal-new', s.proposals[p.id]!, at));
    if (tooLate(p.deadlineSeconds, clock.nowSeconds, buildDurationSeconds)) {
      s = markTooLate(s, p.id);
      events.push(watchEvent('too-late', s.proposals[p.id]!, at, lateDetail(p, clock, buildDurationSeconds)));
    }
  }
  for (const p of Object.values(s.proposals).sort((a, b) => cmpId(a.id, b.id))) {
    if (p.phase === 'seen' && !p.force && !openIds.has(p.id)) {
      s = markClosed(s, p.id);
      events.push(watchEvent('closed', s.proposals[p.id]!, at));
    }
  }
  return { state: s, events };
}

/**
 * The proposal to work on next, one at a time: an interrupted review first (built, then
 * started: the closest to done), then new ones by deadline (soonest first), then by id.
 */
export function nextReview(state: WatchState): ProposalRecord | null {
  const all = Object.values(state.proposals);
  const rank = (p: ProposalRecord) => (p.phase === 'built' ? 0 : p.phase === 'started' ? 1 : 2);
  const todo = all.filter((p) => p.phase === 'built' || p.phase === 'started' || p.phase === 'seen');
  todo.sort((a, b) => rank(a) - rank(b) || (a.deadlineSeconds ?? Infinity) - (b.deadlineSeconds ?? Infinity) || cmpId(a.id, b.id));
  return todo[0] ?? null;
}

/**
 * Starting (or resuming) a review: the deadline rule is checked again for a proposal that waited
 * behind another build; an interrupted one is resumed whatever the time.
 */
export function startReview(state: WatchState, id: string, clock: Clock, buildDurationSeconds: number): { state: WatchState; events: WatchEvent[]; started: boolean } {
  const p = state.proposals[id];
  const at = atOf(clock);
  if (p && p.phase === 'seen' && !p.force && tooLate(p.deadlineSeconds, clock.nowSeconds, buildDurationSeconds)) {
    const s = markTooLate(state, id);
    return { state: s, events: [watchEvent('too-late', s.proposals[id]!, at, lateDetail(p, clock, buildDurationSeconds))], started: false };
  }
  const resumed = p?.phase === 'started';
  const s = markStarted(state, id, at);
  const q = s.proposals[id]!;
  return {
    state: s,
    events: [watchEvent('build-started', q, at, { attempt: q.attempts, resumed, buildDuration: formatDuration(buildDurationSeconds), expectedFinishAt: isoOf(clock.nowSeconds + buildDurationSeconds) })],
    started: true
  };
}

/** Proposal ids compare as numbers. */
export function cmpId(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
