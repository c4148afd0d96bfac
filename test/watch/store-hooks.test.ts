/**
 * The shells of `watch`: the state file (atomic writes, a damaged file refused and left as it
 * is, the lock that makes a second watcher refuse, a dead watcher's lock taken over) and the
 * `--on-event` hooks (JSON on stdin, in order, a failing or hanging hook only a warning).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { acquireLock, loadState, lockPathOf, saveState, WatchStoreError } from '../../attestor/watch/store.js';
import { emptyState, recordSeen } from '../../attestor/watch/state.js';
import { eventReporter, runHook } from '../../attestor/watch/hooks.js';
import { watchEvent } from '../../attestor/watch/events.js';
import type { ElectionProposal } from '../../protocol/nns/types.js';

const dir = mkdtempSync(join(tmpdir(), 'icos-attest-watch-store-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const p: ElectionProposal = {
  id: '140010', title: 'Elect GuestOS', summary: '', status: 'open', elects: 'guestos', action: 'ReviseElectedGuestosVersions',
  commit: 'a'.repeat(40), sha256: 'b'.repeat(64), urls: [], launchMeasurements: [], unelect: [], proposedAtSeconds: 1, deadlineSeconds: null, source: 'governance'
};

test('state file: absent is empty; saved whole; no temp file left; a damaged file is refused and kept', () => {
  const path = join(dir, 'a', 'state.json');
  assert.deepEqual(loadState(path), emptyState());
  const s = recordSeen(emptyState(), p, '2027-01-01T00:00:00Z');
  saveState(path, s);
  assert.deepEqual(loadState(path), s);
  assert.deepEqual(readdirSync(join(dir, 'a')), ['state.json']);
  for (const [text, re] of [['{"format": "icos-attest/watch-state/v1", "proposals": {', /not JSON/], ['{"format": "x", "proposals": {}}', /format/]] as const) {
    writeFileSync(path, text);
    assert.throws(() => loadState(path), (e: unknown) => e instanceof WatchStoreError && e.kind === 'bad-state' && re.test(e.message) && /move it aside/.test(e.message));
    assert.equal(readFileSync(path, 'utf8'), text, 'left as it was');
  }
});

test('lock: a second watcher on the same state file refuses; released on exit; a dead holder’s or an earlier boot’s lock is taken over', async () => {
  const path = join(dir, 'b', 'state.json');
  const release = acquireLock(path);
  assert.equal(JSON.parse(readFileSync(lockPathOf(path), 'utf8')).pid, process.pid);
  release();
  assert.equal(existsSync(lockPathOf(path)), false);
  const again = acquireLock(path);
  again();

  // a lock from before a reboot: its pid may run again as anything; taken over
  // pid 1 always runs
  writeFileSync(lockPathOf(path), JSON.stringify({ pid: 1, boot: 'an-earlier-boot', since: 'x' }));
  if (existsSync('/proc/sys/kernel/random/boot_id')) acquireLock(path)();
  rmSync(lockPathOf(path), { force: true });

  // a watch that held the lock and died (SIGKILL leaves the file behind)
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
  await new Promise((r) => child.once('spawn', r));
  writeFileSync(lockPathOf(path), JSON.stringify({ pid: child.pid, since: 'x' }));
  assert.throws(() => acquireLock(path), (e: unknown) => e instanceof WatchStoreError && e.kind === 'locked' && e.message.includes(`another watch (pid ${child.pid})`), 'a live watch is respected');
  assert.equal(JSON.parse(readFileSync(lockPathOf(path), 'utf8')).pid, child.pid, 'and its lock left alone');
  child.kill('SIGKILL');
  await new Promise((r) => child.once('close', r));
  const taken = acquireLock(path);
  assert.equal(JSON.parse(readFileSync(lockPathOf(path), 'utf8')).pid, process.pid);
  taken();
});

test('hooks: the event as JSON on stdin, env names it, in order; a failing, missing or hanging hook is reported, not thrown', async () => {
  const log = join(dir, 'events.log');
  const cmd = `cat >> '${log}'; echo "$ICOS_ATTEST_EVENT $ICOS_ATTEST_PROPOSAL" >> '${log}.env'`;
  const rec = recordSeen(emptyState(), p, 't').proposals['140010']!;
  for (const type of ['proposal-new', 'build-started', 'build-finished', 'submitted'] as const) {
    const r = await runHook(cmd, watchEvent(type, rec, '2027-01-01T00:00:00Z'));
    assert.deepEqual(r, { ok: true, problem: null });
  }
  const got = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; proposal: string; schema: string });
  assert.deepEqual(got.map((e) => e.type), ['proposal-new', 'build-started', 'build-finished', 'submitted']);
  assert.equal(got[0]!.schema, 'icos-attest/watch-event/v1');
  assert.equal(readFileSync(`${log}.env`, 'utf8').split('\n')[0], 'proposal-new 140010');

  const failing = await runHook('echo "mail server down" >&2; exit 4', watchEvent('error', rec, 't'));
  assert.equal(failing.ok, false);
  assert.match(failing.problem!, /exited 4 \(mail server down\)/);
  const missing = await runHook('/nonexistent/notify-me', watchEvent('error', rec, 't'));
  assert.equal(missing.ok, false);
  assert.match(missing.problem!, /exited 127/);
  const t0 = Date.now();
  const hanging = await runHook('sleep 30', watchEvent('error', rec, 't'), { timeoutMs: 300 });
  assert.equal(hanging.ok, false);
  assert.match(hanging.problem!, /did not finish within/);
  assert.ok(Date.now() - t0 < 10_000);
  // a hook that never reads its stdin is fine
  assert.equal((await runHook('true', watchEvent('error', rec, 't'))).ok, true);
});

test('the reporter: a failing hook is a warning and the next event still goes out, in order', async () => {
  const rec = recordSeen(emptyState(), p, 't').proposals['140010']!;
  const log = join(dir, 'reporter.log');
  const written: string[] = [];
  const warnings: string[] = [];
  // fails on build-started only
  const emit = eventReporter({ write: (e) => written.push(e.type), command: `t=$(cat | sed 's/.*"type":"\\([a-z-]*\\)".*/\\1/'); echo "$t" >> '${log}'; [ "$t" != build-started ]`, warn: (m) => warnings.push(m) });
  for (const type of ['proposal-new', 'build-started', 'build-finished'] as const) await emit(watchEvent(type, rec, 't'));
  assert.deepEqual(written, ['proposal-new', 'build-started', 'build-finished']);
  assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n'), ['proposal-new', 'build-started', 'build-finished']);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /the --on-event command exited 1 \(event build-started of proposal 140010\); watching on/);
});

test('hooks: what governance controls (a title) reaches the hook as data, never as shell', async () => {
  const evil = { ...recordSeen(emptyState(), p, 't').proposals['140010']!, title: `$(touch '${join(dir, 'pwned')}') \`touch '${join(dir, 'pwned2')}'\`` };
  const out = join(dir, 'evil.json');
  const r = await runHook(`cat > '${out}'`, watchEvent('proposal-new', evil, 't'));
  assert.equal(r.ok, true);
  assert.equal(existsSync(join(dir, 'pwned')) || existsSync(join(dir, 'pwned2')), false);
  assert.equal(JSON.parse(readFileSync(out, 'utf8')).title, evil.title);
});
