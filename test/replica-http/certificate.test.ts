import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Certificate, CanisterStatus, AgentError, TrustError, Cbor } from '@dfinity/agent';
import { Principal } from '@dfinity/principal';
import { IDL } from '@dfinity/candid';
import { lebEncode } from '@dfinity/candid';
import { replicaKeys } from '../../replica/http/replica-keys.js';
import { certifiedDataCertificate, signCertificate } from '../../replica/http/certificate.js';
import { label, witness, type StateNode } from '../../protocol/hash-tree.js';
import { subnetNode } from '../../replica/http/state-tree.js';
import { decodeHttpResponse } from '../../replica/http/gateway.js';
import { httpResponse, replyingModule } from './gateway-wasm.js';

const keysOf = (secret?: Uint8Array) => {
  const r = replicaKeys(secret);
  if (!r.ok) throw new Error(r.message);
  return r.keys;
};
const canisterId = Principal.fromText('bkyz2-fmaaa-aaaaa-qaaaq-cai');

function certificateOf(keys = keysOf(), now = BigInt(Date.now()) * 1_000_000n): Uint8Array {
  const state: StateNode = [[label('time'), lebEncode(now)], [label('subnet'), subnetNode(keys)]];
  return signCertificate(keys, witness(state, [[label('time')], [label('subnet')]]));
}

test('the agent verifies a certificate signed with the replica key, and reads its node keys', async () => {
  const keys = keysOf();
  const certificate = certificateOf(keys);
  const cert = await Certificate.create({ certificate, rootKey: keys.rootKey, canisterId });
  assert.ok(cert.lookup_path(['time']));
  const subnet = CanisterStatus.fetchNodeKeys(certificate, canisterId, keys.rootKey);
  assert.equal(subnet.subnetId, keys.subnetId.toText());
  assert.deepEqual([...subnet.nodeKeys.keys()], [keys.nodeId.toText()]);
});

test('the agent refuses the certificate under another root key', async () => {
  const certificate = certificateOf();
  await assert.rejects(Certificate.create({ certificate, rootKey: keysOf().rootKey, canisterId }), (e: unknown) => e instanceof TrustError);
});

test('the agent refuses a certificate whose tree was changed after signing', async () => {
  const keys = keysOf();
  const decoded = Cbor.decode<{ tree: unknown; signature: Uint8Array }>(certificateOf(keys));
  const later = lebEncode(BigInt(Date.now() + 1000) * 1_000_000n);
  const tampered = Cbor.encode({ ...decoded, tree: witness([[label('time'), later]], [[label('time')]]) });
  await assert.rejects(Certificate.create({ certificate: tampered, rootKey: keys.rootKey, canisterId }), (e: unknown) => e instanceof AgentError);
});

test('the same identity key gives the same root key, subnet and node; a bad key is an error value', () => {
  const a = keysOf();
  const b = keysOf(a.blsSecretKey);
  assert.deepEqual(b.rootKey, a.rootKey);
  assert.equal(b.nodeId.toText(), a.nodeId.toText());
  assert.equal(b.subnetId.toText(), a.subnetId.toText());
  const bad = replicaKeys(new Uint8Array(5));
  assert.equal(bad.ok ? 'ok' : bad.kind, 'invalid-identity-key');
});

test('the gateway fixture is valid Wasm and its reply decodes as an HttpResponse (extra fields ignored)', () => {
  const reply = httpResponse(200, 'hi', [['content-type', 'text/plain']], true);
  assert.ok(WebAssembly.validate(replyingModule([{ export: 'canister_query http_request', reply }])));
  const d = decodeHttpResponse(reply);
  assert.ok(d.ok);
  if (d.ok) {
    assert.equal(d.response.statusCode, 200);
    assert.equal(new TextDecoder().decode(d.response.body), 'hi');
    assert.equal(d.response.upgrade, true);
  }
  assert.equal(decodeHttpResponse(new Uint8Array(IDL.encode([IDL.Text], ['no']))).ok, false);
});

test('a data certificate for a query proves the canister\'s certified data under the root key', async () => {
  const keys = keysOf();
  const data = new Uint8Array(32).fill(0xab);
  const certificate = certifiedDataCertificate(keys, BigInt(Date.now()) * 1_000_000n, canisterId, data);
  const cert = await Certificate.create({ certificate, rootKey: keys.rootKey, canisterId });
  const found = cert.lookup_path(['canister', canisterId.toUint8Array(), 'certified_data']);
  assert.deepEqual('value' in found ? new Uint8Array(found.value) : null, data);
});
