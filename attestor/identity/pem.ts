/**
 * Private-key PEM files as dfx writes them: Ed25519 PKCS#8 (`BEGIN PRIVATE KEY`, both the current
 * v1 layout and dfx's older v2 layout that carries the public key) and secp256k1 SEC1
 * (`BEGIN EC PRIVATE KEY`, optionally after a `BEGIN EC PARAMETERS` block) or PKCS#8.
 * Anything else gets an error that says what to do.
 */
import { children, DerError, oidText, parseDer, TAG, type DerNode } from './der.js';

export type KeyType = 'ed25519' | 'secp256k1';

export interface PrivateKey {
  keyType: KeyType;
  /** Ed25519: the 32-byte seed; secp256k1: the 32-byte scalar. */
  secret: Uint8Array;
}

export type PemErrorKind = 'encrypted' | 'unsupported-key' | 'malformed';

export interface PemError {
  kind: PemErrorKind;
  message: string;
}

export type PemResult = { ok: true; key: PrivateKey } | { ok: false; error: PemError };

const OID_ED25519 = '1.3.101.112';
const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
const OID_SECP256K1 = '1.3.132.0.10';
const OID_P256 = '1.2.840.10045.3.1.7';
const OID_RSA = '1.2.840.113549.1.1.1';

const EXPORT_HINT =
  'export an unencrypted key with `dfx identity export <name> > key.pem` (or `openssl pkey -in <file> -out key.pem`)';

interface PemBlock {
  label: string;
  headers: string[];
  der: Uint8Array;
}

function blocks(text: string): PemBlock[] {
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  const out: PemBlock[] = [];
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const lines = m[2].split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
    const headers = lines.filter((l) => l.includes(':'));
    const body = lines.filter((l) => !l.includes(':')).join('');
    if (!/^[A-Za-z0-9+/=]*$/.test(body)) throw new DerError(`the ${m[1]} block is not valid base64`);
    out.push({ label: m[1], headers, der: new Uint8Array(Buffer.from(body, 'base64')) });
  }
  return out;
}

const fail = (kind: PemErrorKind, message: string): PemResult => ({ ok: false, error: { kind, message } });

function curveName(oid: string): string {
  if (oid === OID_P256) return 'P-256 (prime256v1)';
  if (oid === OID_RSA) return 'RSA';
  return `OID ${oid}`;
}

function unsupported(what: string): PemResult {
  return fail('unsupported-key', `${what} keys are not supported: use an Ed25519 or secp256k1 dfx identity (\`dfx identity new --storage-mode plaintext <name>\` or \`icos-attest identity new\`)`);
}

function expectTag(node: DerNode | undefined, tag: number, what: string): DerNode {
  if (!node || node.tag !== tag) throw new DerError(`expected ${what}`);
  return node;
}

/** SEC1 ECPrivateKey: SEQUENCE { INTEGER 1, OCTET STRING d, [0] curve OID?, [1] public key? }. */
function fromSec1(der: Uint8Array, curveFromParams: string | null): PemResult {
  const parts = children(expectTag(parseDer(der), TAG.SEQUENCE, 'an EC private key sequence'));
  const secret = expectTag(parts[1], TAG.OCTET_STRING, 'the EC private key octets').value;
  const params = parts.find((p) => p.tag === TAG.CTX0);
  const curve = params ? oidText(expectTag(children(params)[0], TAG.OID, 'a curve OID').value) : curveFromParams;
  if (curve === null) return fail('malformed', 'the EC private key names no curve; expected secp256k1');
  if (curve !== OID_SECP256K1) return unsupported(curveName(curve));
  if (secret.length !== 32) return fail('malformed', `secp256k1 private key has ${secret.length} bytes, expected 32`);
  return { ok: true, key: { keyType: 'secp256k1', secret: new Uint8Array(secret) } };
}

/** PKCS#8 PrivateKeyInfo / OneAsymmetricKey (v1 or v2 with the public key). */
function fromPkcs8(der: Uint8Array): PemResult {
  const parts = children(expectTag(parseDer(der), TAG.SEQUENCE, 'a PKCS#8 sequence'));
  const alg = children(expectTag(parts[1], TAG.SEQUENCE, 'an algorithm identifier'));
  const algOid = oidText(expectTag(alg[0], TAG.OID, 'an algorithm OID').value);
  const privateKey = expectTag(parts[2], TAG.OCTET_STRING, 'the private key octets').value;
  if (algOid === OID_ED25519) {
    const inner = expectTag(parseDer(privateKey), TAG.OCTET_STRING, 'the Ed25519 seed').value;
    if (inner.length !== 32) return fail('malformed', `Ed25519 seed has ${inner.length} bytes, expected 32`);
    return { ok: true, key: { keyType: 'ed25519', secret: new Uint8Array(inner) } };
  }
  if (algOid === OID_EC_PUBLIC_KEY) {
    const curve = alg[1]?.tag === TAG.OID ? oidText(alg[1].value) : null;
    if (curve !== null && curve !== OID_SECP256K1) return unsupported(curveName(curve));
    return fromSec1(privateKey, curve);
  }
  return unsupported(curveName(algOid));
}

/** Parses the text of a PEM file into a key, or a typed error. Never throws. */
export function parsePrivateKeyPem(text: string): PemResult {
  try {
    if (/Proc-Type:\s*4,\s*ENCRYPTED/i.test(text) || /BEGIN ENCRYPTED PRIVATE KEY/.test(text)) {
      return fail('encrypted', `the PEM file is encrypted; ${EXPORT_HINT}`);
    }
    const found = blocks(text);
    if (found.length === 0) return fail('malformed', 'no PEM private key found (expected a "-----BEGIN PRIVATE KEY-----" or "-----BEGIN EC PRIVATE KEY-----" block)');
    const params = found.find((b) => b.label === 'EC PARAMETERS');
    const paramsCurve = params ? oidText(expectTag(parseDer(params.der), TAG.OID, 'a curve OID').value) : null;
    const key = found.find((b) => b.label.endsWith('PRIVATE KEY'));
    if (!key) return fail('malformed', 'no private key block in the PEM file (a public key or certificate is not enough)');
    if (key.headers.length > 0) return fail('encrypted', `the PEM file is encrypted; ${EXPORT_HINT}`);
    switch (key.label) {
      case 'PRIVATE KEY':
        return fromPkcs8(key.der);
      case 'EC PRIVATE KEY':
        return fromSec1(key.der, paramsCurve);
      case 'RSA PRIVATE KEY':
        return unsupported('RSA');
      case 'OPENSSH PRIVATE KEY':
        return fail('unsupported-key', 'OpenSSH keys are not supported: use a dfx identity PEM (`dfx identity export <name>`)');
      default:
        return fail('malformed', `unsupported PEM block "${key.label}"`);
    }
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return fail('malformed', `the PEM file is not a valid private key (${why})`);
  }
}

/** PKCS#8 v1 PEM of an Ed25519 seed: the layout current dfx writes. */
export function ed25519Pkcs8Pem(seed: Uint8Array): string {
  if (seed.length !== 32) throw new Error('Ed25519 seed must be 32 bytes');
  const prefix = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);
  const der = Buffer.concat([prefix, seed]);
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').trimEnd();
  return `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`;
}
