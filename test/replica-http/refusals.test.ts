/** What the served replica and the agent refuse: untrusted keys, forged or expired requests. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AgentError, Cbor, HttpErrorCode, IngressExpiryInvalidErrorCode, SignIdentity, TrustError, Expiry,
  type HttpAgentRequest, type PublicKey, type Signature,
} from '@dfinity/agent';
import { IDL } from '@dfinity/candid';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';
import { replicaKeys } from '../../replica/http/replica-keys.js';
import { startLocalReplica, type LocalReplica } from './local-replica.js';
import { callContent, envelope, expiryIn, readStateContent } from './envelopes.js';

let r: LocalReplica;
before(async () => { r = await startLocalReplica(); });
after(async () => { await r.close(); });

/** Presents one key and signs with another: a forged sender signature. */
class ForgingIdentity extends SignIdentity {
  constructor(private readonly shown: Ed25519KeyIdentity, private readonly signer: Ed25519KeyIdentity) { super(); }
  getPublicKey(): PublicKey { return this.shown.getPublicKey(); }
  sign(blob: Uint8Array): Promise<Signature> { return this.signer.sign(blob); }
}

/** Signs honestly but with an ingress expiry in the past. */
class ExpiredIdentity extends SignIdentity {
  constructor(private readonly inner: Ed25519KeyIdentity) { super(); }
  getPublicKey(): PublicKey { return this.inner.getPublicKey(); }
  sign(blob: Uint8Array): Promise<Signature> { return this.inner.sign(blob); }
  override transformRequest(request: HttpAgentRequest): Promise<unknown> {
    const past = Expiry.fromDeltaInMilliseconds(-10 * 60_000);
    return super.transformRequest({ ...request, body: { ...request.body, ingress_expiry: past } } as HttpAgentRequest);
  }
}

const httpError = (status: number, body: RegExp) => (e: unknown) => {
  assert.ok(e instanceof AgentError, `expected an AgentError, got ${e}`);
  const code = e.cause.code;
  assert.ok(code instanceof HttpErrorCode, `expected an HTTP error, got ${code.constructor.name}`);
  assert.equal(code.status, status);
  assert.match(code.bodyText ?? '', body);
  return true;
};

test('an agent trusting another root key refuses updates and queries (TrustError)', async () => {
  const other = replicaKeys();
  assert.ok(other.ok);
  const probe = r.probe(await r.agent(undefined, { rootKey: other.ok ? other.keys.rootKey : undefined, retryTimes: 0 }));
  await assert.rejects(probe.put('untrusted', 'x'), (e: unknown) => e instanceof TrustError);
  await assert.rejects(probe.whoami(), (e: unknown) => e instanceof TrustError);
});

test('a forged sender signature is refused with HTTP 400 and nothing runs', async () => {
  const victim = Ed25519KeyIdentity.generate();
  const forger = new ForgingIdentity(victim, Ed25519KeyIdentity.generate());
  const probe = r.probe(await r.agent(forger, { retryTimes: 0 }));
  await assert.rejects(probe.put('forged', 'x'), httpError(400, /^Invalid signature: Invalid basic signature/));
  await assert.rejects(probe.whoami(), httpError(400, /^Invalid signature/));
  assert.deepEqual(await r.probe(await r.agent()).get('forged'), []);
});

test('an expired request is refused (the agent re-syncs its clock, then gives up) and nothing runs', async () => {
  const probe = r.probe(await r.agent(new ExpiredIdentity(Ed25519KeyIdentity.generate()), { retryTimes: 0 }));
  await assert.rejects(probe.put('expired', 'x'), (e: unknown) => e instanceof AgentError && e.cause.code instanceof IngressExpiryInvalidErrorCode);
  assert.deepEqual(await r.probe(await r.agent()).get('expired'), []);
});

