/**
 * The pure core of `watch`: the state machine (every allowed and refused transition), the
 * deadline rule, the queue order, a damaged state file, and the loop over fake-free steps
 * (plain functions standing in for the network and the build: the loop's own logic is real).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';

import type { ElectionProposal } from '../../protocol/nns/types.js';
import { parseDuration, formatDuration } from '../../attestor/watch/duration.js';
import { applyPoll, nextReview, startReview, tooLate } from '../../attestor/watch/plan.js';
import { drainQueue, dryRun, takePoll, type LoopDeps } from '../../attestor/watch/loop.js';
import {
  MAX_ATTEMPTS,
  emptyState,
  markBuilt,
  markError,
  markRetry,
  markStarted,
  markSubmitted,
  parseWatchState,
  recordSeen,
  WatchStateError,
  type WatchState
} from '../../attestor/watch/state.js';
import type { WatchEvent } from '../../attestor/watch/events.js';

const NOW = 1_800_000_000;
const H = 3600;

function proposal(id: string, over: Partial<ElectionProposal> = {}): ElectionProposal {
  return {
    id,
    title: `Elect GuestOS ${id}`,
    summary: '',
    status: 'open',
    elects: 'guestos',
    action: 'ReviseElectedGuestosVersions',
    commit: 'a'.repeat(40),
    sha256: 'b'.repeat(64),
    urls: [],
    launchMeasurements: [],
    unelect: [],
    proposedAtSeconds: NOW - H,
    deadlineSeconds: NOW + 96 * H,
    source: 'governance',
    ...over
  };
}

const at = '2027-01-15T08:00:00Z';
const env = [{ os: 'guestos', path: '/x/a.dsse.json', artifacts: [{ name: 'guestos/update-img.tar.zst', sha256: 'b'.repeat(64), outcome: 'match' }] }];

test('durations: 2h, 90m, 1h30m, seconds; nonsense refused', () => {
  assert.equal(parseDuration('2h'), 7200);
  assert.equal(parseDuration('90m'), 5400);
  assert.equal(parseDuration('1h30m'), 5400);
  assert.equal(parseDuration('45'), 45);
  assert.equal(parseDuration('1d'), 86400);
  for (const bad of ['', '0', '-1h', 'h', '2 hours', '1x', '0s']) assert.equal(parseDuration(bad), null, bad);
  assert.equal(formatDuration(5400), '1h30m');
  assert.equal(formatDuration(7200), '2h');
});

test('the state machine: seen → started → built → submitted; submitted is final', () => {
  let s = recordSeen(emptyState(), proposal('1'), at);
  assert.equal(s.proposals['1']!.phase, 'seen');
  assert.throws(() => recordSeen(s, proposal('1'), at), WatchStateError, 'seen twice');
  assert.throws(() => markBuilt(s, '1', at, 'r.json', env), /cannot become built/);
  s = markStarted(s, '1', at);
  s = markStarted(s, '1', at); // a resume after a restart
  assert.equal(s.proposals['1']!.attempts, 2);
  assert.throws(() => markSubmitted(s, '1', at, [{ id: '7', os: 'guestos', path: 'p', receipt: null }]), /cannot become submitted/);
  assert.throws(() => markBuilt(s, '1', at, 'r.json', []), /no envelope/);
  s = markBuilt(s, '1', at, 'r.json', env);
  assert.throws(() => markStarted(s, '1', at), /built; it cannot become started/, 'signed envelopes are submitted, never rebuilt');
  assert.throws(() => markSubmitted(s, '1', at, []), /nothing was stored/);
  s = markSubmitted(s, '1', at, [{ id: '7', os: 'guestos', path: 'p', receipt: 'p.receipt.json' }]);
  for (const f of [() => markStarted(s, '1', at), () => markBuilt(s, '1', at, 'r', env), () => markError(s, '1', { step: 'x', kind: 'k', message: 'm', at }, true), () => markRetry(s, '1')]) {
    assert.throws(f, WatchStateError, 'nothing leaves submitted');
  }
  assert.throws(() => markStarted(s, '2', at), /not in the watch state/);
  assert.throws(() => recordSeen(emptyState(), proposal('3', { elects: 'not-icos' }), at), /elects no IC-OS/);
});

test('errors: a transient one keeps the phase until MAX_ATTEMPTS, anything else fails at once; --retry', () => {
  let s = markStarted(recordSeen(emptyState(), proposal('1'), at), '1', at);
  // restarts (kills) are attempts, not failures
  for (let i = 0; i < 5; i++) s = markStarted(s, '1', at);
  for (let i = 1; i < MAX_ATTEMPTS; i++) {
    s = markError(s, '1', { step: 'build', kind: 'network', message: 'down', at }, true);
    assert.equal(s.proposals['1']!.phase, 'started');
    s = markStarted(s, '1', at);
  }
  s = markError(s, '1', { step: 'build', kind: 'network', message: 'down', at }, true);
  assert.equal(s.proposals['1']!.phase, 'failed', `given up after ${MAX_ATTEMPTS} network failures`);
  s = markRetry(s, '1');
  assert.equal(s.proposals['1']!.phase, 'seen');
  assert.equal(s.proposals['1']!.force, true);
  assert.equal(s.proposals['1']!.transientFailures, 0);
  s = markError(markStarted(s, '1', at), '1', { step: 'build', kind: 'input', message: 'bad commit', at }, false);
  assert.equal(s.proposals['1']!.phase, 'failed');
  // a failure after signing resumes at submitting the same envelopes
  let b = markBuilt(markStarted(recordSeen(emptyState(), proposal('2'), at), '2', at), '2', at, 'r', env);
  b = markRetry(markError(b, '2', { step: 'submit', kind: 'canister', message: 'refused', at }, false), '2');
  assert.equal(b.proposals['2']!.phase, 'built');
  assert.deepEqual(b.proposals['2']!.envelopes, env);
  assert.throws(() => markRetry(b, '2'), /built; it cannot become seen/);
});

test('the deadline rule: started only when a typical build finishes before the deadline', () => {
  assert.equal(tooLate(null, NOW, 2 * H), false);
  assert.equal(tooLate(NOW + 2 * H, NOW, 2 * H), false, 'finishing exactly at the deadline is in time');
  assert.equal(tooLate(NOW + 2 * H - 1, NOW, 2 * H), true);
  const open = [proposal('10'), proposal('11', { deadlineSeconds: NOW + H }), proposal('12', { status: 'adopted' }), proposal('13', { elects: 'not-icos' })];
  const r = applyPoll(emptyState(), open, { nowSeconds: NOW }, 2 * H);
  assert.deepEqual(r.events.map((e) => [e.type, e.proposal]), [['proposal-new', '10'], ['proposal-new', '11'], ['too-late', '11']]);
  assert.deepEqual(Object.keys(r.state.proposals).sort(), ['10', '11']);
  assert.equal(r.state.proposals['11']!.phase, 'too-late');
  assert.equal(r.events[2]!.detail.wouldFinishAt, '2027-01-15T10:00:00Z');
  assert.equal(r.events[2]!.detail.buildDuration, '2h');
  // the same answer again: nothing new
  assert.deepEqual(applyPoll(r.state, open, { nowSeconds: NOW + 60 }, 2 * H).events, []);
  // a seen proposal that waited behind another build is checked again when it would start
  const late = startReview(r.state, '10', { nowSeconds: NOW + 95 * H }, 2 * H);
  assert.equal(late.started, false);
  assert.equal(late.state.proposals['10']!.phase, 'too-late');
  // an interrupted review is finished, whatever the time
  const started = markStarted(r.state, '10', at);
  const resumed = startReview(started, '10', { nowSeconds: NOW + 95 * H }, 2 * H);
  assert.equal(resumed.started, true);
  assert.equal(resumed.events[0]!.detail.resumed, true);
  // --retry overrides the rule
  const forced = startReview(markRetry(r.state, '11'), '11', { nowSeconds: NOW }, 2 * H);
  assert.equal(forced.started, true);
});

test('a seen proposal that is no longer open is closed, not reviewed', () => {
  const s = applyPoll(emptyState(), [proposal('20')], { nowSeconds: NOW }, 2 * H).state;
  const r = applyPoll(s, [], { nowSeconds: NOW }, 2 * H);
  assert.deepEqual(r.events.map((e) => e.type), ['closed']);
  assert.equal(nextReview(r.state), null);
});

test('queue order: built, then started, then by deadline and id', () => {
  let s = emptyState();
  s = recordSeen(s, proposal('5', { deadlineSeconds: NOW + 50 * H }), at);
  s = recordSeen(s, proposal('4', { deadlineSeconds: NOW + 10 * H }), at);
  s = recordSeen(s, proposal('3'), at);
  s = recordSeen(s, proposal('2'), at);
  s = recordSeen(s, proposal('1'), at);
  assert.equal(nextReview(s)!.id, '4', 'soonest deadline first');
  s = markStarted(s, '3', at);
  assert.equal(nextReview(s)!.id, '3');
  s = markBuilt(markStarted(s, '2', at), '2', at, 'r', env);
  assert.equal(nextReview(s)!.id, '2');
});

test('a damaged state file is refused with what is wrong', () => {
  const good = markStarted(recordSeen(emptyState(), proposal('1'), at), '1', at);
  assert.deepEqual(parseWatchState(JSON.parse(JSON.stringify(good))), good);
  const cases: [unknown, RegExp][] = [
    [null, /not a JSON object/],
    [{ format: 'other', proposals: {} }, /format/],
    [{ ...good, proposals: [] }, /"proposals"/],
    [{ ...good, proposals: { '1': { ...good.proposals['1'], phase: 'dancing' } } }, /"phase"/],
    [{ ...good, proposals: { '2': good.proposals['1'] } }, /"id"/],
    [{ ...good, proposals: { '1': { ...good.proposals['1'], phase: 'built', envelopes: [] } } }, /names no envelope/],
    [{ ...good, proposals: { '1': { ...good.proposals['1'], phase: 'submitted' } } }, /names no attestation/],
    [{ ...good, proposals: { '1': { ...good.proposals['1'], attempts: -1 } } }, /"attempts"/]
  ];
  for (const [raw, re] of cases) assert.throws(() => parseWatchState(raw), (e: unknown) => e instanceof WatchStateError && e.kind === 'bad-state' && re.test(e.message), String(re));
});

/** The loop over plain step functions; records saves and events. */
function harness(behaviour: { build?: (id: string, attempt: number) => 'ok' | 'mismatch' | Error; submit?: (id: string) => 'ok' | Error }) {
  const saved: WatchState[] = [];
  const events: WatchEvent[] = [];
  const calls: string[] = [];
  const deps: LoopDeps = {
    buildDurationSeconds: 2 * H,
    clock: () => ({ nowSeconds: NOW }),
    save: (s) => saved.push(s),
    emit: async (e) => {
      // each event is reported after the state that holds it was saved
      assert.equal(saved[saved.length - 1]!.proposals[e.proposal]!.phase, e.phase);
      events.push(e);
    },
    classify: (err) => ({ kind: (err as { kind?: string }).kind ?? 'input', message: (err as Error).message, transient: (err as { kind?: string }).kind === 'network' }),
    steps: {
      listOpen: async () => [],
      build: async (p) => {
        calls.push(`build ${p.id}#${p.attempts}`);
        const r = behaviour.build?.(p.id, p.attempts) ?? 'ok';
        if (r instanceof Error) throw r;
        return { resultPath: `r-${p.id}.json`, envelopes: [{ os: 'guestos', path: `e-${p.id}-${p.attempts}.json`, artifacts: [{ name: 'guestos/update-img.tar.zst', sha256: 'c'.repeat(64), outcome: r === 'mismatch' ? 'mismatch' : 'match' }] }] };
      },
      submit: async (p) => {
        calls.push(`submit ${p.id} ${p.envelopes.map((e) => e.path).join(',')}`);
        const r = behaviour.submit?.(p.id) ?? 'ok';
        if (r instanceof Error) throw r;
        return [{ id: `a${p.id}`, os: 'guestos', path: p.envelopes[0]!.path, receipt: null }];
      }
    }
  };
  return { deps, saved, events, calls };
}

