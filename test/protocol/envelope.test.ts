import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  base64Decode,
  base64Encode,
  canonicalJson,
  encodeStatement,
  LIMITS,
  pae,
  parseEnvelope,
  PAYLOAD_TYPE,
  ProtocolError,
  signEnvelope,
  signerFromSecretKey,
  verifyEnvelope,
  type Envelope,
  type ErrorKind,
  type Result,
  type Statement
} from '../../protocol/index.js';
import { artifact, H, statement, utf8 } from './fixtures.js';

const alice = signerFromSecretKey('ed25519', new Uint8Array(32).fill(0xa1));
const bob = signerFromSecretKey('secp256k1', new Uint8Array(32).fill(0xb2));

function kindOf<T>(r: Result<T>): ErrorKind | 'ok' {
  return r.ok ? 'ok' : r.error.kind;
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** An envelope whose signature is honest over whatever payload bytes and type are given. */
function signRaw(payload: Uint8Array, signer = alice, type = PAYLOAD_TYPE): Envelope {
  return { payloadType: type, payload: base64Encode(payload), signatures: [{ keyid: signer.principal, sig: base64Encode(signer.sign(pae(type, payload))) }] };
}

describe('signEnvelope / verifyEnvelope', () => {
  for (const signer of [alice, bob]) {
    it(`${signer.keyType}: round-trips the statement, payload is its canonical JSON`, () => {
      const st = statement();
      const env = signEnvelope(st, signer);
      const r = verifyEnvelope(env, signer.publicKeyDer, { expectedProposal: '134567' });
      assert.ok(r.ok, r.ok ? '' : r.error.message);
      assert.deepEqual(r.value.statement, st);
      assert.equal(r.value.principal, signer.principal);
      assert.deepEqual(r.value.payload, encodeStatement(st));
      assert.equal(new TextDecoder().decode(r.value.payload), canonicalJson(st));
      assert.match(r.value.digest, /^[0-9a-f]{64}$/);
      assert.equal(r.value.envelopeJson, canonicalJson(env));
    });
  }

  it('is deterministic: the same statement and key give the same envelope and digest', () => {
    for (const s of [alice, bob]) {
      const a = signEnvelope(statement(), s);
      const b = signEnvelope(clone(statement()), s);
      assert.deepEqual(a, b);
      const ra = verifyEnvelope(a, s.publicKeyDer);
      const rb = verifyEnvelope(JSON.parse(JSON.stringify({ signatures: b.signatures, payload: b.payload, payloadType: b.payloadType })), s.publicKeyDer);
      assert.ok(ra.ok && rb.ok);
      assert.equal(ra.value.digest, rb.value.digest);
    }
  });

  it('gives different digests for different statements', () => {
    const a = verifyEnvelope(signEnvelope(statement({ proposal: '1' }), alice), alice.publicKeyDer);
    const b = verifyEnvelope(signEnvelope(statement({ proposal: '2' }), alice), alice.publicKeyDer);
    assert.ok(a.ok && b.ok);
    assert.notEqual(a.value.digest, b.value.digest);
  });

  it('accepts URL-safe base64 (DSSE) and stores and hashes it in the standard form', () => {
    const env = signEnvelope(statement(), alice);
    const urlSafe = { ...env, payload: env.payload.replace(/\+/g, '-').replace(/\//g, '_'), signatures: [{ ...env.signatures[0], sig: env.signatures[0].sig.replace(/\+/g, '-').replace(/\//g, '_') }] };
    const a = verifyEnvelope(env, alice.publicKeyDer);
    const b = verifyEnvelope(urlSafe, alice.publicKeyDer);
    assert.ok(a.ok && b.ok);
    assert.equal(b.value.digest, a.value.digest);
    assert.equal(b.value.envelopeJson, a.value.envelopeJson);
  });

  it('records mismatches just like matches', () => {
    const st = statement({ artifacts: [artifact('guestos/update-img.tar.zst', H('2'), H('1'), [H('1')])] });
    assert.equal(st.predicate.artifacts[0].outcome, 'mismatch');
    const r = verifyEnvelope(signEnvelope(st, bob), bob.publicKeyDer);
    assert.ok(r.ok);
    assert.equal(r.value.statement.predicate.artifacts[0].outcome, 'mismatch');
  });

  it('refuses to sign an invalid statement, with a typed error', () => {
    const st = statement();
    (st.predicate as { commit: string }).commit = 'xyz';
    assert.throws(() => signEnvelope(st, alice), (e: unknown) => e instanceof ProtocolError && e.kind === 'invalid-statement' && e.field === 'predicate.commit');
  });
});

describe('bad input: each rejected with its own kind', () => {
  const env = signEnvelope(statement(), alice);
  const der = alice.publicKeyDer;

  it('tampered payload → bad-signature', () => {
    const p = base64Decode(env.payload) as Uint8Array;
    p[p.length - 20] ^= 1;
    assert.equal(kindOf(verifyEnvelope({ ...env, payload: base64Encode(p) }, der)), 'bad-signature');
    // Swapping in another valid statement's payload is tampering too.
    const other = signEnvelope(statement({ proposal: '999' }), bob);
    assert.equal(kindOf(verifyEnvelope({ ...env, payload: other.payload }, der)), 'bad-signature');
  });

  it('wrong key → keyid-mismatch; wrong key with a forged keyid → bad-signature', () => {
    assert.equal(kindOf(verifyEnvelope(env, bob.publicKeyDer)), 'keyid-mismatch');
    const forged = { ...env, signatures: [{ keyid: bob.principal, sig: env.signatures[0].sig }] };
    assert.equal(kindOf(verifyEnvelope(forged, bob.publicKeyDer)), 'bad-signature');
  });

  it('keyid not the key principal → keyid-mismatch', () => {
    const e = { ...env, signatures: [{ keyid: 'aaaaa-aa', sig: env.signatures[0].sig }] };
    const r = verifyEnvelope(e, der);
    assert.equal(kindOf(r), 'keyid-mismatch');
    assert.ok(!r.ok && r.error.field === 'envelope.signatures[0].keyid');
  });

  it('signature over another payload type → wrong-payload-type, or bad-signature when relabelled', () => {
    const payload = encodeStatement(statement());
    const otherType = signRaw(payload, alice, 'application/json');
    assert.equal(kindOf(verifyEnvelope(otherType, der)), 'wrong-payload-type');
    const relabelled = { ...otherType, payloadType: PAYLOAD_TYPE };
    assert.equal(kindOf(verifyEnvelope(relabelled, der)), 'bad-signature');
  });

  it('truncated base64 → bad-base64 (payload and signature)', () => {
    for (const n of [1, 2, 3]) {
      const r = verifyEnvelope({ ...env, payload: env.payload.slice(0, -n) }, der);
      assert.equal(kindOf(r), 'bad-base64');
      assert.ok(!r.ok && r.error.field === 'envelope.payload');
      const s = verifyEnvelope({ ...env, signatures: [{ ...env.signatures[0], sig: env.signatures[0].sig.slice(0, -n) }] }, der);
      assert.equal(kindOf(s), 'bad-base64');
    }
    // Cut by a whole quantum: decodes, but the signature is then too short.
    const short = verifyEnvelope({ ...env, signatures: [{ ...env.signatures[0], sig: env.signatures[0].sig.slice(4) }] }, der);
    assert.equal(kindOf(short), 'bad-signature');
  });

  it('oversized envelope → oversized (verify and parse)', () => {
    const huge = signRaw(new Uint8Array(LIMITS.envelopeBytes));
    assert.equal(kindOf(verifyEnvelope(huge, der)), 'oversized');
    assert.equal(kindOf(parseEnvelope(JSON.stringify(huge))), 'oversized');
    assert.equal(kindOf(parseEnvelope(utf8(JSON.stringify(huge)))), 'oversized');
    // A statement whose manifest pushes the envelope past the limit cannot be signed.
    const st = statement();
    st.predicate.artifacts[0].manifest = Array.from({ length: 600 }, (_, i) => ({ path: `root.img/file-${i}`.padEnd(60, 'x'), kind: 'file' as const, size: i, sha256: H('c') }));
    assert.throws(() => signEnvelope(st, alice), (e: unknown) => e instanceof ProtocolError && e.kind === 'oversized');
  });

  it('just under the limit is fine, one byte over is not', () => {
    const base = signRaw(new Uint8Array(0));
    const overhead = canonicalJson(base).length;
    const fit = Math.floor((LIMITS.envelopeBytes - overhead) / 4) * 3; // payload bytes whose base64 fits
    const e1 = signRaw(new Uint8Array(fit));
    assert.ok(canonicalJson(e1).length <= LIMITS.envelopeBytes);
    assert.notEqual(kindOf(verifyEnvelope(e1, der)), 'oversized');
    // At exactly the limit the size check passes (and the padded type is refused for itself).
    const exact = { ...e1, payloadType: e1.payloadType + 'x'.repeat(LIMITS.envelopeBytes - canonicalJson(e1).length) };
    assert.equal(canonicalJson(exact).length, LIMITS.envelopeBytes);
    assert.equal(kindOf(verifyEnvelope(exact, der)), 'wrong-payload-type');
    assert.equal(kindOf(verifyEnvelope({ ...exact, payloadType: exact.payloadType + 'x' }, der)), 'oversized');
    const e2 = signRaw(new Uint8Array(fit + 3));
    assert.ok(canonicalJson(e2).length > LIMITS.envelopeBytes);
    assert.equal(kindOf(verifyEnvelope(e2, der)), 'oversized');
  });

  it('duplicate signatures → duplicate-signature; none → no-signature', () => {
    assert.equal(kindOf(verifyEnvelope({ ...env, signatures: [env.signatures[0], env.signatures[0]] }, der)), 'duplicate-signature');
    const resigned = { keyid: alice.principal, sig: base64Encode(alice.sign(pae(PAYLOAD_TYPE, utf8('x')))) };
    assert.equal(kindOf(verifyEnvelope({ ...env, signatures: [env.signatures[0], resigned] }, der)), 'duplicate-signature');
    assert.equal(kindOf(verifyEnvelope({ ...env, signatures: [] }, der)), 'no-signature');
    // Two distinct signers: this protocol takes exactly one signature per envelope.
    const two = { ...env, signatures: [env.signatures[0], { keyid: bob.principal, sig: env.signatures[0].sig.replace(/^./, 'A') }] };
    assert.equal(kindOf(verifyEnvelope(two, der)), 'malformed-envelope');
  });

  it('statement for a different proposal than expected → proposal-mismatch', () => {
    const r = verifyEnvelope(env, der, { expectedProposal: '134568' });
    assert.equal(kindOf(r), 'proposal-mismatch');
    assert.ok(!r.ok && r.error.field === 'predicate.proposal');
    assert.equal(kindOf(verifyEnvelope(env, der, { expectedProposal: '134567' })), 'ok');
  });

  it('bad public key → bad-public-key; another algorithm → unsupported-key', () => {
    assert.equal(kindOf(verifyEnvelope(env, der.subarray(0, 20))), 'bad-public-key');
    const p256 = Uint8Array.from(Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200' + '04' + '11'.repeat(64), 'hex'));
    assert.equal(kindOf(verifyEnvelope(env, p256)), 'unsupported-key');
  });

  it('malformed envelopes → malformed-envelope (never a throw)', () => {
    const cases: unknown[] = [
      null, 42, 'x', [], {},
      { ...env, extra: 1 },
      { ...env, payload: 5 },
      { ...env, payloadType: null },
      { ...env, signatures: {} },
      { ...env, signatures: [null] },
      { ...env, signatures: [{ keyid: alice.principal }] },
      { ...env, signatures: [{ ...env.signatures[0], extra: 'x' }] },
      { ...env, signatures: [{ keyid: 7, sig: env.signatures[0].sig }] },
      Object.assign(Object.create({ inherited: true }), env)
    ];
    for (const c of cases) assert.equal(kindOf(verifyEnvelope(c, der)), 'malformed-envelope', JSON.stringify(c)?.slice(0, 60));
    for (const text of ['', '{', 'null', '[1]', '{"payloadType":"a"}']) assert.equal(kindOf(parseEnvelope(text)), 'malformed-envelope', text);
    assert.equal(kindOf(parseEnvelope(Uint8Array.of(0x7b, 0xff, 0x7d))), 'malformed-envelope');
  });

  it('a signed payload that is not a valid, canonical statement → invalid-statement', () => {
    const notJson = signRaw(utf8('not json'));
    assert.equal(kindOf(verifyEnvelope(notJson, der)), 'invalid-statement');
    const notUtf8 = signRaw(Uint8Array.of(0xff, 0xfe));
    assert.equal(kindOf(verifyEnvelope(notUtf8, der)), 'invalid-statement');
    const pretty = signRaw(utf8(JSON.stringify(statement(), null, 2)));
    const r = verifyEnvelope(pretty, der);
    assert.equal(kindOf(r), 'invalid-statement');
    assert.match(!r.ok ? r.error.message : '', /canonical/);
    const bad = statement() as Statement & { extra?: number };
    (bad.predicate as unknown as Record<string, unknown>).extra = 1;
    const r2 = verifyEnvelope(signRaw(utf8(canonicalJson(bad))), der);
    assert.equal(kindOf(r2), 'invalid-statement');
    assert.ok(!r2.ok && r2.error.field === 'predicate.extra');
  });

  it('high-s ECDSA (a re-shaped valid signature) → bad-signature', () => {
    const e = signEnvelope(statement(), bob);
    const sig = base64Decode(e.signatures[0].sig) as Uint8Array;
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const s = BigInt('0x' + Buffer.from(sig.subarray(32)).toString('hex'));
    const high = Uint8Array.from([...sig.subarray(0, 32), ...Buffer.from((n - s).toString(16).padStart(64, '0'), 'hex')]);
    assert.equal(kindOf(verifyEnvelope(e, bob.publicKeyDer)), 'ok');
    assert.equal(kindOf(verifyEnvelope({ ...e, signatures: [{ ...e.signatures[0], sig: base64Encode(high) }] }, bob.publicKeyDer)), 'bad-signature');
  });

  it('parseEnvelope accepts what signEnvelope writes, as text, bytes and pretty-printed', () => {
    for (const input of [JSON.stringify(env), utf8(JSON.stringify(env)), JSON.stringify(env, null, 2)]) {
      const p = parseEnvelope(input);
      assert.ok(p.ok);
      assert.deepEqual(p.value, env);
      assert.equal(kindOf(verifyEnvelope(p.value, der)), 'ok');
    }
  });
});
