/**
 * `submit good bad`: the canister stores one envelope and refuses the other. The output names
 * what was stored (text and --json) before the command exits non-zero with one error line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { syntheticResult } from '../fixtures/synthetic-result.js';
import { canisterWasmCopy, errLines, isolatedEnv, runCli, spawnCli, tempDir } from './helpers.js';

test('submit reports each envelope: the stored id, the refusal; exit 2 only after saying so', { timeout: 300_000 }, async (t) => {
  const home = tempDir();
  const stateDir = join(home, 'state');
  const env = isolatedEnv(home);
  const wasm = canisterWasmCopy(home);
  const child = spawnCli(['replica', 'start', '--port', '0', '--json', '--state-dir', stateDir, '--wasm', wasm], { env });
  t.after(() => {
    child.kill('SIGKILL');
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const started = await new Promise<{ url: string }>((resolve, reject) => {
    const timer = setInterval(() => {
      try {
        resolve(JSON.parse(out) as { url: string });
        clearInterval(timer);
      } catch {
        /* not complete yet */
      }
    }, 100);
    child.on('close', (code) => {
      clearInterval(timer);
      reject(new Error(`replica start exited with ${code}`));
    });
  });
  const net = ['--network', started.url, '--state-dir', stateDir, '--identity', 'rev'];
  const made0 = await runCli(['identity', 'new', 'rev'], { env });
  assert.equal(made0.code, 0, made0.stderr);

  const result = join(home, 'result.json');
  writeFileSync(result, JSON.stringify(syntheticResult({ proposal: '140077', oses: ['guestos', 'hostos'], divergeOs: null })));
  const good = join(home, 'good.dsse.json');
  const bad = join(home, 'bad.dsse.json');
  assert.equal((await runCli(['attest', result, '--os', 'guestos', '-o', good, '--identity', 'rev'], { env })).code, 0);
  // supersedes an attestation that does not exist: the canister refuses it
  const made = await runCli(['attest', result, '--os', 'hostos', '--supersedes', '999999', '-o', bad, '--identity', 'rev'], { env });
  assert.equal(made.code, 0, made.stderr);

  const text = await runCli(['submit', good, bad, ...net, '--quiet'], { env });
  assert.equal(text.code, 2, text.stderr);
  assert.match(text.stdout, new RegExp(`submitted ${good.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: attestation \\d+`));
  assert.match(text.stdout, /NOT STORED .*bad\.dsse\.json .*999999/);
  assert.equal(errLines(text).length, 1, text.stderr);
  assert.match(text.stderr, /^icos-attest: 1 stored \(.*good\.dsse\.json: id \d+\), 1 of 2 not stored: .*bad\.dsse\.json/);

  // again with --json: the same envelope gets the same id; the refusal has its kind
  const json = await runCli(['submit', good, bad, ...net, '--json'], { env });
  assert.equal(json.code, 2, json.stderr);
  const doc = JSON.parse(json.stdout) as { submitted: { path: string; id: string }[]; failed: { path: string; error: { kind: string; message: string } }[] };
  assert.deepEqual(doc.submitted.map((s) => s.path), [good]);
  assert.match(doc.submitted[0]!.id, /^\d+$/);
  assert.equal(doc.failed.length, 1);
  assert.equal(doc.failed[0]!.path, bad);
  assert.equal(doc.failed[0]!.error.kind, 'canister');
  assert.equal(errLines(json).length, 1, json.stderr);
});