const netError = () => Object.assign(new Error('connection refused'), { kind: 'network' });

test('the loop: one review at a time, events in order, a mismatch reported as diverged', async () => {
  const h = harness({ build: (id) => (id === '2' ? 'mismatch' : 'ok') });
  let s = await takePoll(h.deps, emptyState(), [proposal('1'), proposal('2')]);
  s = await drainQueue(h.deps, s);
  assert.deepEqual(h.calls, ['build 1#1', 'submit 1 e-1-1.json', 'build 2#1', 'submit 2 e-2-1.json']);
  assert.deepEqual(h.events.map((e) => `${e.type} ${e.proposal}`), [
    'proposal-new 1', 'proposal-new 2',
    'build-started 1', 'build-finished 1', 'submitted 1',
    'build-started 2', 'build-finished 2', 'diverged 2', 'submitted 2'
  ]);
  assert.equal(s.proposals['1']!.phase, 'submitted');
  // polled again with the same answer: nothing is built or submitted a second time
  s = await takePoll(h.deps, s, [proposal('1'), proposal('2')]);
  s = await drainQueue(h.deps, s);
  assert.equal(h.calls.length, 4);
});

test('the loop: resuming after a restart mid-build rebuilds under a new attempt; after signing it submits the same files', async () => {
  // killed mid-build: the saved state says started
  let s = markStarted(recordSeen(emptyState(), proposal('1'), at), '1', at);
  const h = harness({});
  s = await drainQueue(h.deps, s);
  assert.deepEqual(h.calls, ['build 1#2', 'submit 1 e-1-2.json']);
  assert.equal(h.events[0]!.detail.resumed, true);
  // killed after signing: the same envelopes are submitted, nothing is rebuilt
  let b = markBuilt(markStarted(recordSeen(emptyState(), proposal('2'), at), '2', at), '2', at, 'r', [{ ...env[0]!, path: 'kept.json' }]);
  const h2 = harness({});
  b = await drainQueue(h2.deps, b);
  assert.deepEqual(h2.calls, ['submit 2 kept.json']);
  assert.deepEqual(h2.events.map((e) => e.type), ['submitted']);
});

