/**
 * Security matrix: every bad request is refused with its own error kind, and nothing stored
 * changes. Ingress updates are refused early by canister_inspect_message (IC0516); the same
 * request made without inspection (as an inter-canister call would be) gets an Err value.
 * Each attack kind is announced as a diagnostic line (`attack: …`), so CI logs show the count.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { EnvelopeIdl, METHODS, SubmitResultIdl, type CandidEnvelope, type Result } from '../../protocol/service.js';
import { ErrorCodes } from '../../replica/runtime/index.js';
import { deploySync, guestSeed, NOW_S } from '../canister-sync/harness.js';
import { seeded } from '../canister-sync/util.js';
import { envelope, hash, profile, reviewer } from './fixtures.js';
import { deploy, type Deployed } from './harness.js';
import { errKind, ok, refusedCode, snapshot } from './util.js';
import { candidBomb, deepCandid, deepJsonEnvelope, freshKey, zeroSizedVec } from './attacks.js';

const tried: string[] = [];
/** Announces one attack kind in the test output (one line each). */
function attack(t: TestContext, kind: string): void {
  tried.push(kind);
  t.diagnostic(`attack: ${kind}`);
}

const P = 140_000n;
const OTHER = 140_001n;
const G = hash('guestos');

const alice = reviewer('alice', 'ed25519');
const mallory = reviewer('mallory', 'secp256k1');
const stranger = reviewer('stranger', 'ed25519'); // never registered

function encode(method: keyof typeof METHODS, args: unknown[]): Uint8Array {
  return new Uint8Array(IDL.encode([...METHODS[method].args], args));
}

/** Flips one bit inside a base64 string's decoded bytes, keeping it valid base64. */
function flipBase64(b64: string, at: number): string {
  const bytes = Buffer.from(b64, 'base64');
  bytes[at % bytes.length] ^= 1;
  return bytes.toString('base64');
}

