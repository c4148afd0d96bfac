/**
 * Public keys, principals and signatures for the two key types a dfx identity can hold.
 * Ed25519: RFC 8032, strict (non-ZIP-215) verification. secp256k1: ECDSA over SHA-256 of the
 * message, 64-byte r‖s, low-s only (as @dfinity/identity-secp256k1 signs; high-s is refused so a
 * signature cannot be re-shaped into a second valid one).
 */
import { ed25519 } from '@noble/curves/ed25519';
import { secp256k1 } from '@noble/curves/secp256k1';
import { sha224 } from '@noble/hashes/sha2';
import { sha256 } from './sha256.js';
import { Principal } from '@dfinity/principal';
import { bytesEqual, concatBytes } from './bytes.js';
import { fail, ok, ProtocolError, type Result } from './errors.js';

export type KeyType = 'ed25519' | 'secp256k1';

export interface PublicKey {
  type: KeyType;
  /** DER SubjectPublicKeyInfo, exactly as given. */
  der: Uint8Array;
  /** Ed25519: the 32-byte key; secp256k1: the 65-byte uncompressed point (0x04 ‖ x ‖ y). */
  raw: Uint8Array;
}

export interface Signer {
  keyType: KeyType;
  publicKeyDer: Uint8Array;
  /** Textual self-authenticating principal of publicKeyDer. */
  principal: string;
  sign(message: Uint8Array): Uint8Array;
}

// SubjectPublicKeyInfo prefixes (RFC 8410 for Ed25519; RFC 5480 + SEC 2 for secp256k1).
const ED25519_SPKI_PREFIX = Uint8Array.from([
  0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
]);
const SECP256K1_SPKI_PREFIX = Uint8Array.from([
  0x30, 0x56, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x05, 0x2b,
  0x81, 0x04, 0x00, 0x0a, 0x03, 0x42, 0x00
]);
const OID_ED25519 = Uint8Array.from([0x2b, 0x65, 0x70]); // 1.3.101.112
const OID_EC_PUBLIC_KEY = Uint8Array.from([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]); // 1.2.840.10045.2.1
const OID_SECP256K1 = Uint8Array.from([0x2b, 0x81, 0x04, 0x00, 0x0a]); // 1.3.132.0.10

interface Tlv { tag: number; body: Uint8Array; end: number }

/** One DER TLV at `at` (definite, minimal lengths only); null when malformed. */
function readTlv(b: Uint8Array, at: number, limit: number): Tlv | null {
  if (at + 2 > limit) return null;
  const tag = b[at];
  let len = b[at + 1];
  let p = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 2 || p + n > limit) return null;
    len = 0;
    for (let i = 0; i < n; i++) len = (len << 8) | b[p + i];
    if (len < 0x80 || (n === 2 && len < 0x100)) return null; // not minimal
    p += n;
  }
  if (p + len > limit) return null;
  return { tag, body: b.subarray(p, p + len), end: p + len };
}

