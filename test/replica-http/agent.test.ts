/** The real @dfinity/agent (HttpAgent + Actor) against the served runtime, verification on. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Actor, AnonymousIdentity, CanisterStatus, Cbor, Certificate, RejectError, CertifiedRejectErrorCode, UncertifiedRejectErrorCode } from '@dfinity/agent';
import { DelegationChain, DelegationIdentity, ECDSAKeyIdentity, Ed25519KeyIdentity } from '@dfinity/identity';
import { Secp256k1KeyIdentity } from '@dfinity/identity-secp256k1';
import { bytesToHex } from '@noble/hashes/utils';
import { sha256 } from '@noble/hashes/sha2';
import { Principal } from '@dfinity/principal';
import { envelope, readStateContent } from './envelopes.js';
import { startLocalReplica, probeWasm, type LocalReplica } from './local-replica.js';

let r: LocalReplica;
before(async () => { r = await startLocalReplica(); });
after(async () => { await r.close(); });

/** Routes v3 calls to a path that 404s, so the agent falls back to v2 call + read_state polling. */
const v2Only: typeof fetch = (url, init) =>
  fetch(String(url).replace(/\/api\/v3\/canister\/([^/]+)\/call$/, '/api/v3/canister/$1/call-unsupported'), init);

test('query and update run as the signing identity (Ed25519 and secp256k1)', async () => {
  for (const identity of [Ed25519KeyIdentity.generate(), Secp256k1KeyIdentity.generate()]) {
    const probe = r.probe(await r.agent(identity));
    const me = identity.getPrincipal().toText();
    assert.equal(await probe.whoami(), me);
    assert.equal(await probe.whoami_update(), me);
  }
});

test('a delegated identity (as Internet Identity gives) and an ECDSA P-256 identity are accepted', async () => {
  const root = Ed25519KeyIdentity.generate();
  const session = ECDSAKeyIdentity.generate();
  const s = await session;
  const chain = await DelegationChain.create(root, s.getPublicKey(), new Date(Date.now() + 60_000), { targets: [r.probeId] });
  const delegated = DelegationIdentity.fromDelegation(s, chain);
  const probe = r.probe(await r.agent(delegated));
  assert.equal(await probe.whoami(), root.getPrincipal().toText());
  assert.equal(await probe.whoami_update(), root.getPrincipal().toText());
  assert.equal(await r.probe(await r.agent(s)).whoami_update(), s.getPrincipal().toText());
});

test('an update through the v3 synchronous call is certified and persists', async () => {
  const probe = r.probe(await r.agent());
  const before = await probe.put('v3-key', 'v3-value');
  assert.equal(typeof before, 'bigint');
  assert.deepEqual(await probe.get('v3-key'), ['v3-value']);
});

test('an update through v2 call + read_state polling gives the same result', async () => {
  let sawV2 = false;
  const probe = r.probe(await r.agent(undefined, {
    fetch: (url, init) => { if (String(url).includes('/api/v2/canister/') && String(url).endsWith('/call')) sawV2 = true; return v2Only(url, init); },
  }));
  await probe.put('v2-key', 'v2-value');
  assert.ok(sawV2, 'the agent used POST /api/v2/.../call');
  assert.deepEqual(await probe.get('v2-key'), ['v2-value']);
});

test('a trap becomes the agent\'s RejectError (certified, v3 and v2), and nothing is kept', async () => {
  for (const agent of [await r.agent(), await r.agent(undefined, { fetch: v2Only })]) {
    const probe = r.probe(agent);
    await assert.rejects(probe.put_then_trap('trapped-key'), (e: unknown) => {
      assert.ok(e instanceof RejectError);
      assert.ok(e.cause.code instanceof CertifiedRejectErrorCode);
      assert.equal(e.cause.code.rejectCode, 5);
      assert.equal(e.cause.code.rejectErrorCode, 'IC0503');
      assert.match(e.cause.code.rejectMessage, /boom trapped-key/);
      return true;
    });
  }
  assert.deepEqual(await r.probe(await r.agent()).get('trapped-key'), []);
});

