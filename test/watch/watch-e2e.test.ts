/**
 * The issue's end-to-end: `watch` runs against a local replica with the attestations canister
 * and the NNS governance stand-in; a new GuestOS election appears in governance; watch starts
 * its review; it is killed (with its build) mid-build and restarted; it resumes, submits once,
 * and a later poll does nothing more. A second watcher on the same state file refuses, and the
 * `--on-event` script receives every event in order.
 *
 * The review is the real one (the real CLI: check against a CDN mirror, build of a synthetic ic
 * repo, attest, submit). To be sure of killing it mid-build, a `zstd` first on the PATH holds the
 * image compression (the build's `zstd -10`) while a marker file exists.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ed25519KeyIdentity } from '@dfinity/identity';

import type { ReportJson } from '../../attestor/client/report.js';
import { newEd25519Pem } from '../../attestor/identity/dfx.js';
import { prepareRepo } from '../../attestor/icos/build/repo.js';
import { runBuild } from '../../attestor/icos/build/run.js';
import { parseLaunchMeasurements } from '../../attestor/icos/cdn/measurements.js';
import { GOVERNANCE_WASM } from '../../attestor/cli/demo.js';
import type { WatchEvent } from '../../attestor/watch/events.js';
import type { WatchState } from '../../attestor/watch/state.js';
import { makeCdnTree } from '../../demo/cdn-tree.js';
import { startCdn } from '../../demo/cdn-server.js';
import { generateIcRepo } from '../../demo/ic-repo.js';
import { startDemoReplica } from '../../demo/replica.js';
import { BIN, ROOT, canisterWasmCopy, isolatedEnv, runCli, tempDir } from '../cli/helpers.js';

const PROPOSAL = '150010';

function governanceWasm(): Uint8Array {
  if (!existsSync(GOVERNANCE_WASM)) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'build-canister.ts'), 'governance'], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('governance stand-in build failed');
  }
  return new Uint8Array(readFileSync(GOVERNANCE_WASM));
}

async function until<T>(what: string, probe: () => T | null | undefined | false, timeoutMs: number, proc?: { out: () => string }): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${proc ? `\n${proc.out()}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `watch` as its own process group, so killing it also kills the build it runs. */
function startWatch(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; out: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, 'watch', ...args], { env, cwd: env.HOME, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return { child, out: () => `--- stdout\n${stdout}\n--- stderr\n${stderr}`, exited };
}