/** Parses a DER SubjectPublicKeyInfo holding an Ed25519 key or an uncompressed secp256k1 point. */
export function publicKeyFromDer(der: Uint8Array): Result<PublicKey> {
  if (!(der instanceof Uint8Array)) return fail('bad-public-key', 'public key must be bytes (DER SubjectPublicKeyInfo)', 'publicKey');
  const bad = (why: string) => fail('bad-public-key', `not a DER SubjectPublicKeyInfo: ${why}`, 'publicKey');
  const spki = readTlv(der, 0, der.length);
  if (!spki || spki.tag !== 0x30) return bad('expected a SEQUENCE');
  if (spki.end !== der.length) return bad('trailing bytes after the SEQUENCE');
  const body = spki.body;
  const alg = readTlv(body, 0, body.length);
  if (!alg || alg.tag !== 0x30) return bad('expected an AlgorithmIdentifier SEQUENCE');
  const bits = readTlv(body, alg.end, body.length);
  if (!bits || bits.tag !== 0x03 || bits.end !== body.length) return bad('expected a BIT STRING at the end');
  if (bits.body.length < 1 || bits.body[0] !== 0) return bad('BIT STRING must have 0 unused bits');
  const key = bits.body.subarray(1);
  const oid = readTlv(alg.body, 0, alg.body.length);
  if (!oid || oid.tag !== 0x06) return bad('expected an algorithm OID');

  if (bytesEqual(oid.body, OID_ED25519)) {
    if (oid.end !== alg.body.length) return bad('Ed25519 takes no algorithm parameters');
    if (key.length !== 32) return fail('bad-public-key', `Ed25519 key must be 32 bytes, got ${key.length}`, 'publicKey');
    try {
      // A small-order key has signatures anyone can forge, so its principal would belong to no one.
      if (ed25519.Point.fromBytes(key, false).isSmallOrder()) {
        return fail('bad-public-key', 'Ed25519 key is a small-order point', 'publicKey');
      }
    } catch {
      return fail('bad-public-key', 'Ed25519 key is not a valid curve point', 'publicKey');
    }
    return ok({ type: 'ed25519', der, raw: Uint8Array.from(key) });
  }
  if (bytesEqual(oid.body, OID_EC_PUBLIC_KEY)) {
    const curve = readTlv(alg.body, oid.end, alg.body.length);
    if (!curve || curve.tag !== 0x06 || curve.end !== alg.body.length) return bad('EC key without a named-curve OID');
    if (!bytesEqual(curve.body, OID_SECP256K1)) {
      return fail('unsupported-key', 'EC keys must be on secp256k1 (1.3.132.0.10); other curves are not dfx identity types', 'publicKey');
    }
    if (key.length === 33 && (key[0] === 2 || key[0] === 3)) {
      return fail('unsupported-key', 'compressed secp256k1 points are not accepted: the IC derives principals from the uncompressed form', 'publicKey');
    }
    if (key.length !== 65 || key[0] !== 4) return fail('bad-public-key', 'secp256k1 key must be a 65-byte uncompressed point (0x04 ‖ x ‖ y)', 'publicKey');
    try {
      secp256k1.Point.fromBytes(key).assertValidity();
    } catch {
      return fail('bad-public-key', 'secp256k1 key is not a valid curve point', 'publicKey');
    }
    return ok({ type: 'secp256k1', der, raw: Uint8Array.from(key) });
  }
  return fail('unsupported-key', 'only Ed25519 (1.3.101.112) and EC secp256k1 keys are supported', 'publicKey');
}

/** Self-authenticating principal: sha224(DER) ‖ 0x02, in textual form. Does not validate the key. */
export function principalOfPublicKey(der: Uint8Array): string {
  return Principal.fromUint8Array(concatBytes(sha224(der), Uint8Array.of(0x02))).toText();
}

export function signerFromSecretKey(type: KeyType, secret: Uint8Array): Signer {
  if (!(secret instanceof Uint8Array) || secret.length !== 32) {
    throw new ProtocolError('unsupported-key', `a ${type} secret key must be 32 bytes`, 'secretKey');
  }
  const sk = Uint8Array.from(secret);
  if (type === 'ed25519') {
    const der = concatBytes(ED25519_SPKI_PREFIX, ed25519.getPublicKey(sk));
    return { keyType: type, publicKeyDer: der, principal: principalOfPublicKey(der), sign: (m) => ed25519.sign(m, sk) };
  }
  if (type === 'secp256k1') {
    let point: Uint8Array;
    try {
      point = secp256k1.getPublicKey(sk, false);
    } catch {
      throw new ProtocolError('unsupported-key', 'secp256k1 secret key is zero or not below the curve order', 'secretKey');
    }
    const der = concatBytes(SECP256K1_SPKI_PREFIX, point);
    return {
      keyType: type,
      publicKeyDer: der,
      principal: principalOfPublicKey(der),
      sign: (m) => secp256k1.sign(sha256(m), sk, { lowS: true, prehash: false }).toCompactRawBytes()
    };
  }
  throw new ProtocolError('unsupported-key', `unknown key type ${String(type)}`, 'keyType');
}

/** True only for a valid signature by `key` over exactly `message`. Never throws. */
export function verifySignature(key: PublicKey, message: Uint8Array, sig: Uint8Array): boolean {
  try {
    if (sig.length !== 64) return false;
    if (key.type === 'ed25519') return ed25519.verify(sig, message, key.raw, { zip215: false });
    if (key.type === 'secp256k1') {
      return secp256k1.verify(sig, sha256(message), key.raw, { lowS: true, prehash: false, format: 'compact' });
    }
    return false;
  } catch {
    return false;
  }
}

/**
 * Runs one verification per key type so the precomputed tables exist. The first verify after a
 * (canister) start costs billions of instructions; call this from init and post_upgrade.
 */
export function warmUpSignatures(): boolean {
  const m = Uint8Array.of(1, 2, 3);
  const seed = new Uint8Array(32).fill(7);
  let good = true;
  for (const t of ['ed25519', 'secp256k1'] as const) {
    const s = signerFromSecretKey(t, seed);
    const k = publicKeyFromDer(s.publicKeyDer);
    good = good && k.ok && verifySignature(k.value, m, s.sign(m));
  }
  return good;
}
