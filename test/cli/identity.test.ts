/** identity new|import|show through the real CLI; PEM formats from openssl; the two faces of one key. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { signerFromSecretKey } from '../../protocol/index.js';
import { loadIdentity } from '../../attestor/identity/load.js';
import { parsePrivateKeyPem } from '../../attestor/identity/pem.js';
import { errLines, hasOpenssl, isolatedEnv, openssl, runCli, tempDir } from './helpers.js';

const PRINCIPAL = /^[a-z0-9]{5}(-[a-z0-9]{1,5})+$/;

test('identity new writes a 0600 Ed25519 PEM, refuses to overwrite, and show reports it', async () => {
  const home = tempDir();
  const env = isolatedEnv(home);
  const created = await runCli(['identity', 'new', 'alice', '--json'], { env });
  assert.equal(created.code, 0, created.stderr);
  const j = JSON.parse(created.stdout) as { name: string; principal: string; keyType: string; path: string };
  assert.equal(j.name, 'alice');
  assert.equal(j.keyType, 'ed25519');
  assert.match(j.principal, PRINCIPAL);
  assert.equal(j.path, join(home, '.config', 'dfx', 'identity', 'alice', 'identity.pem'));
  assert.equal(statSync(j.path).mode & 0o777, 0o600);
  assert.match(readFileSync(j.path, 'utf8'), /^-----BEGIN PRIVATE KEY-----\n/);

  const again = await runCli(['identity', 'new', 'alice'], { env });
  assert.equal(again.code, 2);
  assert.equal(errLines(again).length, 1);
  assert.match(again.stderr, /already exists/);

  const shown = await runCli(['identity', 'show', '--identity', 'alice', '--json'], { env });
  assert.equal(shown.code, 0, shown.stderr);
  assert.equal(JSON.parse(shown.stdout).principal, j.principal);

  // dfx's default identity comes from identity.json
  writeFileSync(join(home, '.config', 'dfx', 'identity.json'), JSON.stringify({ default: 'alice' }));
  const byDefault = await runCli(['identity', 'show', '--json'], { env });
  assert.equal(byDefault.code, 0, byDefault.stderr);
  assert.equal(JSON.parse(byDefault.stdout).principal, j.principal);
});

test('a missing identity is one clear line and exit 2', async () => {
  const env = isolatedEnv(tempDir());
  const r = await runCli(['identity', 'show', '--identity', 'nobody'], { env });
  assert.equal(r.code, 2);
  assert.deepEqual(errLines(r).length, 1);
  assert.match(r.stderr, /no dfx identity "nobody".*identity new nobody/);
});

test('openssl PEMs: Ed25519 PKCS#8, secp256k1 SEC1 with EC PARAMETERS, secp256k1 PKCS#8 import and show', { skip: !hasOpenssl() }, async () => {
  const home = tempDir();
  const env = isolatedEnv(home);
  const ed = join(home, 'ed.pem');
  const k1 = join(home, 'k1.pem');
  const k1p8 = join(home, 'k1p8.pem');
  openssl(['genpkey', '-algorithm', 'ed25519', '-out', ed]);
  openssl(['ecparam', '-name', 'secp256k1', '-genkey', '-out', k1]);
  openssl(['pkcs8', '-topk8', '-nocrypt', '-in', k1, '-out', k1p8]);
  assert.match(readFileSync(k1, 'utf8'), /BEGIN EC PARAMETERS[\s\S]*BEGIN EC PRIVATE KEY/);

  const principals: Record<string, string> = {};
  for (const [name, file, keyType] of [['ed', ed, 'ed25519'], ['k1', k1, 'secp256k1'], ['k1p8', k1p8, 'secp256k1']] as const) {
    const r = await runCli(['identity', 'import', name, file, '--json'], { env });
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { keyType: string; principal: string; path: string };
    assert.equal(j.keyType, keyType);
    assert.equal(statSync(j.path).mode & 0o777, 0o600);
    const viaPem = await runCli(['identity', 'show', '--pem', file, '--json'], { env });
    assert.equal(JSON.parse(viaPem.stdout).principal, j.principal);
    principals[name] = j.principal;
  }
  // SEC1 and PKCS#8 of the same secp256k1 key are the same reviewer
  assert.equal(principals.k1, principals.k1p8);
  assert.notEqual(principals.ed, principals.k1);
});

test('the protocol Signer and the agent Identity of one PEM have the same principal and public key', { skip: !hasOpenssl() }, () => {
  const home = tempDir();
  const ed = join(home, 'ed.pem');
  const k1 = join(home, 'k1.pem');
  openssl(['genpkey', '-algorithm', 'ed25519', '-out', ed]);
  openssl(['ecparam', '-name', 'secp256k1', '-genkey', '-out', k1]);
  for (const file of [ed, k1]) {
    const id = loadIdentity({ pem: file });
    const signer = signerFromSecretKey(id.keyType, id.secret);
    assert.equal(signer.principal, id.principal);
    assert.deepEqual(Buffer.from(signer.publicKeyDer), Buffer.from(id.agentIdentity.getPublicKey().toDer()));
  }
});

test('dfx\'s older Ed25519 PEM (PKCS#8 v2 with the public key) parses to the same seed', () => {
  const seed = Buffer.alloc(32, 7);
  const signer = signerFromSecretKey('ed25519', new Uint8Array(seed));
  const pub = Buffer.from(signer.publicKeyDer).subarray(-32);
  const der = Buffer.concat([
    Buffer.from('3053020101300506032b657004220420', 'hex'),
    seed,
    Buffer.from('a123032100', 'hex'),
    pub
  ]);
  const pem = `-----BEGIN PRIVATE KEY-----\n${der.toString('base64')}\n-----END PRIVATE KEY-----\n`;
  const parsed = parsePrivateKeyPem(pem);
  assert.ok(parsed.ok);
  assert.equal(parsed.key.keyType, 'ed25519');
  assert.deepEqual(Buffer.from(parsed.key.secret), seed);
});

test('encrypted and unsupported PEMs: exit 2, one line that says what to do', { skip: !hasOpenssl() }, async () => {
  const home = tempDir();
  const env = isolatedEnv(home);
  const encPkcs8 = join(home, 'enc.pem');
  const encSec1 = join(home, 'enc-sec1.pem');
  const plainK1 = join(home, 'k1.pem');
  const p256 = join(home, 'p256.pem');
  openssl(['genpkey', '-algorithm', 'ed25519', '-aes256', '-pass', 'pass:secret', '-out', encPkcs8]);
  openssl(['ecparam', '-name', 'secp256k1', '-genkey', '-noout', '-out', plainK1]);
  openssl(['ec', '-in', plainK1, '-aes256', '-passout', 'pass:secret', '-out', encSec1]);
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', p256]);
  for (const file of [encPkcs8, encSec1]) {
    const r = await runCli(['identity', 'show', '--pem', file], { env });
    assert.equal(r.code, 2);
    assert.equal(errLines(r).length, 1, r.stderr);
    assert.match(r.stderr, /encrypted.*dfx identity export/);
  }
  const imp = await runCli(['identity', 'import', 'x', encPkcs8], { env });
  assert.equal(imp.code, 2);
  assert.match(imp.stderr, /encrypted/);
  const curve = await runCli(['identity', 'show', '--pem', p256], { env });
  assert.equal(curve.code, 2);
  assert.equal(errLines(curve).length, 1);
  assert.match(curve.stderr, /P-256.*not supported.*Ed25519 or secp256k1/);
  const json = await runCli(['identity', 'show', '--pem', p256, '--json'], { env });
  assert.equal(JSON.parse(json.stdout).error.kind, 'input');
});

test('an unreadable PEM: exit 2, one line', async () => {
  const home = tempDir();
  const env = isolatedEnv(home);
  const missing = await runCli(['identity', 'show', '--pem', join(home, 'nope.pem')], { env });
  assert.equal(missing.code, 2);
  assert.equal(errLines(missing).length, 1);
  assert.match(missing.stderr, /cannot read PEM file .*nope\.pem: no such file/);
  const garbage = join(home, 'garbage.pem');
  writeFileSync(garbage, '-----BEGIN PRIVATE KEY-----\nnot base64 at all!\n-----END PRIVATE KEY-----\n');
  const bad = await runCli(['identity', 'show', '--pem', garbage], { env });
  assert.equal(bad.code, 2);
  assert.equal(errLines(bad).length, 1);
});