describe('attestations canister: security matrix', () => {
  let d: Deployed;
  let aliceId: bigint;
  let before_: unknown;
  const good = envelope(alice, { proposal: P, os: 'guestos', built: G, proposalHash: G });

  /** Sends `method(args)` twice: as ingress (inspect must refuse) and directly (Err kind). */
  async function refused(method: keyof typeof METHODS, args: unknown[] | Uint8Array, caller: Principal, kind: string): Promise<void> {
    const arg = args instanceof Uint8Array ? args : encode(method, args);
    const ingress = await d.raw(method, arg, caller, true);
    assert.equal(ingress.kind, 'rejected', `${method}: inspect_message refuses`);
    if (ingress.kind === 'rejected') assert.equal(ingress.errorCode, ErrorCodes.rejectedByInspect);
    const direct = await d.raw(method, arg, caller, false);
    assert.equal(direct.kind, 'replied');
    if (direct.kind === 'replied') {
      const [r] = IDL.decode([METHODS[method].ret], direct.reply) as unknown as [Result<unknown>];
      assert.equal(errKind(r), kind);
    }
  }

  before(async () => {
    d = await deploy();
    ok(await d.as(alice).register_reviewer(profile(alice)));
    ok(await d.as(mallory).register_reviewer(profile(mallory)));
    aliceId = ok(await d.as(alice).submit_attestation(good));
    before_ = await snapshot(d, [P, OTHER]);
  });

  const unchanged = async () => assert.deepEqual(await snapshot(d, [P, OTHER]), before_, 'stored state unchanged');

  it('anonymous caller', async (t) => {
    attack(t, 'anonymous caller of updates');
    await refused('submit_attestation', [good], Principal.anonymous(), 'anonymous');
    await refused('register_reviewer', [profile(alice)], Principal.anonymous(), 'anonymous');
    await refused('revoke_attestation', [aliceId, 'x'], Principal.anonymous(), 'anonymous');
    await unchanged();
  });

  it('unregistered caller', async (t) => {
    attack(t, 'unregistered submitter');
    const env = envelope(stranger, { proposal: P, os: 'guestos', built: G, proposalHash: G });
    await refused('submit_attestation', [env], stranger.principal, 'not-registered');
    await unchanged();
  });

  it('caller is not the principal of the key', async (t) => {
    attack(t, 'registering another\'s key');
    // Registering someone else's key as one's own.
    const r = await d.as(stranger).register_reviewer(profile(alice, 'impostor'));
    assert.equal(errKind(r), 'key-mismatch');
    await unchanged();
  });

  it('bad signature, and a tampered payload', async (t) => {
    attack(t, 'bad signature / tampered payload');
    const sig: CandidEnvelope = { ...good, signatures: [{ ...good.signatures[0], sig: flipBase64(good.signatures[0].sig, 5) }] };
    assert.equal(errKind(await d.as(alice).submit_attestation(sig)), 'bad-signature');
    const payload: CandidEnvelope = { ...good, payload: flipBase64(good.payload, 200) };
    assert.equal(errKind(await d.as(alice).submit_attestation(payload)), 'bad-signature');
    await unchanged();
  });

  it("replayed envelope from another reviewer", async (t) => {
    attack(t, 'replayed envelope of another reviewer');
    // Mallory submits Alice's signed envelope as if it were hers.
    assert.equal(errKind(await d.as(mallory).submit_attestation(good)), 'keyid-mismatch');
    // ... or relabels it with her own keyid: the signature no longer verifies.
    const relabelled: CandidEnvelope = { ...good, signatures: [{ keyid: mallory.principal.toText(), sig: good.signatures[0].sig }] };
    assert.equal(errKind(await d.as(mallory).submit_attestation(relabelled)), 'bad-signature');
    await unchanged();
  });

  it('statement for another proposal than the attestation it supersedes', async (t) => {
    attack(t, 'supersedes across proposals');
    const env = envelope(alice, { proposal: OTHER, os: 'guestos', built: G, proposalHash: G, supersedes: aliceId });
    assert.equal(errKind(await d.as(alice).submit_attestation(env)), 'proposal-mismatch');
    const r = await d.anonymous.verify_envelope(good, alice.signer.publicKeyDer, [OTHER]);
    assert.equal(errKind(r), 'proposal-mismatch');
    await unchanged();
  });

  it('oversized envelope', async (t) => {
    attack(t, 'oversized envelope');
    const big: CandidEnvelope = { ...good, payload: 'A'.repeat(70_000) };
    await refused('submit_attestation', [big], alice.principal, 'oversized');
    await unchanged();
  });

  it('malformed Candid', async (t) => {
    attack(t, 'malformed Candid');
    const garbage = new Uint8Array([...new TextEncoder().encode('DIDL'), 0x01, 0x6c, 0xff, 0xff, 0x00]);
    await refused('submit_attestation', garbage, alice.principal, 'malformed-argument');
    // Valid Candid of the wrong type.
    await refused('submit_attestation', new Uint8Array(IDL.encode([IDL.Text], ['hello'])), alice.principal, 'malformed-argument');
    await refused('register_reviewer', garbage, alice.principal, 'malformed-argument');
    await unchanged();
  });

  it('non-controller calling set_config or endorse_reviewer', async (t) => {
    attack(t, 'non-controller calling controller methods');
    await refused('set_config', [{ quorum: 1, registration_open: true, max_envelope_bytes: 65536, max_submissions_per_proposal: [] }], alice.principal, 'not-controller');
    await refused('endorse_reviewer', [alice.principal, true], alice.principal, 'not-controller');
    await refused('set_sync_config', [{ governance: alice.principal, interval_seconds: 60 }], alice.principal, 'not-controller');
    await unchanged();
  });

  it("revoking someone else's attestation", async (t) => {
    attack(t, 'revoking another\'s attestation');
    assert.equal(errKind(await d.as(mallory).revoke_attestation(aliceId, 'I say so')), 'not-author');
    assert.equal(errKind(await d.as(alice).revoke_attestation(999n, 'typo')), 'not-found');
    await unchanged();
  });

  it('invalid configuration and profiles are refused by kind too', async (t) => {
    attack(t, 'invalid configuration and profiles');
    assert.equal(errKind(await d.controller.set_config({ quorum: 0, registration_open: true, max_envelope_bytes: 65536, max_submissions_per_proposal: [] })), 'invalid-config');
    assert.equal(errKind(await d.controller.set_config({ quorum: 3, registration_open: true, max_envelope_bytes: 1_000_000, max_submissions_per_proposal: [] })), 'invalid-config');
    assert.equal(errKind(await d.as(alice).register_reviewer({ ...profile(alice), name: ' ' })), 'invalid-profile');
    assert.equal(errKind(await d.as(alice).register_reviewer({ ...profile(alice), name: 'x'.repeat(65) })), 'invalid-profile');
    assert.equal(errKind(await d.as(alice).register_reviewer({ ...profile(alice), public_key: new Uint8Array([1, 2, 3]) })), 'bad-public-key');
    await unchanged();
  });

  it('a signed payload of 12,000 `[` is invalid-statement, to the anonymous query and to a reviewer\'s submit', async (t) => {
    attack(t, 'deeply nested JSON payload (12,000 `[`, signed over PAE)');
    const key = freshKey(0x31);
    const env = deepJsonEnvelope(key);
    const q = await d.rt.query(d.id, 'verify_envelope', encode('verify_envelope', [env, key.publicKeyDer, []]), { caller: Principal.anonymous() });
    assert.equal(q.kind, 'replied', q.kind === 'rejected' ? q.message : '');
    if (q.kind === 'replied') {
      const [r] = IDL.decode([METHODS.verify_envelope.ret], q.reply) as unknown as [Result<unknown>];
      assert.equal(errKind(r), 'invalid-statement');
    }
    // The same from a registered reviewer whose key signed it.
    const who = { principal: Principal.fromText(key.principal) };
    ok(await d.as(who).register_reviewer({ name: 'deep', public_key: key.publicKeyDer, contact: [] }));
    before_ = await snapshot(d, [P, OTHER]); // the registration is the only change
    assert.equal(errKind(await d.as(who).submit_attestation(env)), 'invalid-statement');
    await unchanged();
  });

  it('a Candid bomb (`vec null` of 2^31 in ~300 bytes) costs little and is refused, query and update alike', async (t) => {
    attack(t, 'Candid bomb: vec null of length 2^31 as an extra argument');
    const bomb = candidBomb();
    assert.ok(bomb.length < 400, `${bomb.length} bytes`);
    const q = await d.rt.query(d.id, 'verify_envelope', bomb, { caller: Principal.anonymous() });
    assert.equal(q.kind, 'replied');
    assert.ok(q.instructions < 100_000_000n, `refused for ${q.instructions} instructions`);
    if (q.kind === 'replied') {
      const [r] = IDL.decode([METHODS.verify_envelope.ret], q.reply) as unknown as [Result<unknown>];
      assert.equal(errKind(r), 'malformed-argument');
      assert.match('Err' in r ? r.Err.message : '', /vector of 2147483648 values that take no bytes/);
    }
    // A query that answers no Result rejects, naming the kind.
    const plain = await d.rt.query(d.id, 'get_config', zeroSizedVec('get_config', []), { caller: Principal.anonymous() });
    assert.equal(plain.kind, 'rejected');
    if (plain.kind === 'rejected') {
      assert.equal(plain.errorCode, ErrorCodes.canisterRejected);
      assert.match(plain.message, /get_config: malformed-argument: .*take no bytes/);
      assert.ok(plain.instructions < 100_000_000n);
    }
    const submitBomb = zeroSizedVec('submit_attestation', [good]);
    await refused('submit_attestation', submitBomb, alice.principal, 'malformed-argument');
    await unchanged();
  });

  it('vectors of other zero-sized types and deep Candid nesting are refused before decoding', async (t) => {
    attack(t, 'Candid: vec reserved / vec record {} of 2^31');
    for (const el of [IDL.Reserved, IDL.Record({}), IDL.Record({ a: IDL.Null, b: IDL.Record({}) })]) {
      const q = await d.rt.query(d.id, 'proposal_report', zeroSizedVec('proposal_report', [P], el), { caller: Principal.anonymous() });
      assert.equal(q.kind, 'rejected', el.display());
      assert.ok(q.instructions < 100_000_000n);
      await refused('revoke_attestation', zeroSizedVec('revoke_attestation', [aliceId, 'x'], el), alice.principal, 'malformed-argument');
    }
    // A small count is still fine (Candid allows extra arguments).
    const fine = await d.rt.query(d.id, 'stats', zeroSizedVec('stats', [], IDL.Null, 3n), { caller: Principal.anonymous() });
    assert.equal(fine.kind, 'replied');
    attack(t, 'Candid: recursive opt nested 30,000 deep');
    const deep = deepCandid('verify_envelope', [good, alice.signer.publicKeyDer, []]);
    const q = await d.rt.query(d.id, 'verify_envelope', deep, { caller: Principal.anonymous() });
    assert.equal(q.kind, 'replied', q.kind === 'rejected' ? q.message : '');
    if (q.kind === 'replied') assert.equal(errKind((IDL.decode([METHODS.verify_envelope.ret], q.reply) as unknown as [Result<unknown>])[0]), 'malformed-argument');
    await refused('submit_attestation', deepCandid('submit_attestation', [good]), alice.principal, 'malformed-argument');
    attack(t, 'oversized query argument');
    const big = await d.rt.query(d.id, 'get_attestation', new Uint8Array(IDL.encode([IDL.Nat64, IDL.Text], [1n, 'x'.repeat(20_000)])), { caller: Principal.anonymous() });
    assert.equal(big.kind, 'rejected');
    if (big.kind === 'rejected') assert.match(big.message, /oversized/);
    await unchanged();
  });

  it('the identical envelope resubmitted returns the same id and stores no copy', async (t) => {
    attack(t, 'identical resubmission');
    assert.equal(ok(await d.as(alice).submit_attestation(good)), aliceId);
    await unchanged();
  });

  it('after all refusals, the same submission made directly still answers with the existing id', async () => {
    const direct = await d.raw('submit_attestation', new Uint8Array(IDL.encode([EnvelopeIdl], [good])), alice.principal, false);
    assert.equal(direct.kind, 'replied');
    if (direct.kind === 'replied') assert.deepEqual(IDL.decode([SubmitResultIdl], direct.reply)[0], { Ok: aliceId });
    assert.equal((await d.anonymous.stats()).attestations, 1n);
  });

  it('one reviewer past max_submissions_per_proposal gets submission-limit; nothing stored', async (t) => {
    attack(t, 'self-superseding submission flood (per-reviewer, per-proposal limit)');
    assert.deepEqual((await d.anonymous.get_config()).max_submissions_per_proposal, [20], 'the default');
    const flooder = reviewer('flooder', 'ed25519');
    ok(await d.as(flooder).register_reviewer(profile(flooder)));
    const config = await d.anonymous.get_config();
    ok(await d.controller.set_config({ ...config, max_submissions_per_proposal: [3] }));
    for (let run = 1; run <= 3; run++) ok(await d.as(flooder).submit_attestation(envelope(flooder, { proposal: OTHER, os: 'guestos', built: hash(`f${run}`), proposalHash: G, run })));
    before_ = await snapshot(d, [P, OTHER]);
    const fourth = envelope(flooder, { proposal: OTHER, os: 'hostos', built: hash('f4'), proposalHash: hash('h'), run: 4 });
    assert.equal(errKind(await d.as(flooder).submit_attestation(fourth)), 'submission-limit');
    // Revoking does not free a slot; another proposal is a fresh count; set_config with [] keeps it.
    ok(await d.controller.set_config({ ...config, max_submissions_per_proposal: [] }));
    assert.deepEqual((await d.anonymous.get_config()).max_submissions_per_proposal, [3]);
    await unchanged();
    ok(await d.as(flooder).submit_attestation(envelope(flooder, { proposal: OTHER + 1n, os: 'guestos', built: G, proposalHash: G })));
    assert.equal(errKind(await d.controller.set_config({ ...config, max_submissions_per_proposal: [0] })), 'invalid-config');
    ok(await d.controller.set_config(config));
    // Only the latest of the three counts in the report.
    const [report] = await d.anonymous.proposal_report(OTHER);
    const members = report?.oses[0].artifacts[0].groups.flatMap((g) => g.members.map((m) => m.reviewer.toText())) ?? [];
    assert.deepEqual(members.filter((m) => m === flooder.principal.toText()).length, 1);
    before_ = await snapshot(d, [P, OTHER]);
  });

  it('controllers can close registration; then only endorsed principals register', async (t) => {
    attack(t, 'registration while closed');
    ok(await d.controller.set_config({ quorum: 3, registration_open: false, max_envelope_bytes: 65536, max_submissions_per_proposal: [] }));
    assert.equal(errKind(await d.as(stranger).register_reviewer(profile(stranger))), 'registration-closed');
    ok(await d.controller.endorse_reviewer(stranger.principal, true));
    ok(await d.as(stranger).register_reviewer(profile(stranger)));
    assert.equal((await d.anonymous.get_reviewer(stranger.principal))[0]?.endorsed, true);
  });
});

