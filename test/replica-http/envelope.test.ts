import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnonymousIdentity, requestIdOf, type Identity } from '@dfinity/agent';
import { Ed25519KeyIdentity, ECDSAKeyIdentity, DelegationChain, DelegationIdentity } from '@dfinity/identity';
import { Secp256k1KeyIdentity } from '@dfinity/identity-secp256k1';
import { Principal } from '@dfinity/principal';
import { bytesToHex } from '@noble/hashes/utils';
import { Cbor } from '@dfinity/agent';
import { verifyEnvelope } from '../../replica/http/envelope.js';
import { callContent, envelope, expiryIn, NS_PER_MS, readStateContent } from './envelopes.js';

const canisterId = Principal.fromText('bkyz2-fmaaa-aaaaa-qaaaq-cai');
const arg = new Uint8Array([0x44, 0x49, 0x44, 0x4c, 0, 0]);
const now = () => BigInt(Date.now()) * NS_PER_MS;
const opts = () => ({ now: now(), effectiveCanisterId: canisterId });

async function roundTrip(identity: Identity) {
  const content = callContent(identity, { canisterId, method: 'put', arg });
  const v = verifyEnvelope(await envelope(identity, content), 'call', opts());
  return { v, content };
}

for (const [name, make] of [
  ['Ed25519', async () => Ed25519KeyIdentity.generate()],
  ['secp256k1', async () => Secp256k1KeyIdentity.generate()],
  ['ECDSA P-256', async () => ECDSAKeyIdentity.generate()],
  ['anonymous', async () => new AnonymousIdentity()],
] as const) {
  test(`accepts a ${name} request and reports its sender and request id`, async () => {
    const identity = await make();
    const { v, content } = await roundTrip(identity);
    assert.ok(v.ok, v.ok ? '' : v.error.message);
    assert.equal(v.content.sender.toText(), identity.getPrincipal().toText());
    assert.equal(bytesToHex(v.requestId), bytesToHex(requestIdOf(content)));
    assert.equal(v.content.type, 'call');
    if (v.content.type === 'call') assert.equal(v.content.methodName, 'put');
  });
}

test('refuses a signature that does not match the request', async () => {
  const identity = Ed25519KeyIdentity.generate();
  const body = Cbor.decode<Record<string, any>>(await envelope(identity, callContent(identity, { canisterId, method: 'put', arg })));
  body.sender_sig = new Uint8Array(body.sender_sig);
  body.sender_sig[0] ^= 1;
  const v = verifyEnvelope(Cbor.encode(body), 'call', opts());
  assert.equal(v.ok, false);
  if (!v.ok) {
    assert.equal(v.error.kind, 'invalid-signature');
    assert.match(v.error.message, /^Invalid signature: Invalid basic signature: ed25519 signature could not be verified/);
  }
});

test('refuses a request whose content was changed after signing', async () => {
  const identity = Secp256k1KeyIdentity.generate();
  const body = Cbor.decode<Record<string, any>>(await envelope(identity, callContent(identity, { canisterId, method: 'put', arg })));
  body.content.method_name = 'boom';
  const v = verifyEnvelope(Cbor.encode(body), 'call', opts());
  assert.equal(v.ok ? 'ok' : v.error.kind, 'invalid-signature');
});

test('refuses a sender that is not the principal of the key', async () => {
  const signer = Ed25519KeyIdentity.generate();
  const victim = Ed25519KeyIdentity.generate();
  const content = { ...callContent(signer, { canisterId, method: 'put', arg }), sender: victim.getPrincipal() };
  const v = verifyEnvelope(await envelope(signer, content), 'call', opts());
  assert.equal(v.ok, false);
  if (!v.ok) assert.match(v.error.message, /is not the principal of sender_pubkey/);
});

test('refuses an unsigned request from a non-anonymous sender', async () => {
  const victim = Ed25519KeyIdentity.generate();
  const content = { ...callContent(new AnonymousIdentity(), { canisterId, method: 'put', arg }), sender: victim.getPrincipal() };
  const v = verifyEnvelope(await envelope(new AnonymousIdentity(), content), 'call', opts());
  assert.equal(v.ok ? 'ok' : v.error.kind, 'invalid-signature');
});

