import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { describe, it } from 'node:test';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { Secp256k1KeyIdentity } from '@dfinity/identity-secp256k1';
import {
  pae,
  PAYLOAD_TYPE,
  principalOfPublicKey,
  publicKeyFromDer,
  signEnvelope,
  signerFromSecretKey,
  verifyEnvelope,
  verifySignature,
  base64Decode
} from '../../protocol/index.js';
import { fromHex, opensslKey, statement, utf8 } from './fixtures.js';

describe('keys from OpenSSL (dfx identity.pem)', () => {
  const ed = opensslKey('ed25519');
  const k1 = opensslKey('secp256k1');

  it('gives the same public key DER as OpenSSL and the same principal as @dfinity/identity (Ed25519)', () => {
    const signer = signerFromSecretKey('ed25519', ed.secret);
    assert.deepEqual(signer.publicKeyDer, ed.spki);
    const id = Ed25519KeyIdentity.fromSecretKey(ed.secret);
    assert.deepEqual(new Uint8Array(id.getPublicKey().toDer()), signer.publicKeyDer);
    assert.equal(signer.principal, id.getPrincipal().toText());
    assert.equal(principalOfPublicKey(ed.spki), id.getPrincipal().toText());
  });

  it('gives the same public key DER as OpenSSL and the same principal as Secp256k1KeyIdentity.fromPem', () => {
    const signer = signerFromSecretKey('secp256k1', k1.secret);
    assert.deepEqual(signer.publicKeyDer, k1.spki);
    const id = Secp256k1KeyIdentity.fromPem(k1.pem);
    assert.deepEqual(new Uint8Array(id.getPublicKey().toDer()), signer.publicKeyDer);
    assert.equal(signer.principal, id.getPrincipal().toText());
  });

  for (const key of [ed, k1]) {
    it(`${key.type}: envelope verifies here and its signature verifies with node:crypto`, () => {
      const signer = signerFromSecretKey(key.type, key.secret);
      const env = signEnvelope(statement(), signer);
      const res = verifyEnvelope(env, key.spki);
      assert.ok(res.ok, res.ok ? '' : res.error.message);
      assert.equal(res.value.principal, signer.principal);
      assert.equal(env.signatures[0].keyid, signer.principal);
      const sig = base64Decode(env.signatures[0].sig) as Uint8Array;
      const msg = pae(PAYLOAD_TYPE, res.value.payload);
      const pub = createPublicKey({ key: Buffer.from(key.spki), format: 'der', type: 'spki' });
      const ok = key.type === 'ed25519'
        ? nodeVerify(null, msg, pub, sig)
        : nodeVerify('sha256', msg, { key: pub, dsaEncoding: 'ieee-p1363' }, sig);
      assert.equal(ok, true);
    });

    it(`${key.type}: a signature made by node:crypto with the PEM key verifies here`, () => {
      const msg = utf8('DSSEv1 3 abc 3 xyz');
      const sig = opensslSign(msg, key);
      const pk = publicKeyFromDer(key.spki);
      assert.ok(pk.ok);
      // OpenSSL's ECDSA may produce high-s; this protocol only accepts low-s (no malleability).
      const s = BigInt('0x' + Buffer.from(sig.subarray(32)).toString('hex'));
      const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
      assert.equal(verifySignature(pk.value, msg, sig), key.type === 'ed25519' || s <= n / 2n);
      assert.equal(verifySignature(pk.value, utf8('DSSEv1 3 abc 3 xyz!'), sig), false);
    });
  }

  it('Ed25519KeyIdentity signatures over PAE verify here (same algorithm as the agent)', async () => {
    const id = Ed25519KeyIdentity.generate(new Uint8Array(32).fill(9));
    const msg = pae(PAYLOAD_TYPE, utf8('{}'));
    const sig = new Uint8Array(await id.sign(msg));
    const pk = publicKeyFromDer(new Uint8Array(id.getPublicKey().toDer()));
    assert.ok(pk.ok);
    assert.equal(verifySignature(pk.value, msg, sig), true);
  });

  it('Secp256k1KeyIdentity signatures (ECDSA over SHA-256) verify here', async () => {
    const id = Secp256k1KeyIdentity.fromSecretKey(new Uint8Array(32).fill(5));
    const msg = pae(PAYLOAD_TYPE, utf8('{}'));
    const sig = new Uint8Array(await id.sign(msg));
    const pk = publicKeyFromDer(new Uint8Array(id.getPublicKey().toDer()));
    assert.ok(pk.ok);
    assert.equal(verifySignature(pk.value, msg, sig), true);
  });
});

/** Signs with node:crypto (OpenSSL) the way each key type signs here: Ed25519, or ECDSA-SHA256 as r‖s. */
function opensslSign(msg: Uint8Array, key: { privateKey: KeyObject; type: string }): Uint8Array {
  return new Uint8Array(key.type === 'ed25519'
    ? nodeSign(null, msg, key.privateKey)
    : nodeSign('sha256', msg, { key: key.privateKey, dsaEncoding: 'ieee-p1363' }));
}

describe('publicKeyFromDer', () => {
  const ed = signerFromSecretKey('ed25519', new Uint8Array(32).fill(1)).publicKeyDer;
  const k1 = signerFromSecretKey('secp256k1', new Uint8Array(32).fill(1)).publicKeyDer;

  it('accepts both key types and exposes the raw key', () => {
    const a = publicKeyFromDer(ed);
    const b = publicKeyFromDer(k1);
    assert.ok(a.ok && b.ok);
    assert.equal(a.value.type, 'ed25519');
    assert.equal(a.value.raw.length, 32);
    assert.equal(b.value.type, 'secp256k1');
    assert.equal(b.value.raw.length, 65);
  });

  it('rejects garbage, truncation and trailing bytes as bad-public-key', () => {
    for (const der of [new Uint8Array(0), Uint8Array.of(0x30), ed.subarray(0, ed.length - 1), new Uint8Array([...ed, 0]), utf8('hello')]) {
      const r = publicKeyFromDer(der);
      assert.ok(!r.ok);
      assert.equal(r.error.kind, 'bad-public-key');
    }
  });

  it('rejects a small-order Ed25519 key (anyone could sign for it) as bad-public-key', () => {
    const identity = fromHex('302a300506032b6570032100' + '01' + '00'.repeat(31));
    const r = publicKeyFromDer(identity);
    assert.ok(!r.ok);
    assert.equal(r.error.kind, 'bad-public-key');
  });

  it('rejects a secp256k1 point that is not on the curve as bad-public-key', () => {
    const off = new Uint8Array(k1);
    off[off.length - 1] ^= 1;
    const r = publicKeyFromDer(off);
    assert.ok(!r.ok);
    assert.equal(r.error.kind, 'bad-public-key');
  });

  it('rejects other algorithms and compressed points as unsupported-key', () => {
    // P-256 (prime256v1) from node, and the compressed form of our secp256k1 key.
    const p256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey;
    const r1 = publicKeyFromDer(new Uint8Array(p256.export({ format: 'der', type: 'spki' })));
    assert.ok(!r1.ok);
    assert.equal(r1.error.kind, 'unsupported-key');
    const compressed = fromHex('3036301006072a8648ce3d020106052b8104000a032200' + '02' + Buffer.from(k1.subarray(24, 56)).toString('hex'));
    const r2 = publicKeyFromDer(compressed);
    assert.ok(!r2.ok);
    assert.equal(r2.error.kind, 'unsupported-key');
  });
});