test('watch: a new GuestOS election is reviewed and submitted once, across a kill mid-build and a restart', { timeout: 180_000 }, async (t) => {
  const base = tempDir('icos-attest-watch-');
  const closers: (() => Promise<void> | void)[] = [];
  t.after(async () => {
    for (const c of closers.reverse()) await c();
  });

  // ---- the "internet": replica (attestations + governance stand-in) and one CDN mirror
  const replica = await startDemoReplica({
    port: 0,
    attestationsWasm: new Uint8Array(readFileSync(canisterWasmCopy(base))),
    governanceWasm: governanceWasm(),
    controller: Ed25519KeyIdentity.generate().getPrincipal()
  });
  closers.push(() => replica.close());
  const stateDir = join(base, 'state');
  mkdirSync(stateDir, { recursive: true });
  // what `replica start` leaves for clients: the URL, the canister and the root key
  writeFileSync(join(stateDir, 'local.json'), JSON.stringify({ url: replica.url, canisterId: replica.attestationsId, rootKeyHex: Buffer.from(replica.rootKey).toString('hex') }));

  const fx = generateIcRepo(base);
  const commit = fx.commits['2025-26'];
  const official = join(base, 'official');
  const repo = await prepareRepo({ repoUrl: fx.repoDir, workdir: official, commit });
  assert.ok(repo.ok, JSON.stringify(repo));
  const built = await runBuild({ repoDir: repo.value.repoDir, workdir: official, commit, os: ['guestos'] });
  assert.ok(built.ok, JSON.stringify(built));
  const measurementsText = readFileSync(built.value.result.extras.find((e) => e.name === 'guestos/launch-measurements.json')!.path, 'utf8');
  const measured = parseLaunchMeasurements(measurementsText);
  assert.ok(measured.ok);
  const mirrorRoot = join(base, 'mirror');
  const published = makeCdnTree({ root: mirrorRoot, commit, artifacts: built.value.result.artifacts, launchMeasurements: measurementsText }).sha256;
  const cdn = await startCdn(mirrorRoot);
  closers.push(() => cdn.close());
  const guestSha = published['guestos/update-img.tar.zst']!;

  // ---- the reviewer's machine: a key, a slow-able zstd, an --on-event script
  const pem = join(base, 'reviewer.pem');
  writeFileSync(pem, newEd25519Pem(), { mode: 0o600 });
  const marks = join(base, 'marks');
  mkdirSync(marks);
  const shim = join(base, 'shim');
  mkdirSync(shim);
  const realZstd = spawnSync('sh', ['-c', 'command -v zstd'], { encoding: 'utf8' }).stdout.trim();
  assert.ok(realZstd, 'zstd on the PATH');
  writeFileSync(join(shim, 'zstd'), `#!/bin/sh\ncase " $* " in *" -10 "*) if [ -e '${marks}/slow' ]; then touch '${marks}/building'; sleep 120; fi ;; esac\nexec '${realZstd}' "$@"\n`);
  chmodSync(join(shim, 'zstd'), 0o755);
  const eventsLog = join(base, 'events.jsonl');
  const hook = join(base, 'on-event.sh');
  writeFileSync(hook, `#!/bin/sh\n# appends the event (JSON on stdin) as one line\ncat >> '${eventsLog}'\n`);
  chmodSync(hook, 0o755);
  const env = isolatedEnv(base, { PATH: `${shim}:${process.env.PATH}` });
  const statePath = join(stateDir, 'watch', `${replica.attestationsId}.json`);
  const args = [
    '--network', replica.url, '--state-dir', stateDir, '--pem', pem, '--name', 'Watcher',
    '--interval', '1s', '--on-event', hook,
    '--mirror', cdn.url, '--repo-url', fx.repoDir, '--workdir', join(base, 'work'), '--cache-dir', join(base, 'cache'), '--ignore-prerequisites'
  ];
  const events = (): WatchEvent[] => (existsSync(eventsLog) ? readFileSync(eventsLog, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as WatchEvent) : []);
  const state = (): WatchState => JSON.parse(readFileSync(statePath, 'utf8')) as WatchState;

  // ---- watch runs; nothing to do yet
  writeFileSync(join(marks, 'slow'), '');
  const first = startWatch(args, env);
  closers.push(() => {
    try {
      process.kill(-first.child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  });
  await until('the first poll', () => /watching NNS governance/.test(first.out()), 30_000, first);
  await new Promise((r) => setTimeout(r, 1500));
  assert.deepEqual(events(), [], 'no election yet, no event');

  // ---- a new GuestOS election appears in governance
  const nowS = BigInt(Math.floor(Date.now() / 1000));
  await replica.seedElection({
    id: BigInt(PROPOSAL),
    title: `Elect new IC/GuestOS revision (commit ${commit.slice(0, 7)})`,
    summary: 'a synthetic GuestOS election',
    function: { ReviseElectedGuestosVersions: null },
    commit: [commit],
    sha256: [guestSha],
    urls: [`${cdn.url}/ic/${commit}/guest-os/update-img/update-img.tar.zst`],
    launch_measurements: measured.measurements.map((m) => Uint8Array.from(Buffer.from(m, 'hex'))),
    unelect: [],
    proposed_at_seconds: nowS - 60n,
    deadline_seconds: [nowS + 4n * 86400n]
  });

  // ---- mid-build: the build's image compression is running
  await until('the build to be running', () => existsSync(join(marks, 'building')), 60_000, first);
  assert.equal(state().proposals[PROPOSAL]!.phase, 'started');

  // a second watcher on the same state file refuses, changing nothing
  const second = await runCli(['watch', '--once', ...args], { env });
  assert.equal(second.code, 2, second.stderr);
  assert.match(second.stderr, /another watch \(pid \d+\) is using/);

  // ---- killed, with its build
  process.kill(-first.child.pid!, 'SIGKILL');
  await first.exited;
  assert.equal(state().proposals[PROPOSAL]!.phase, 'started', 'the state file says where it stopped');
  assert.deepEqual(events().map((e) => e.type), ['proposal-new', 'build-started']);

  // ---- --dry-run says it would resume, and changes nothing (no state write, no hook)
  const stateText = readFileSync(statePath, 'utf8');
  const dry = await runCli(['watch', '--dry-run', ...args], { env });
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, new RegExp(`would resume check, build, attest and submit of guestos at ${commit} \\(proposal ${PROPOSAL}\\)`));
  assert.equal(readFileSync(statePath, 'utf8'), stateText);
  assert.equal(events().length, 2);

  // ---- restarted: it resumes, builds, submits once
  rmSync(join(marks, 'slow'));
  const again = startWatch(args, env);
  closers.push(() => {
    try {
      process.kill(-again.child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  });
  await until('the submission', () => {
    const types = events().map((e) => e.type);
    if (types.includes('error')) throw new Error(`the review failed: ${again.out()}`);
    return types.includes('submitted');
  }, 90_000, again);
  // two more polls: nothing is done again
  await new Promise((r) => setTimeout(r, 2500));
  again.child.kill('SIGTERM');
  assert.equal(await again.exited, 0, again.out());

  const ev = events();
  assert.deepEqual(ev.map((e) => e.type), ['proposal-new', 'build-started', 'build-started', 'build-finished', 'submitted'], 'the --on-event script got every event in order');
  assert.ok(ev.every((e) => e.proposal === PROPOSAL && e.schema === 'icos-attest/watch-event/v1' && e.commit === commit));
  assert.deepEqual([ev[1]!.detail.resumed, ev[2]!.detail.resumed], [false, true]);
  assert.deepEqual([ev[1]!.detail.attempt, ev[2]!.detail.attempt], [1, 2]);
  assert.deepEqual((ev[3]!.detail.artifacts as { name: string; sha256: string; outcome: string }[]).map((a) => [a.name, a.sha256, a.outcome]), [['guestos/update-img.tar.zst', guestSha, 'match']]);
  assert.equal((ev[3]!.detail.check as { ok: boolean }).ok, true, 'proposal = CDN = build');
  const s = state().proposals[PROPOSAL]!;
  assert.equal(s.phase, 'submitted');
  assert.equal(s.submitted.length, 1);
  assert.ok(existsSync(s.submitted[0]!.receipt!), 'the receipt is kept next to the envelope');
  assert.equal(existsSync(`${statePath}.lock`), false, 'the lock is released on SIGTERM');

  // ---- the canister holds exactly one attestation of the proposal
  const rep = await runCli(['report', PROPOSAL, '--json', '--network', replica.url, '--state-dir', stateDir], { env });
  assert.equal(rep.code, 0, rep.stderr);
  const report = (JSON.parse(rep.stdout) as { report: ReportJson }).report;
  assert.equal(report.attestations, 1);
  assert.equal(report.oses[0]!.artifacts[0]!.groups[0]!.sha256, guestSha);
  assert.equal(report.oses[0]!.artifacts[0]!.groups[0]!.members[0]!.attestationId, s.submitted[0]!.id);

  // ---- the forum post, from the real CLI against the replica
  const md = await runCli(['report', PROPOSAL, '--format', 'markdown', '--network', replica.url, '--state-dir', stateDir], { env });
  assert.equal(md.code, 0, md.stderr);
  assert.match(md.stdout, new RegExp(`^## IC-OS review of proposal ${PROPOSAL}: GuestOS pending$`, 'm'), 'one reviewer, not endorsed: pending');
  assert.ok(md.stdout.includes(`\`${guestSha}\``));
  const port = new URL(replica.url).port;
  assert.ok(md.stdout.includes(`Watcher ([#${s.submitted[0]!.id}](http://${replica.attestationsId}.localhost:${port}/attestation/${s.submitted[0]!.id}.json)) (not endorsed)`), md.stdout);
  assert.ok(md.stdout.includes(`icos-attest --network ${replica.url} --canister ${replica.attestationsId} verify --proposal ${PROPOSAL}`));
  const mdJson = await runCli(['report', PROPOSAL, '--format', 'markdown', '--json', '--network', replica.url, '--state-dir', stateDir], { env });
  assert.equal((JSON.parse(mdJson.stdout) as { markdown: string }).markdown, md.stdout);

  // ---- --once afterwards: nothing to do, exit 0, one JSON document
  const once = await runCli(['watch', '--once', '--json', ...args], { env });
  assert.equal(once.code, 0, once.stderr);
  const doc = JSON.parse(once.stdout) as { events: unknown[]; proposals: { id: string; phase: string }[] };
  assert.deepEqual(doc.events, []);
  assert.deepEqual(doc.proposals.map((p) => [p.id, p.phase]), [[PROPOSAL, 'submitted']]);
});