test('refuses expired requests and requests too far in the future, with the IC wording', async () => {
  const identity = Ed25519KeyIdentity.generate();
  for (const delta of [-60_000, 20 * 60_000]) {
    const content = callContent(identity, { canisterId, method: 'put', arg, expiry: expiryIn(delta) });
    const v = verifyEnvelope(await envelope(identity, content), 'call', opts());
    assert.equal(v.ok, false);
    if (!v.ok) {
      assert.equal(v.error.kind, 'invalid-expiry');
      assert.match(v.error.message, /^Invalid request expiry: Specified ingress_expiry not within expected range/);
    }
  }
});

test('refuses a request of the wrong type and bytes that are not CBOR', async () => {
  const identity = Ed25519KeyIdentity.generate();
  const q = verifyEnvelope(await envelope(identity, callContent(identity, { canisterId, method: 'get', arg }, 'query')), 'call', opts());
  assert.equal(q.ok ? 'ok' : q.error.kind, 'wrong-request-type');
  const junk = verifyEnvelope(new Uint8Array([0xff, 0x00, 0x13]), 'call', opts());
  assert.equal(junk.ok ? 'ok' : junk.error.kind, 'malformed-request');
});

test('accepts a read_state request and returns its paths', async () => {
  const identity = Ed25519KeyIdentity.generate();
  const paths = [[new TextEncoder().encode('time')]];
  const v = verifyEnvelope(await envelope(identity, readStateContent(identity, paths)), 'read_state', opts());
  assert.ok(v.ok);
  if (v.ok) assert.deepEqual(v.content.paths, paths);
});

async function delegated(expiration: Date, targets?: Principal[]) {
  const root = Ed25519KeyIdentity.generate();
  const session = Ed25519KeyIdentity.generate();
  const chain = await DelegationChain.create(root, session.getPublicKey(), expiration, { targets });
  return { root, identity: DelegationIdentity.fromDelegation(session, chain) };
}

test('accepts a delegated request; the sender is the root key\'s principal', async () => {
  const { root, identity } = await delegated(new Date(Date.now() + 60_000), [canisterId]);
  const { v } = await roundTrip(identity);
  assert.ok(v.ok, v.ok ? '' : v.error.message);
  assert.equal(v.content.sender.toText(), root.getPrincipal().toText());
});

test('refuses an expired delegation and one for other canisters', async () => {
  const expired = await delegated(new Date(Date.now() - 60_000));
  const a = (await roundTrip(expired.identity)).v;
  assert.equal(a.ok, false);
  if (!a.ok) assert.match(a.error.message, /^Invalid delegation: Invalid delegation expiry/);
  const elsewhere = await delegated(new Date(Date.now() + 60_000), [Principal.fromText('ryjl3-tyaaa-aaaaa-aaaba-cai')]);
  const b = (await roundTrip(elsewhere.identity)).v;
  assert.equal(b.ok, false);
  if (!b.ok) assert.match(b.error.message, /is not one of the delegation targets/);
});

test('refuses a delegation signed by a key other than the sender\'s', async () => {
  const { identity } = await delegated(new Date(Date.now() + 60_000));
  const other = Ed25519KeyIdentity.generate();
  const content = callContent(identity, { canisterId, method: 'put', arg });
  const body = Cbor.decode<Record<string, any>>(await envelope(identity, content));
  // Claim the chain starts at another key (and sender accordingly): the first link no longer verifies.
  body.sender_pubkey = new Uint8Array(other.getPublicKey().toDer());
  body.content.sender = other.getPrincipal().toUint8Array();
  const v = verifyEnvelope(Cbor.encode(body), 'call', opts());
  assert.equal(v.ok ? 'ok' : v.error.kind, 'invalid-delegation');
});

test('with replica time moved ahead, an expiry valid against the wall clock is accepted only when the wall clock is given', async () => {
  const identity = Ed25519KeyIdentity.generate();
  const body = await envelope(identity, callContent(identity, { canisterId, method: 'put', arg }));
  const ahead = now() + 3_600_000_000_000n;
  const strict = verifyEnvelope(body, 'call', { now: ahead, effectiveCanisterId: canisterId });
  assert.equal(strict.ok ? 'ok' : strict.error.kind, 'invalid-expiry');
  const lenient = verifyEnvelope(body, 'call', { now: ahead, wallClock: now(), effectiveCanisterId: canisterId });
  assert.ok(lenient.ok);
});
