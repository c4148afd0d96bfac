/** --network / --root-key / --canister: which endpoint, which root key, which canister. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IC_ROOT_KEY } from '@dfinity/agent';

import { CliError } from '../../attestor/cli/errors.js';
import { IC_URL, LOCAL_DFX_URL, governanceNetworkOf, resolveCanisterId, resolveNetwork, sameEndpoint } from '../../attestor/network/resolve.js';
import { tempDir } from './helpers.js';

const CANISTER = 'bkyz2-fmaaa-aaaaa-qaaaq-cai';

test('ic: icp-api.io with the hard-coded mainnet root key, never fetched', () => {
  const t = resolveNetwork({ network: 'ic', stateDir: tempDir() });
  assert.equal(t.url, IC_URL);
  assert.equal(t.url, 'https://icp-api.io');
  assert.equal(t.rootKey.kind, 'mainnet');
  assert.equal(t.rootKey.kind === 'mainnet' && Buffer.from(t.rootKey.key).toString('hex'), IC_ROOT_KEY);
  assert.equal(IC_ROOT_KEY.length, 266); // 133-byte DER: BLS G2 key behind its prefix
});

test('ic refuses a --root-key: mainnet trust is not configurable', () => {
  const dir = tempDir();
  const file = join(dir, 'k.hex');
  writeFileSync(file, 'aabb');
  assert.throws(() => resolveNetwork({ network: 'ic', rootKeyFile: file }), (e: unknown) => e instanceof CliError && e.kind === 'usage');
});

test('local (the default): dfx\'s 127.0.0.1:4943, root key fetched', () => {
  for (const network of ['local', undefined]) {
    const t = resolveNetwork({ network, stateDir: tempDir() });
    assert.equal(t.name, 'local');
    assert.equal(t.url, LOCAL_DFX_URL);
    assert.equal(t.url, 'http://127.0.0.1:4943');
    assert.equal(t.rootKey.kind, 'fetch');
  }
});

test('a URL: that host; root key from --root-key (hex or DER), from local.json when it is the embedded replica, else fetched', () => {
  const dir = tempDir();
  const plain = resolveNetwork({ network: 'http://127.0.0.1:8123/', stateDir: dir });
  assert.equal(plain.name, 'url');
  assert.equal(plain.url, 'http://127.0.0.1:8123');
  assert.equal(plain.rootKey.kind, 'fetch');

  const hexFile = join(dir, 'root.hex');
  writeFileSync(hexFile, 'deadbeef\n');
  const fromHex = resolveNetwork({ network: 'http://127.0.0.1:8123', rootKeyFile: hexFile, stateDir: dir });
  assert.equal(fromHex.rootKey.kind, 'file');
  assert.deepEqual(fromHex.rootKey.kind === 'file' && [...fromHex.rootKey.key], [0xde, 0xad, 0xbe, 0xef]);

  const derFile = join(dir, 'root.der');
  writeFileSync(derFile, Buffer.from([0x30, 0x03, 0x02, 0x01, 0x05]));
  const fromDer = resolveNetwork({ network: 'http://127.0.0.1:8123', rootKeyFile: derFile, stateDir: dir });
  assert.deepEqual(fromDer.rootKey.kind === 'file' && [...fromDer.rootKey.key], [0x30, 0x03, 0x02, 0x01, 0x05]);

  writeFileSync(join(dir, 'local.json'), JSON.stringify({ url: 'http://127.0.0.1:8123', canisterId: CANISTER, rootKeyHex: '0102' }));
  const fromState = resolveNetwork({ network: 'http://localhost:8123', stateDir: dir });
  assert.equal(fromState.rootKey.kind, 'state');
  assert.deepEqual(fromState.rootKey.kind === 'state' && [...fromState.rootKey.key], [1, 2]);
  const other = resolveNetwork({ network: 'http://127.0.0.1:9999', stateDir: dir });
  assert.equal(other.rootKey.kind, 'fetch');
});

test('bad --network values are usage errors', () => {
  for (const network of ['mainnet', 'ftp://x', 'http://']) {
    assert.throws(() => resolveNetwork({ network, stateDir: tempDir() }), (e: unknown) => e instanceof CliError && e.exitCode === 2, network);
  }
});

test('canister id: --canister, then local.json of the same endpoint, then dfx\'s canister_ids.json; ic has no default yet', () => {
  const cwd = tempDir();
  const stateDir = join(cwd, '.icos-attest');
  const local = resolveNetwork({ network: 'local', stateDir });
  assert.throws(() => resolveCanisterId(local, { stateDir }, cwd), /no canister id for http:\/\/127\.0\.0\.1:4943.*--canister/);
  assert.equal(resolveCanisterId(local, { canister: CANISTER, stateDir }, cwd), CANISTER);
  assert.throws(() => resolveCanisterId(local, { canister: 'not a principal', stateDir }, cwd), (e: unknown) => e instanceof CliError && e.kind === 'usage');

  mkdirSync(join(cwd, '.dfx', 'local'), { recursive: true });
  writeFileSync(join(cwd, '.dfx', 'local', 'canister_ids.json'), JSON.stringify({ attestations: { local: 'uxrrr-q7777-77774-qaaaq-cai' } }));
  assert.equal(resolveCanisterId(local, { stateDir }, cwd), 'uxrrr-q7777-77774-qaaaq-cai');

  mkdirSync(stateDir, { recursive: true });
  writeFileSync(join(stateDir, 'local.json'), JSON.stringify({ url: 'http://127.0.0.1:4943', canisterId: CANISTER, rootKeyHex: '00' }));
  assert.equal(resolveCanisterId(local, { stateDir }, cwd), CANISTER);

  const ic = resolveNetwork({ network: 'ic', stateDir });
  assert.throws(() => resolveCanisterId(ic, { stateDir }, cwd), /not deployed on mainnet yet/);
});

test('governance network, one rule for every command: explicit, else a local --network, else ic', () => {
  assert.equal(governanceNetworkOf('http://10.0.0.1:8080', 'local'), 'http://10.0.0.1:8080');
  assert.equal(governanceNetworkOf(undefined, 'local'), 'local');
  assert.equal(governanceNetworkOf(undefined, 'http://127.0.0.1:4943'), 'http://127.0.0.1:4943');
  assert.equal(governanceNetworkOf(undefined, 'http://localhost:8000'), 'http://localhost:8000');
  // a remote URL may be a boundary node of mainnet: governance stays on mainnet's pinned root key
  assert.equal(governanceNetworkOf(undefined, 'https://icp-api.io'), 'ic');
  assert.equal(governanceNetworkOf(undefined, 'ic'), 'ic');
  assert.equal(governanceNetworkOf(undefined, undefined), 'ic');
});

test('sameEndpoint treats localhost and 127.0.0.1 alike, ports must match', () => {
  assert.ok(sameEndpoint('http://localhost:4943', 'http://127.0.0.1:4943/'));
  assert.ok(!sameEndpoint('http://127.0.0.1:4943', 'http://127.0.0.1:4944'));
  assert.ok(!sameEndpoint('https://127.0.0.1:4943', 'http://127.0.0.1:4943'));
});

test('local: the embedded replica\'s local.json pins the root key when it serves 127.0.0.1:4943', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'local.json'), JSON.stringify({ url: 'http://127.0.0.1:4943', canisterId: CANISTER, rootKeyHex: '0a0b' }));
  const t = resolveNetwork({ network: 'local', stateDir: dir });
  assert.equal(t.rootKey.kind, 'state');
  assert.deepEqual(t.rootKey.kind === 'state' && [...t.rootKey.key], [10, 11]);
  writeFileSync(join(dir, 'local.json'), JSON.stringify({ url: 'http://127.0.0.1:8000', canisterId: CANISTER, rootKeyHex: '0a0b' }));
  assert.equal(resolveNetwork({ network: 'local', stateDir: dir }).rootKey.kind, 'fetch');
});