async function post(path: string, body: Uint8Array): Promise<{ status: number; text: string; bytes: Uint8Array }> {
  const res = await fetch(`${r.server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/cbor' }, body: body as Uint8Array<ArrayBuffer> });
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, text: new TextDecoder().decode(bytes), bytes };
}
const putArg = (k: string) => new Uint8Array(IDL.encode([IDL.Text, IDL.Text], [k, 'v']));

test('raw HTTP: an expired envelope gets the IC\'s text, a sender that is not the key\'s principal is refused', async () => {
  const id = Ed25519KeyIdentity.generate();
  const expired = await envelope(id, callContent(id, { canisterId: r.probeId, method: 'put', arg: putArg('raw-expired'), expiry: expiryIn(-60_000) }));
  const a = await post(`/api/v3/canister/${r.probeId.toText()}/call`, expired);
  assert.equal(a.status, 400);
  assert.match(a.text, /^Invalid request expiry: Specified ingress_expiry not within expected range/);
  const mismatched = await envelope(id, { ...callContent(id, { canisterId: r.probeId, method: 'put', arg: putArg('raw-mismatch') }), sender: r.controller.getPrincipal() });
  const b = await post(`/api/v2/canister/${r.probeId.toText()}/call`, mismatched);
  assert.equal(b.status, 400);
  assert.match(b.text, /is not the principal of sender_pubkey/);
  assert.deepEqual(await r.probe(await r.agent()).get('raw-expired'), []);
  assert.deepEqual(await r.probe(await r.agent()).get('raw-mismatch'), []);
});

test('raw HTTP: the same signed call sent twice runs once (replay protection)', async () => {
  const id = Ed25519KeyIdentity.generate();
  const body = await envelope(id, callContent(id, { canisterId: r.probeId, method: 'put', arg: putArg('replayed') }));
  const path = `/api/v3/canister/${r.probeId.toText()}/call`;
  const probe = r.probe(await r.agent());
  // put returns the canister's count of puts so far.
  const before = await probe.put('before-replay', 'v');
  const first = await post(path, body);
  const second = await post(path, body);
  assert.equal(first.status, 200);
  assert.equal(second.status, 200);
  assert.deepEqual(second.bytes.length > 0, true);
  assert.equal(await probe.put('after-replay', 'v'), before + 2n);
});

test('raw HTTP: a request to a canister other than the URL\'s, and a read of someone else\'s request status, are refused', async () => {
  const id = Ed25519KeyIdentity.generate();
  const elsewhere = Principal.fromText('ryjl3-tyaaa-aaaaa-aaaba-cai');
  const body = await envelope(id, callContent(id, { canisterId: elsewhere, method: 'put', arg: putArg('wrong-url') }));
  const a = await post(`/api/v3/canister/${r.probeId.toText()}/call`, body);
  assert.equal(a.status, 400);
  assert.match(a.text, /does not match effective canister id/);

  const call = await envelope(id, callContent(id, { canisterId: r.probeId, method: 'put', arg: putArg('mine') }));
  assert.equal((await post(`/api/v3/canister/${r.probeId.toText()}/call`, call)).status, 200);
  const { requestIdOf } = await import('@dfinity/agent');
  const rid = requestIdOf(Cbor.decode<{ content: Record<string, unknown> }>(call).content);
  const snoop = Ed25519KeyIdentity.generate();
  const read = await envelope(snoop, readStateContent(snoop, [[new TextEncoder().encode('request_status'), rid]]));
  const b = await post(`/api/v2/canister/${r.probeId.toText()}/read_state`, read);
  assert.equal(b.status, 403);
});

test('raw HTTP: bodies over the limit get 413, unknown routes 404, bad CBOR and bad ids 400', async () => {
  const big = await post(`/api/v2/canister/${r.probeId.toText()}/call`, new Uint8Array(5 * 1024 * 1024));
  assert.equal(big.status, 413);
  assert.equal((await post('/api/v9/whatever', new Uint8Array(1))).status, 404);
  const junk = await post(`/api/v2/canister/${r.probeId.toText()}/query`, new Uint8Array([1, 2, 3]));
  assert.equal(junk.status, 400);
  const badId = await post('/api/v2/canister/not-a-principal/query', new Uint8Array([1]));
  assert.equal(badId.status, 400);
  assert.match(badId.text, /Invalid canister id in the URL/);
});