describe('attestations canister: governance values at the extremes of nat64', () => {
  it('pages answer 200 for a proposal with deadline and proposed_at of 2^62 s and 2^64−1 s', async (t) => {
    attack(t, 'governance record with deadline/proposed_at of 2^62 and 2^64−1 seconds');
    const env = await deploySync();
    const big = 1n << 62n;
    const max = (1n << 64n) - 1n;
    seeded(await env.gov.add_election(guestSeed(7001n, G, { proposed_at_seconds: big, deadline_seconds: [big] })));
    seeded(await env.gov.add_election(guestSeed(7002n, G, { proposed_at_seconds: max, deadline_seconds: [max] })));
    seeded(await env.gov.add_election(guestSeed(7003n, G, { proposed_at_seconds: NOW_S, deadline_seconds: [NOW_S + 86_400n] })));
    for (const id of [7001n, 7002n, 7003n]) assert.ok('Ok' in (await env.user.sync_proposal(id)), `sync ${id}`);
    for (const url of ['/', '/proposal/7001', '/proposal/7002', '/proposal/7003', '/proposal/7002.json', '/badge/7002.svg']) {
      const res = await env.user.http_request({ method: 'GET', url, headers: [], body: new Uint8Array(), certificate_version: [2] });
      assert.equal(res.status_code, 200, url);
    }
    const page = Buffer.from((await env.user.http_request({ method: 'GET', url: '/proposal/7002', headers: [], body: new Uint8Array(), certificate_version: [2] })).body).toString('utf8');
    assert.match(page, /584554051223-11-09 07:00 UTC/, 'the deadline of 2^64−1 s, written out');
  });
});

after(() => {
  // One line per attack kind tried, and the count (visible in CI logs).
  process.stdout.write(`# security matrix: ${tried.length} attack kinds tried\n${tried.map((k, i) => `#   ${i + 1}. ${k}`).join('\n')}\n`);
});
