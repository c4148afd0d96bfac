/**
 * End to end over HTTP: `replica start` in a child process, three reviewer identities attest and
 * submit (one HostOS diverges), `report --json` shows the groups, `verify --proposal` agrees,
 * `replica upgrade` keeps the data, and a clean stop + restart keeps it too (when the runtime
 * can persist).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { syntheticResult } from '../fixtures/synthetic-result.js';
import type { ReportJson } from '../../attestor/client/report.js';
import { canisterWasmCopy, isolatedEnv, runCli, startReplica, tempDir } from './helpers.js';

const PROPOSAL = '140042';

test('replica start; three reviewers submit; report shows the groups; verify --proposal passes; upgrade and restart keep the data', { timeout: 300_000 }, async (t) => {
  const home = tempDir();
  const stateDir = join(home, 'state');
  const env = isolatedEnv(home);
  const wasm = canisterWasmCopy(home);

  const first = await startReplica(['--state-dir', stateDir, '--wasm', wasm], env);
  t.after(() => {
    first.child.kill('SIGKILL');
  });
  const { url, canisterId } = first.started;
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const local = JSON.parse(readFileSync(join(stateDir, 'local.json'), 'utf8')) as { url: string; canisterId: string; rootKeyHex: string; pid: number };
  assert.equal(local.url, url);
  assert.equal(local.canisterId, canisterId);
  assert.equal(local.pid, first.child.pid);
  assert.equal(readFileSync(first.started.rootKeyPath, 'utf8').trim(), local.rootKeyHex);

  // Three reviewers; carol's HostOS diverges. The canister comes from local.json via --state-dir.
  const net = ['--network', url, '--state-dir', stateDir];
  const reviewers = ['alice', 'bob', 'carol'];
  const principals: Record<string, string> = {};
  for (const name of reviewers) {
    const made = await runCli(['identity', 'new', name, '--json'], { env });
    assert.equal(made.code, 0, made.stderr);
    principals[name] = JSON.parse(made.stdout).principal;
    const result = join(home, `${name}-result.json`);
    writeFileSync(result, JSON.stringify(syntheticResult({ proposal: PROPOSAL, oses: ['guestos', 'hostos'], divergeOs: name === 'carol' ? 'hostos' : null })));
    const att = await runCli(['attest', result, '-o', join(home, `${name}.dsse.json`), '--identity', name], { env });
    assert.equal(att.code, 0, att.stderr);
    const envelopes = [join(home, `${name}.dsse.guestos.json`), join(home, `${name}.dsse.hostos.json`)];
    assert.ok(envelopes.every((e) => existsSync(e)));
    const sub = await runCli(['submit', ...envelopes, '--identity', name, '--json', ...net], { env });
    assert.equal(sub.code, 0, sub.stderr);
    const sj = JSON.parse(sub.stdout) as { reviewer: { principal: string; registered: boolean }; submitted: { id: string; os: string }[] };
    assert.equal(sj.reviewer.principal, principals[name]);
    assert.equal(sj.reviewer.registered, true);
    assert.deepEqual(sj.submitted.map((s) => s.os), ['guestos', 'hostos']);
    if (name !== 'alice') continue;
    // resubmitting the same envelope is idempotent: same id, no new attestation
    const again = await runCli(['submit', envelopes[0], '--identity', name, '--json', ...net], { env });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(JSON.parse(again.stdout).submitted[0].id, sj.submitted[0].id);
  }

  // Someone else's envelope is refused before anything is sent
  const foreign = await runCli(['submit', join(home, 'alice.dsse.guestos.json'), '--identity', 'bob', ...net], { env });
  assert.equal(foreign.code, 2);
  assert.match(foreign.stderr, /signed by .* but the selected identity is/);

  const rep = await runCli(['report', PROPOSAL, '--json', ...net], { env });
  assert.equal(rep.code, 0, rep.stderr);
  const report = (JSON.parse(rep.stdout) as { report: ReportJson }).report;
  assert.equal(report.attestations, 6);
  assert.equal(report.reviewers, 3);
  const groupsOf = (os: string) => report.oses.find((o) => o.os === os)!.artifacts[0].groups.map((g) => g.members.map((m) => m.reviewer).sort());
  assert.deepEqual(groupsOf('guestos'), [[principals.alice, principals.bob, principals.carol].sort()]);
  assert.deepEqual(groupsOf('hostos'), [[principals.alice, principals.bob].sort(), [principals.carol]]);
  // Nobody is endorsed: carol's different HostOS build is an unverified report and decides nothing.
  assert.equal(report.oses.find((o) => o.os === 'hostos')!.verdict, 'pending');
  assert.equal(report.oses.find((o) => o.os === 'hostos')!.unverifiedDiffering, 1);
  const hostGroups = report.oses.find((o) => o.os === 'hostos')!.artifacts[0].groups;
  assert.equal(hostGroups[0].matchesProposal, true);
  assert.equal(hostGroups[1].matchesProposal, false);

  // the table, plain (not a TTY)
  const table = await runCli(['report', PROPOSAL, ...net], { env });
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /hostos\s+hostos\/update-img\.tar\.zst/);
  assert.match(table.stdout, /hostos: No endorsed reviewer has attested yet \(quorum 3\); 1 unverified report differs; 2 unverified reports match/);
  assert.doesNotMatch(table.stdout, /\x1b\[/);

  const ver = await runCli(['verify', '--proposal', PROPOSAL, '--json', ...net], { env });
  assert.equal(ver.code, 0, ver.stdout + ver.stderr);
  const vj = JSON.parse(ver.stdout) as { ok: boolean; attestations: { valid: boolean }[]; differences: string[] };
  assert.equal(vj.ok, true);
  assert.equal(vj.attestations.length, 6);
  assert.ok(vj.attestations.every((a) => a.valid));
  assert.deepEqual(vj.differences, []);

  // offline verify of an envelope with the key looked up on the canister
  const offline = await runCli(['verify', join(home, 'carol.dsse.hostos.json'), ...net], { env });
  assert.equal(offline.code, 0, offline.stderr);
  assert.match(offline.stdout, /valid .* hostos of proposal 140042/);

  // upgrade: same Wasm reinstalled as an upgrade, data kept
  const up = await runCli(['replica', 'upgrade', '--wasm', wasm, '--json', '--state-dir', stateDir], { env });
  assert.equal(up.code, 0, up.stderr);
  assert.equal(JSON.parse(up.stdout).canisterId, canisterId);
  const afterUpgrade = await runCli(['report', PROPOSAL, '--json', ...net], { env });
  assert.deepEqual(JSON.parse(afterUpgrade.stdout).report.oses, report.oses);

  // a clean stop
  first.child.kill('SIGINT');
  assert.equal(await first.exited, 0, first.stderr());

  if (!first.started.persistent) {
    t.diagnostic('the runtime cannot save its state yet: restart persistence not tested');
    return;
  }
  const second = await startReplica(['--state-dir', stateDir, '--wasm', wasm], env);
  t.after(() => {
    second.child.kill('SIGKILL');
  });
  assert.equal(second.started.canisterId, canisterId);
  const net2 = ['--network', second.started.url, '--state-dir', stateDir];
  const afterRestart = await runCli(['report', PROPOSAL, '--json', ...net2], { env });
  assert.equal(afterRestart.code, 0, afterRestart.stderr);
  assert.deepEqual(JSON.parse(afterRestart.stdout).report.oses, report.oses);
  const ver2 = await runCli(['verify', '--proposal', PROPOSAL, ...net2], { env });
  assert.equal(ver2.code, 0, ver2.stdout);
  second.child.kill('SIGINT');
  assert.equal(await second.exited, 0, second.stderr());
});

test('a replica killed without a clean stop restarts with what it autosaved', { timeout: 180_000 }, async (t) => {
  const home = tempDir();
  const stateDir = join(home, 'state');
  const env = isolatedEnv(home);
  const wasm = canisterWasmCopy(home);
  const first = await startReplica(['--state-dir', stateDir, '--wasm', wasm, '--autosave', '0.2'], env);
  t.after(() => {
    first.child.kill('SIGKILL');
  });
  const net = ['--network', first.started.url, '--state-dir', stateDir];
  const dora = await runCli(['identity', 'new', 'dora'], { env });
  assert.equal(dora.code, 0, dora.stderr);
  const result = join(home, 'result.json');
  writeFileSync(result, JSON.stringify(syntheticResult({ proposal: '31337', oses: ['guestos'] })));
  const att = await runCli(['attest', result, '-o', join(home, 'd.json'), '--identity', 'dora'], { env });
  assert.equal(att.code, 0, att.stderr);
  const sub = await runCli(['submit', join(home, 'd.json'), '--identity', 'dora', '--json', ...net], { env });
  assert.equal(sub.code, 0, sub.stderr);
  // register + submit = 2 updates; wait until a save covers both, then kill -9
  const saved = join(stateDir, 'saved.json');
  for (let i = 0; ; i++) {
    if (existsSync(saved) && (JSON.parse(readFileSync(saved, 'utf8')) as { completedUpdates: number }).completedUpdates >= 2) break;
    assert.ok(i < 300, 'no autosave covering the submit');
    await new Promise((r) => setTimeout(r, 100));
  }
  first.child.kill('SIGKILL');
  await first.exited;

  const second = await startReplica(['--state-dir', stateDir, '--wasm', wasm], env);
  t.after(() => {
    second.child.kill('SIGKILL');
  });
  assert.equal(second.started.canisterId, first.started.canisterId);
  // one replica per state dir
  const twice = await runCli(['replica', 'start', '--port', '0', '--state-dir', stateDir, '--wasm', wasm], { env });
  assert.equal(twice.code, 2);
  assert.match(twice.stderr, /already running from/);
  const rep = await runCli(['report', '31337', '--json', '--network', second.started.url, '--state-dir', stateDir], { env });
  assert.equal(rep.code, 0, rep.stderr);
  assert.equal((JSON.parse(rep.stdout) as { report: ReportJson }).report.attestations, 1);
  second.child.kill('SIGINT');
  assert.equal(await second.exited, 0, second.stderr());
});
