/**
 * Security matrix: every bad request is refused with its own error kind, and nothing stored
 * changes. Ingress updates are refused early by canister_inspect_message (IC0516); the same
 * request made without inspection (as an inter-canister call would be) gets an Err value.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { EnvelopeIdl, METHODS, SubmitResultIdl, type CandidEnvelope, type Result } from '../../protocol/service.js';
import { ErrorCodes } from '../../replica/runtime/index.js';
import { envelope, hash, profile, reviewer } from './fixtures.js';
import { deploy, type Deployed } from './harness.js';
import { errKind, ok, refusedCode, snapshot } from './util.js';

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

  it('anonymous caller', async () => {
    await refused('submit_attestation', [good], Principal.anonymous(), 'anonymous');
    await refused('register_reviewer', [profile(alice)], Principal.anonymous(), 'anonymous');
    await refused('revoke_attestation', [aliceId, 'x'], Principal.anonymous(), 'anonymous');
    await unchanged();
  });

  it('unregistered caller', async () => {
    const env = envelope(stranger, { proposal: P, os: 'guestos', built: G, proposalHash: G });
    await refused('submit_attestation', [env], stranger.principal, 'not-registered');
    await unchanged();
  });

  it('caller is not the principal of the key', async () => {
    // Registering someone else's key as one's own.
    const r = await d.as(stranger).register_reviewer(profile(alice, 'impostor'));
    assert.equal(errKind(r), 'key-mismatch');
    await unchanged();
  });

  it('bad signature, and a tampered payload', async () => {
    const sig: CandidEnvelope = { ...good, signatures: [{ ...good.signatures[0], sig: flipBase64(good.signatures[0].sig, 5) }] };
    assert.equal(errKind(await d.as(alice).submit_attestation(sig)), 'bad-signature');
    const payload: CandidEnvelope = { ...good, payload: flipBase64(good.payload, 200) };
    assert.equal(errKind(await d.as(alice).submit_attestation(payload)), 'bad-signature');
    await unchanged();
  });

  it("replayed envelope from another reviewer", async () => {
    // Mallory submits Alice's signed envelope as if it were hers.
    assert.equal(errKind(await d.as(mallory).submit_attestation(good)), 'keyid-mismatch');
    // ... or relabels it with her own keyid: the signature no longer verifies.
    const relabelled: CandidEnvelope = { ...good, signatures: [{ keyid: mallory.principal.toText(), sig: good.signatures[0].sig }] };
    assert.equal(errKind(await d.as(mallory).submit_attestation(relabelled)), 'bad-signature');
    await unchanged();
  });

  it('statement for another proposal than the attestation it supersedes', async () => {
    const env = envelope(alice, { proposal: OTHER, os: 'guestos', built: G, proposalHash: G, supersedes: aliceId });
    assert.equal(errKind(await d.as(alice).submit_attestation(env)), 'proposal-mismatch');
    const r = await d.anonymous.verify_envelope(good, alice.signer.publicKeyDer, [OTHER]);
    assert.equal(errKind(r), 'proposal-mismatch');
    await unchanged();
  });

  it('oversized envelope', async () => {
    const big: CandidEnvelope = { ...good, payload: 'A'.repeat(70_000) };
    await refused('submit_attestation', [big], alice.principal, 'oversized');
    await unchanged();
  });

  it('malformed Candid', async () => {
    const garbage = new Uint8Array([...new TextEncoder().encode('DIDL'), 0x01, 0x6c, 0xff, 0xff, 0x00]);
    await refused('submit_attestation', garbage, alice.principal, 'malformed-argument');
    // Valid Candid of the wrong type.
    await refused('submit_attestation', new Uint8Array(IDL.encode([IDL.Text], ['hello'])), alice.principal, 'malformed-argument');
    await refused('register_reviewer', garbage, alice.principal, 'malformed-argument');
    await unchanged();
  });

  it('non-controller calling set_config or endorse_reviewer', async () => {
    await refused('set_config', [{ quorum: 1, registration_open: true, max_envelope_bytes: 65536, max_submissions_per_proposal: [] }], alice.principal, 'not-controller');
    await refused('endorse_reviewer', [alice.principal, true], alice.principal, 'not-controller');
    await refused('set_sync_config', [{ governance: alice.principal, interval_seconds: 60 }], alice.principal, 'not-controller');
    await unchanged();
  });

  it("revoking someone else's attestation", async () => {
    assert.equal(errKind(await d.as(mallory).revoke_attestation(aliceId, 'I say so')), 'not-author');
    assert.equal(errKind(await d.as(alice).revoke_attestation(999n, 'typo')), 'not-found');
    await unchanged();
  });

  it('invalid configuration and profiles are refused by kind too', async () => {
    assert.equal(errKind(await d.controller.set_config({ quorum: 0, registration_open: true, max_envelope_bytes: 65536, max_submissions_per_proposal: [] })), 'invalid-config');
    assert.equal(errKind(await d.controller.set_config({ quorum: 3, registration_open: true, max_envelope_bytes: 1_000_000, max_submissions_per_proposal: [] })), 'invalid-config');
    assert.equal(errKind(await d.as(alice).register_reviewer({ ...profile(alice), name: ' ' })), 'invalid-profile');
    assert.equal(errKind(await d.as(alice).register_reviewer({ ...profile(alice), name: 'x'.repeat(65) })), 'invalid-profile');
    assert.equal(errKind(await d.as(alice).register_reviewer({ ...profile(alice), public_key: new Uint8Array([1, 2, 3]) })), 'bad-public-key');
    await unchanged();
  });

  it('the identical envelope resubmitted returns the same id and stores no copy', async () => {
    assert.equal(ok(await d.as(alice).submit_attestation(good)), aliceId);
    await unchanged();
  });

  it('after all refusals, the same submission made directly still answers with the existing id', async () => {
    const direct = await d.raw('submit_attestation', new Uint8Array(IDL.encode([EnvelopeIdl], [good])), alice.principal, false);
    assert.equal(direct.kind, 'replied');
    if (direct.kind === 'replied') assert.deepEqual(IDL.decode([SubmitResultIdl], direct.reply)[0], { Ok: aliceId });
    assert.equal((await d.anonymous.stats()).attestations, 1n);
  });

  it('controllers can close registration; then only endorsed principals register', async () => {
    ok(await d.controller.set_config({ quorum: 3, registration_open: false, max_envelope_bytes: 65536, max_submissions_per_proposal: [] }));
    assert.equal(errKind(await d.as(stranger).register_reviewer(profile(stranger))), 'registration-closed');
    ok(await d.controller.endorse_reviewer(stranger.principal, true));
    ok(await d.as(stranger).register_reviewer(profile(stranger)));
    assert.equal((await d.anonymous.get_reviewer(stranger.principal))[0]?.endorsed, true);
  });
});
