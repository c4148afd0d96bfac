/**
 * Rollback: the replica's state dir is saved, more is submitted, the old state dir is restored
 * and the replica restarted. `audit` with the tree heads and receipts kept from before must exit 1
 * naming the rollback and the receipt whose entry is gone. And a third party, with a few lines
 * over node:crypto (no import of protocol/), recomputes the Merkle root from the mirrored log
 * and gets the root the IC certified.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { newEd25519Pem } from '../../attestor/identity/dfx.js';
import { syntheticResult } from '../fixtures/synthetic-result.js';
import { ATTESTATIONS_WASM, assertWasm, cliEnv, describeRun, parseJson, removeDir, runCli, startReplica, tempDir, tempHome, type ReplicaProcess } from '../e2e/cli.js';

const base = tempDir('icos-trust-rollback-');
const running: ReplicaProcess[] = [];
after(async () => {
  for (const r of running) await r.stop('SIGKILL');
  removeDir(base);
});

/** RFC 9162 Merkle tree hash, written from the RFC for this test only. */
function thirdPartyRoot(entries: Buffer[]): string {
  const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
  const mth = (d: Buffer[]): Buffer => {
    if (d.length === 0) return sha();
    if (d.length === 1) return sha(Buffer.from([0]), d[0]!);
    let k = 1;
    while (k * 2 < d.length) k *= 2;
    return sha(Buffer.from([1]), mth(d.slice(0, k)), mth(d.slice(k)));
  };
  return mth(entries).toString('hex');
}

test('audit detects a restored (rolled back) replica state; a third party recomputes the certified root', async () => {
  assertWasm(ATTESTATIONS_WASM);
  const home = tempHome(base, 'reviewer');
  const env = cliEnv(home);
  const stateDir = join(base, 'replica-state');
  const saved = join(base, 'replica-state-saved');
  const heads = join(base, 'heads.json'); // the monitor's memory lives apart from the replica's state
  const pem = join(base, 'reviewer.pem');
  writeFileSync(pem, newEd25519Pem(), { mode: 0o600 });
  const start = async () => {
    const r = await startReplica(['--port', '0', '--state-dir', stateDir, '--wasm', ATTESTATIONS_WASM, '--no-build'], { env, cwd: base });
    running.push(r);
    return r;
  };
  const cli = (r: ReplicaProcess, args: string[]) => runCli(['--network', r.info.url, '--state-dir', stateDir, '--pem', pem, ...args], { env, cwd: base });
  const envelopeFor = async (r: ReplicaProcess, proposal: string, name: string) => {
    const resultPath = join(base, `result-${name}.json`);
    writeFileSync(resultPath, JSON.stringify(syntheticResult({ proposal, oses: ['guestos'] })));
    const out = join(base, `${name}.json`);
    const attested = await cli(r, ['attest', resultPath, '-o', out]);
    assert.equal(attested.code, 0, describeRun(attested));
    return out;
  };

  // ---- first run: one attestation, its receipt, the monitor's first head
  let replica = await start();
  const first = await envelopeFor(replica, '700001', 'first');
  const sub1 = await cli(replica, ['--json', 'submit', first, '--name', 'rev']);
  assert.equal(sub1.code, 0, describeRun(sub1));
  assert.equal(parseJson(sub1, 'submit').submitted[0].receipt, `${first}.receipt.json`);
  const receipt1 = JSON.parse(readFileSync(`${first}.receipt.json`, 'utf8'));
  assert.equal(receipt1.format, 'icos-attest/receipt/v1');
  const audit1 = await cli(replica, ['--json', 'audit', '--heads', heads, `${first}.receipt.json`]);
  assert.equal(audit1.code, 0, describeRun(audit1));
  assert.equal(parseJson(audit1, 'audit').relation, 'first');

  // ---- save the state dir (stopped cleanly, so it is complete)
  assert.equal((await replica.stop('SIGINT')).code, 0);
  cpSync(stateDir, saved, { recursive: true });

  // ---- second run: more attestations; the monitor sees the log grow consistently
  replica = await start();
  const second = await envelopeFor(replica, '700002', 'second');
  assert.equal((await cli(replica, ['submit', second])).code, 0);
  const audit2 = await cli(replica, ['--json', 'audit', '--heads', heads, `${first}.receipt.json`, `${second}.receipt.json`, '--mirror', join(base, 'mirror')]);
  assert.equal(audit2.code, 0, describeRun(audit2));
  const a2 = parseJson(audit2, 'audit');
  assert.equal(a2.relation, 'extended');
  assert.deepEqual(a2.receipts.map((x: { included: boolean }) => x.included), [true, true]);

  // The third party: the mirrored log, re-hashed with node:crypto only, gives the certified root.
  const lines = readFileSync(join(base, 'mirror', 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { index: string; entry: string });
  assert.equal(String(lines.length), a2.head.size);
  assert.equal(thirdPartyRoot(lines.map((l) => Buffer.from(l.entry, 'utf8'))), a2.head.root, 'the certified root (checked by audit against the IC certificate)');
  assert.ok(lines.some((l) => JSON.parse(l.entry).kind === 'attestation'));

  // ---- restore the old state dir and restart: the replica now serves the rolled-back log
  assert.equal((await replica.stop('SIGINT')).code, 0);
  rmSync(stateDir, { recursive: true, force: true });
  cpSync(saved, stateDir, { recursive: true });
  replica = await start();
  assert.equal(replica.info.restored, true);
  const audit3 = await cli(replica, ['--json', 'audit', '--heads', heads, `${first}.receipt.json`, `${second}.receipt.json`]);
  assert.equal(audit3.code, 1, describeRun(audit3));
  const a3 = parseJson(audit3, 'audit');
  assert.equal(a3.ok, false);
  assert.ok(a3.problems.some((p: string) => /the log was rolled back: it has \d+ entries, but \d+ were certified before/.test(p)), a3.problems.join('\n'));
  assert.deepEqual(a3.receipts.map((x: { included: boolean }) => x.included), [true, false]);
  assert.match(a3.receipts[1].error, /rolled back/);
  // The human output names it too, and the rolled-back head did not become the reference.
  const human = await cli(replica, ['audit', '--heads', heads]);
  assert.equal(human.code, 1, describeRun(human));
  assert.match(human.stdout, /FAILED:\n {2}the log was rolled back/);
});