test('a canister reject reaches the agent with reject code 4 and its message', async () => {
  const probe = r.probe(await r.agent());
  await assert.rejects(probe.reject_with('no thanks'), (e: unknown) =>
    e instanceof RejectError && e.cause.code instanceof CertifiedRejectErrorCode && e.cause.code.rejectCode === 4 && e.cause.code.rejectMessage === 'no thanks');
});

test('a query for a method the canister lacks is an uncertified RejectError with code 3', async () => {
  const missing = Actor.createActor<{ get_nothing(): Promise<string> }>(
    ({ IDL }) => IDL.Service({ get_nothing: IDL.Func([], [IDL.Text], ['query']) }),
    { agent: await r.agent(), canisterId: r.probeId },
  );
  await assert.rejects(missing.get_nothing(), (e: unknown) =>
    e instanceof RejectError && e.cause.code instanceof UncertifiedRejectErrorCode && e.cause.code.rejectCode === 3 && e.cause.code.rejectErrorCode === 'IC0302');
});

test('the anonymous identity can query and call', async () => {
  const probe = r.probe(await r.agent(new AnonymousIdentity()));
  assert.equal(await probe.whoami(), '2vxsx-fae');
  assert.equal(await probe.whoami_update(), '2vxsx-fae');
});

test('read_state gives module_hash, controllers and candid:service through CanisterStatus', async () => {
  const agent = await r.agent();
  const status = await CanisterStatus.request({ canisterId: r.probeId, agent, paths: ['module_hash', 'controllers', 'candid', 'time'] });
  assert.equal(status.get('module_hash'), bytesToHex(sha256(probeWasm())));
  assert.deepEqual((status.get('controllers') as { toText(): string }[]).map((p) => p.toText()), [r.controller.getPrincipal().toText()]);
  assert.match(String(status.get('candid')), /put_then_trap/);
  const t = status.get('time') as Date;
  assert.ok(Math.abs(t.getTime() - Date.now()) < 60_000, 'replica time follows the wall clock');
});

test('canister time follows the wall clock while served', async () => {
  const probe = r.probe(await r.agent());
  const ns = await probe.now();
  assert.ok(ns >= BigInt(Date.now() - 60_000) * 1_000_000n);
});

test('a query that reads its data certificate runs with the server as certificate provider (content checked in certificate.test.ts)', async () => {
  assert.equal(await r.probe(await r.agent()).has_certificate(), true);
});

test('the subnet read_state endpoint certifies the subnet key and refuses canister paths', async () => {
  const identity = Ed25519KeyIdentity.generate();
  const subnetId = Principal.selfAuthenticating(r.server.rootKey);
  const enc = new TextEncoder();
  const url = `${r.server.url}/api/v2/subnet/${subnetId.toText()}/read_state`;
  const post = async (paths: Uint8Array[][]) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/cbor' }, body: (await envelope(identity, readStateContent(identity, paths))) as Uint8Array<ArrayBuffer> });
  const ok = await post([[enc.encode('subnet'), subnetId.toUint8Array(), enc.encode('public_key')]]);
  assert.equal(ok.status, 200);
  const { certificate } = Cbor.decode<{ certificate: Uint8Array }>(new Uint8Array(await ok.arrayBuffer()));
  const cert = await Certificate.create({ certificate, rootKey: r.server.rootKey, canisterId: r.probeId });
  const key = cert.lookup_path(['subnet', subnetId.toUint8Array(), 'public_key']);
  assert.deepEqual('value' in key ? new Uint8Array(key.value) : null, r.server.rootKey);
  const refused = await post([[enc.encode('canister'), r.probeId.toUint8Array(), enc.encode('module_hash')]]);
  assert.equal(refused.status, 404);
});
