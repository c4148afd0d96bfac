/**
 * `icos-attest replica start` as a person runs it: a child process serving the embedded replica,
 * an attestation submitted by the CLI from a second process, a clean stop (Ctrl-C), a restart
 * on the same state dir. The canister id, root key, stored attestation and its time survive, and
 * `report <id> --network http://127.0.0.1:<port>` works from another process (and another folder).
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { syntheticResult } from '../fixtures/synthetic-result.js';
import { Context } from '../../attestor/cli/context.js';
import { newEd25519Pem } from '../../attestor/identity/dfx.js';
import {
  ATTESTATIONS_WASM,
  assertWasm,
  cliEnv,
  describeRun,
  parseJson,
  removeDir,
  runCli,
  startReplica,
  tempDir,
  tempHome,
  type ReplicaProcess,
} from './cli.js';

const PROPOSAL = '424242';
const base = tempDir('icos-e2e-persist-');
const running: ReplicaProcess[] = [];
after(async () => {
  for (const r of running) await r.stop('SIGKILL');
  removeDir(base);
});

async function gatewayJson(url: string, canisterId: string, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`${url}${path}?canisterId=${canisterId}`);
  return { status: res.status, body: await res.text() };
}

test('replica start: state survives a clean stop and restart; report works from a second process', async () => {
  assertWasm(ATTESTATIONS_WASM);
  const home = tempHome(base, 'reviewer');
  const work = join(base, 'work');
  mkdirSync(work, { recursive: true });
  const stateDir = join(work, 'state');
  const env = cliEnv(home);
  const cli = (args: string[], cwd = work) => runCli(args, { env, cwd });

  // The reviewer's key: a PEM file (`identity new` is covered by the review test).
  const pem = join(work, 'alice.pem');
  writeFileSync(pem, newEd25519Pem(), { mode: 0o600 });
  const alice = new Context({ pem }).identity().principal;

  // Attest offline (both OSes: one envelope each) while the replica starts.
  const resultPath = join(work, 'result.json');
  writeFileSync(resultPath, JSON.stringify(syntheticResult({ proposal: PROPOSAL, oses: ['guestos', 'hostos'] }), null, 2));
  const [first, attested] = await Promise.all([
    startReplica(['--port', '0', '--state-dir', stateDir, '--wasm', ATTESTATIONS_WASM], { env, cwd: work }),
    cli(['--json', '--pem', pem, 'attest', resultPath, '-o', join(work, 'envelope.json')]),
  ]);
  running.push(first);
  assert.equal(first.info.restored, false);
  assert.equal(first.info.persistent, true, 'the runtime must be able to save its state');
  assert.match(first.info.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const local1 = JSON.parse(readFileSync(join(stateDir, 'local.json'), 'utf8'));
  assert.equal(local1.canisterId, first.info.canisterId);
  assert.equal(local1.pid, first.child.pid, 'local.json names the running replica');

  assert.equal(attested.code, 0, describeRun(attested));
  const envelopes = parseJson<{ envelopes: { path: string; os: string }[] }>(attested, 'attest').envelopes;
  const envelopePath = envelopes.find((e) => e.os === 'guestos')!.path;
  const envelope2 = envelopes.find((e) => e.os === 'hostos')!.path;
  assert.ok(existsSync(envelopePath) && existsSync(envelope2));

  // Submit from a second process that knows only the URL (and the state dir).
  const net1 = ['--network', first.info.url, '--state-dir', stateDir];
  const submitted = await cli(['--json', '--pem', pem, ...net1, 'submit', envelopePath, '--name', 'alice']);
  assert.equal(submitted.code, 0, describeRun(submitted));
  const sub = parseJson<{ submitted: { id: string; proposal: string; os: string }[]; reviewer: { principal: string } }>(submitted, 'submit');
  assert.equal(sub.submitted.length, 1);
  assert.equal(sub.reviewer.principal, alice);
  const attestationId = sub.submitted[0]!.id;

  const [before, stored1] = await Promise.all([
    cli(['--json', ...net1, 'report', PROPOSAL]),
    gatewayJson(first.info.url, first.info.canisterId, `/attestation/${attestationId}.json`),
  ]);
  assert.equal(before.code, 0, describeRun(before));
  const reportBefore = parseJson<{ report: any }>(before, 'report').report;
  assert.ok(reportBefore, 'the report exists after one submission');
  assert.equal(reportBefore.attestations, 1);
  assert.deepEqual(
    reportBefore.oses[0].artifacts[0].groups[0].members.map((m: any) => [m.reviewer, m.name, m.attestationId]),
    [[alice, 'alice', attestationId]],
  );
  assert.equal(stored1.status, 200);
  assert.deepEqual(JSON.parse(stored1.body), JSON.parse(readFileSync(envelopePath, 'utf8')), 'the canister serves the envelope as signed');

  // A root key file kept by a client from the first run: its trust must survive the restart.
  const savedRootKey = join(base, 'root-key-first-run.hex');
  copyFileSync(first.info.rootKeyPath!, savedRootKey);

  // ---- clean stop (Ctrl-C)
  const stopped = await first.stop('SIGINT');
  assert.equal(stopped.code, 0, `replica start exits 0 on SIGINT\n${first.output().stderr}`);
  const local2 = JSON.parse(readFileSync(join(stateDir, 'local.json'), 'utf8'));
  assert.equal(local2.pid, undefined, 'a stopped replica is not named as running');

  // Nothing is listening now: the same command fails as a network error (exit 3), not silently.
  const down = await cli(['--json', ...net1, 'report', PROPOSAL]);
  assert.equal(down.code, 3, describeRun(down));

  // ---- restart on the same state dir
  const second = await startReplica(['--port', '0', '--state-dir', stateDir, '--wasm', ATTESTATIONS_WASM], { env, cwd: work });
  running.push(second);
  assert.equal(second.info.restored, true, `restored from the state dir\n${second.output().stderr}`);
  assert.equal(second.info.canisterId, first.info.canisterId, 'same canister id');
  assert.equal(second.info.rootKeyHex, first.info.rootKeyHex, 'same root key');

  const net2 = ['--network', second.info.url, '--state-dir', stateDir];
  // From another folder, with only the URL, the canister id and the root key saved before the restart.
  const elsewhere = join(base, 'elsewhere');
  mkdirSync(elsewhere, { recursive: true });
  const remoteArgs = ['--network', second.info.url, '--canister', second.info.canisterId, '--root-key', savedRootKey];
  const [afterRestart, remote, table, noCanister, stored2] = await Promise.all([
    cli(['--json', ...net2, 'report', PROPOSAL]),
    cli(['--json', ...remoteArgs, 'report', PROPOSAL], elsewhere),
    cli([...remoteArgs, 'report', PROPOSAL], elsewhere),
    cli(['--network', second.info.url, 'report', PROPOSAL], elsewhere),
    gatewayJson(second.info.url, second.info.canisterId, `/attestation/${attestationId}.json`),
  ]);
  assert.equal(afterRestart.code, 0, describeRun(afterRestart));
  assert.deepEqual(parseJson(afterRestart, 'report').report, reportBefore, 'the same report, time of submission included');
  assert.equal(remote.code, 0, describeRun(remote));
  assert.deepEqual(parseJson(remote, 'report').report, reportBefore);
  // …and the human table names the reviewer and the verdict.
  assert.equal(table.code, 0, describeRun(table));
  assert.match(table.stdout, /alice/);
  assert.match(table.stdout, /guestos/);
  // Without the state dir or --canister, the URL alone names no canister: one clear line, exit 2.
  assert.equal(noCanister.code, 2, describeRun(noCanister));
  assert.match(noCanister.stderr, /--canister/);
  assert.equal(noCanister.stderr.trim().split('\n').length, 1, `one line: ${noCanister.stderr}`);
  assert.equal(stored2.status, 200);
  assert.equal(stored2.body, stored1.body, 'the stored envelope bytes survive');

  // After the restart: the reviewer is still registered, ids and time go on from where they were.
  const submitted2 = await cli(['--json', '--pem', pem, ...net2, 'submit', envelope2]);
  assert.equal(submitted2.code, 0, describeRun(submitted2));
  const sub2 = parseJson<{ submitted: { id: string }[]; reviewer: { registered: boolean } }>(submitted2, 'submit');
  assert.equal(sub2.reviewer.registered, false, 'the reviewer registered before the restart is still registered');
  assert.ok(BigInt(sub2.submitted[0]!.id) > BigInt(attestationId), 'ids continue after the restart');
  const [laterRun, verified] = await Promise.all([cli(['--json', ...net2, 'report', PROPOSAL]), cli(['--json', ...net2, 'verify', '--proposal', PROPOSAL])]);
  const later = parseJson<{ report: any }>(laterRun, 'report').report;
  assert.equal(later.attestations, 2);
  assert.ok(BigInt(later.lastSubmittedAtNs) > BigInt(reportBefore.lastSubmittedAtNs), 'time does not go back after a restart');

  // Every stored signature still verifies and the recomputed consensus matches the canister's.
  assert.equal(verified.code, 0, describeRun(verified));
  assert.equal(parseJson<{ ok: boolean }>(verified, 'verify').ok, true);

  const stopped2 = await second.stop('SIGTERM');
  assert.equal(stopped2.code, 0, `replica start exits 0 on SIGTERM\n${second.output().stderr}`);
});