test('the loop: a network failure waits for the next poll (no busy retry); others fail at once and the queue goes on', async () => {
  const h = harness({ build: (id, attempt) => (id === '1' && attempt < 3 ? netError() : id === '2' ? new Error('no such commit') : 'ok') });
  let s = await takePoll(h.deps, emptyState(), [proposal('1'), proposal('2')]);
  s = await drainQueue(h.deps, s);
  assert.deepEqual(h.calls, ['build 1#1'], 'the drain stops at a transient failure');
  assert.equal(s.proposals['1']!.phase, 'started');
  const err = h.events.find((e) => e.type === 'error')!;
  assert.equal(err.detail.retrying, true);
  s = await drainQueue(h.deps, s); // next poll
  s = await drainQueue(h.deps, s); // and the one after
  assert.deepEqual(h.calls, ['build 1#1', 'build 1#2', 'build 1#3', 'submit 1 e-1-3.json', 'build 2#1']);
  assert.equal(s.proposals['1']!.phase, 'submitted');
  assert.equal(s.proposals['2']!.phase, 'failed');
  assert.equal(h.events[h.events.length - 1]!.detail.retrying, false);
  assert.match(String(s.proposals['2']!.error!.message), /no such commit/);
});

test('dry run: what a poll would do, without changing anything', () => {
  const s = markBuilt(markStarted(recordSeen(emptyState(), proposal('1'), at), '1', at), '1', at, 'r', env);
  const before = JSON.stringify(s);
  const r = dryRun(s, [proposal('1'), proposal('2'), proposal('3', { deadlineSeconds: NOW + 60 })], { nowSeconds: NOW }, 2 * H);
  assert.equal(JSON.stringify(s), before);
  assert.deepEqual(r.events.map((e) => `${e.type} ${e.proposal}`), ['proposal-new 2', 'proposal-new 3', 'too-late 3']);
  assert.deepEqual(r.queue.map((q) => q.proposal), ['1', '2']);
  assert.match(r.queue[0]!.action, /^submit the 1 envelope/);
  assert.match(r.queue[1]!.action, /^start check, build/);
});
