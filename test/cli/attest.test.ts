/** attest writes the envelope to disk (atomically, never replacing a different one) and it verifies. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { verifyEnvelope, signerFromSecretKey } from '../../protocol/index.js';
import { syntheticResult, syntheticHash } from '../fixtures/synthetic-result.js';
import { loadIdentity } from '../../attestor/identity/load.js';
import { errLines, isolatedEnv, runCli, tempDir } from './helpers.js';

async function setup() {
  const home = tempDir();
  const env = isolatedEnv(home);
  const made = await runCli(['identity', 'new', 'rev', '--json'], { env });
  assert.equal(made.code, 0, made.stderr);
  const result = join(home, 'result.json');
  writeFileSync(result, JSON.stringify(syntheticResult({ proposal: '777', oses: ['guestos', 'hostos'], divergeOs: 'hostos' })));
  return { home, env, result, identity: JSON.parse(made.stdout) as { principal: string; path: string } };
}

test('attest: one envelope per OS on disk, signed by the identity, outcomes recomputed; verify passes', async () => {
  const { home, env, result, identity } = await setup();
  const out = join(home, 'att.json');
  const r = await runCli(['attest', result, '-o', out, '--identity', 'rev', '--json'], { env });
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { envelopes: { os: string; path: string; written: string; principal: string; artifacts: { outcome: string; sha256: string }[] }[] };
  assert.deepEqual(j.envelopes.map((e) => e.os), ['guestos', 'hostos']);
  assert.deepEqual(j.envelopes.map((e) => e.path), [join(home, 'att.guestos.json'), join(home, 'att.hostos.json')]);
  assert.deepEqual(j.envelopes.map((e) => e.artifacts[0].outcome), ['match', 'mismatch']);
  assert.equal(j.envelopes[0].artifacts[0].sha256, syntheticHash('guestos'));
  // no temp files left behind
  assert.deepEqual(readdirSync(home).filter((f) => f.includes('.tmp')), []);

  // independent check with the protocol and the key itself
  const id = loadIdentity({ pem: identity.path });
  const key = signerFromSecretKey(id.keyType, id.secret).publicKeyDer;
  for (const e of j.envelopes) {
    assert.equal(e.principal, identity.principal);
    const v = verifyEnvelope(JSON.parse(readFileSync(e.path, 'utf8')), key, { expectedProposal: '777' });
    assert.ok(v.ok, v.ok ? '' : v.error.message);
    assert.equal(v.value.statement.predicate.os, e.os);
  }

  // and through the CLI, offline, with the identity's key
  const ver = await runCli(['verify', ...j.envelopes.map((e) => e.path), '--pem', identity.path, '--json'], { env });
  assert.equal(ver.code, 0, ver.stderr);
  const vj = JSON.parse(ver.stdout) as { ok: boolean; envelopes: { valid: boolean; principal: string }[] };
  assert.ok(vj.ok);
  assert.ok(vj.envelopes.every((x) => x.valid && x.principal === identity.principal));
});

test('attest again with the same result keeps the file; a different result is refused and leaves the file as it was', async () => {
  const { home, env, result } = await setup();
  const out = join(home, 'one.json');
  const first = await runCli(['attest', result, '--os', 'guestos', '-o', out, '--identity', 'rev'], { env });
  assert.equal(first.code, 0, first.stderr);
  const before = readFileSync(out, 'utf8');
  const same = await runCli(['attest', result, '--os', 'guestos', '-o', out, '--identity', 'rev', '--json'], { env });
  assert.equal(same.code, 0, same.stderr);
  assert.equal(JSON.parse(same.stdout).envelopes[0].written, 'unchanged');

  const other = join(home, 'other.json');
  writeFileSync(other, JSON.stringify(syntheticResult({ proposal: '778', oses: ['guestos'] })));
  const refused = await runCli(['attest', other, '-o', out, '--identity', 'rev'], { env });
  assert.equal(refused.code, 2);
  assert.equal(errLines(refused).length, 1);
  assert.match(refused.stderr, /already holds a different envelope/);
  assert.equal(readFileSync(out, 'utf8'), before);
});

test('a tampered envelope fails verification with exit 1; a wrong key with exit 1', async () => {
  const { home, env, result, identity } = await setup();
  const out = join(home, 'g.json');
  assert.equal((await runCli(['attest', result, '--os', 'guestos', '-o', out, '--identity', 'rev'], { env })).code, 0);
  const env1 = JSON.parse(readFileSync(out, 'utf8')) as { payload: string };
  const statement = JSON.parse(Buffer.from(env1.payload, 'base64').toString('utf8'));
  statement.predicate.artifacts[0].size += 1;
  const tampered = join(home, 'tampered.json');
  writeFileSync(tampered, JSON.stringify({ ...env1, payload: Buffer.from(JSON.stringify(statement)).toString('base64') }));
  const bad = await runCli(['verify', tampered, '--pem', identity.path, '--json'], { env });
  assert.equal(bad.code, 1);
  const bj = JSON.parse(bad.stdout) as { ok: boolean; envelopes: { valid: boolean; error: { kind: string } }[] };
  assert.equal(bj.ok, false);
  assert.equal(bj.envelopes[0].error.kind, 'bad-signature');

  assert.equal((await runCli(['identity', 'new', 'other'], { env })).code, 0);
  const wrongKey = await runCli(['verify', out, '--identity', 'other'], { env });
  assert.equal(wrongKey.code, 1);
  assert.match(wrongKey.stdout, /INVALID.*keyid-mismatch/);
});

test('a result file that is not one: exit 2, one line, no envelope written', async () => {
  const { home, env } = await setup();
  const bad = join(home, 'bad.json');
  writeFileSync(bad, JSON.stringify({ proposal: '1', commit: 'nope', environment: {}, startedAt: 'x', finishedAt: 'y', artifacts: [] }));
  const r = await runCli(['attest', bad, '-o', join(home, 'x.json'), '--identity', 'rev'], { env });
  assert.equal(r.code, 2);
  assert.equal(errLines(r).length, 1);
  assert.match(r.stderr, /commit "nope" is not 40 hex digits/);
  assert.ok(!existsSync(join(home, 'x.json')));
});
