/**
 * DSSE envelopes carrying the statement: signing, parsing and verification.
 * Verification order puts cheap checks first and the signature before any look at the payload,
 * so a tampered payload is reported as a bad signature, never as a schema error.
 */
import { sha256 } from './sha256.js';
import { base64Decode, base64Encode, bytesEqual, bytesToHex, utf8Decode, utf8Encode } from './bytes.js';
import { canonicalJson } from './canonical.js';
import { pae } from './dsse.js';
import { parseJsonBounded } from './json-depth.js';
import { fail, ok, ProtocolError, type Result } from './errors.js';
import { principalOfPublicKey, publicKeyFromDer, verifySignature, type Signer } from './keys.js';
import { LIMITS } from './limits.js';
import { PAYLOAD_TYPE, type Envelope, type Statement } from './types.js';
import { validateStatement } from './validate.js';

export interface VerifiedEnvelope {
  statement: Statement;
  /** Textual principal of the verifying key (= the signature's keyid). */
  principal: string;
  /** The signed payload bytes: canonical JSON of the statement. */
  payload: Uint8Array;
  /** sha256 hex of `envelopeJson`, for duplicate detection. */
  digest: string;
  /**
   * The envelope in canonical JSON with standard base64 (what `digest` covers, whatever
   * alphabet or key order the submitter used); store this to let anyone re-verify.
   */
  envelopeJson: string;
}

/** The statement's payload bytes: canonical JSON, UTF-8. Throws ProtocolError on values JSON cannot carry. */
export function encodeStatement(s: Statement): Uint8Array {
  const json = canonicalJson(s);
  const bytes = utf8Encode(json);
  if (bytes === null) throw new ProtocolError('invalid-statement', 'not valid Unicode', 'statement');
  return bytes;
}

/**
 * Signs a statement; keyid = the signer's principal. Throws ProtocolError ('invalid-statement'
 * or 'oversized') rather than produce an envelope that verifyEnvelope would refuse.
 */
export function signEnvelope(statement: Statement, signer: Signer): Envelope {
  const valid = validateStatement(statement);
  if (!valid.ok) throw valid.error;
  const payload = encodeStatement(statement);
  const env: Envelope = {
    payloadType: PAYLOAD_TYPE,
    payload: base64Encode(payload),
    signatures: [{ keyid: signer.principal, sig: base64Encode(signer.sign(pae(PAYLOAD_TYPE, payload))) }]
  };
  const size = envelopeJsonOf(env).bytes.length;
  if (size > LIMITS.envelopeBytes) {
    throw new ProtocolError('oversized', `envelope would be ${size} bytes, over the limit of ${LIMITS.envelopeBytes}; shrink the manifest`, 'envelope');
  }
  return env;
}

/** Raw input may carry white space around the canonical form; this much is tolerated before parsing. */
const RAW_SLACK = 4096;

/** Parses envelope JSON (text or UTF-8 bytes) and checks its shape and size. Does not verify. */
export function parseEnvelope(json: string | Uint8Array): Result<Envelope> {
  const max = LIMITS.envelopeBytes + RAW_SLACK;
  let text: string;
  if (typeof json === 'string') {
    if (json.length > max) return fail('oversized', `envelope text of ${json.length} characters is over the limit of ${LIMITS.envelopeBytes} bytes`, 'envelope');
    text = json;
  } else if (json instanceof Uint8Array) {
    if (json.length > max) return fail('oversized', `envelope of ${json.length} bytes is over the limit of ${LIMITS.envelopeBytes}`, 'envelope');
    const t = utf8Decode(json);
    if (t === null) return fail('malformed-envelope', 'not valid UTF-8', 'envelope');
    text = t;
  } else {
    return fail('malformed-envelope', 'expected JSON text or bytes', 'envelope');
  }
  const parsed = parseJsonBounded(text);
  if (!parsed.ok) return fail('malformed-envelope', `not JSON: ${parsed.message}`, 'envelope');
  const checked = checkEnvelope(parsed.value, true);
  return checked.ok ? ok(checked.value.envelope) : checked;
}

/** json/bytes: the canonical form, when measured. */
interface CheckedEnvelope { envelope: Envelope; json: string; bytes: Uint8Array }

function envelopeJsonOf(env: Envelope): { json: string; bytes: Uint8Array } {
  const json = canonicalJson(env);
  // All fields were checked to be strings without lone surrogates or are base64, so this is not null.
  return { json, bytes: utf8Encode(json) ?? new Uint8Array(0) };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

function hasLoneSurrogate(s: string): boolean {
  return utf8Encode(s) === null;
}

const ENVELOPE_FRAME = '{"payload":"","payloadType":"","signatures":[]}'.length;
const SIGNATURE_FRAME = '{"keyid":"","sig":""}'.length;

/** Shape and size of a DSSE envelope: exactly {payloadType, payload, signatures[{keyid, sig}]}. */
function checkEnvelope(value: unknown, measure: boolean): Result<CheckedEnvelope> {
  if (!isPlainObject(value)) return fail('malformed-envelope', 'expected a JSON object {payloadType, payload, signatures}', 'envelope');
  for (const k of Object.keys(value)) {
    if (k !== 'payloadType' && k !== 'payload' && k !== 'signatures') return fail('malformed-envelope', 'unknown field', `envelope.${k}`);
  }
  const { payloadType, payload, signatures } = value;
  if (typeof payloadType !== 'string') return fail('malformed-envelope', 'expected a string', 'envelope.payloadType');
  if (typeof payload !== 'string') return fail('malformed-envelope', 'expected a base64 string', 'envelope.payload');
  if (!Array.isArray(signatures)) return fail('malformed-envelope', 'expected an array', 'envelope.signatures');
  // Canonical length for ASCII text without escapes: a cheap bound before any real work.
  let total = ENVELOPE_FRAME + payload.length + payloadType.length;
  const sigs: Envelope['signatures'] = [];
  for (let i = 0; i < signatures.length; i++) {
    const s: unknown = signatures[i];
    const path = `envelope.signatures[${i}]`;
    if (!isPlainObject(s)) return fail('malformed-envelope', 'expected an object {keyid, sig}', path);
    for (const k of Object.keys(s)) if (k !== 'keyid' && k !== 'sig') return fail('malformed-envelope', 'unknown field', `${path}.${k}`);
    if (typeof s.keyid !== 'string') return fail('malformed-envelope', 'expected the signer principal as a string', `${path}.keyid`);
    if (typeof s.sig !== 'string') return fail('malformed-envelope', 'expected a base64 string', `${path}.sig`);
    total += (i > 0 ? 1 : 0) + SIGNATURE_FRAME + s.keyid.length + s.sig.length;
    if (total > LIMITS.envelopeBytes) break;
    sigs.push({ keyid: s.keyid, sig: s.sig });
  }
  if (total > LIMITS.envelopeBytes) return fail('oversized', `envelope is over the limit of ${LIMITS.envelopeBytes} bytes`, 'envelope');
  if (hasLoneSurrogate(payloadType) || sigs.some((s) => hasLoneSurrogate(s.keyid))) {
    return fail('malformed-envelope', 'text is not valid Unicode', 'envelope');
  }
  const envelope: Envelope = { payloadType, payload, signatures: sigs };
  if (!measure) return ok({ envelope, json: '', bytes: new Uint8Array(0) });
  const sized = sizeCheck(envelope);
  return sized.ok ? ok({ envelope, json: sized.value.json, bytes: sized.value.bytes }) : sized;
}

function sizeCheck(envelope: Envelope): Result<{ json: string; bytes: Uint8Array }> {
  const { json, bytes } = envelopeJsonOf(envelope);
  if (bytes.length > LIMITS.envelopeBytes) {
    return fail('oversized', `envelope is ${bytes.length} bytes as canonical JSON, over the limit of ${LIMITS.envelopeBytes}`, 'envelope');
  }
  return ok({ json, bytes });
}

/**
 * Verifies an envelope against the signer's DER public key: shape and size, payload type, one
 * signature whose keyid is the key's principal, the signature over PAE, then the statement
 * (schema, canonical encoding) and, if asked, its proposal. Cost: one signature check and one
 * SHA-256 over the envelope (for the digest).
 */
export function verifyEnvelope(
  envelope: unknown,
  publicKeyDer: Uint8Array,
  opts: { expectedProposal?: string } = {}
): Result<VerifiedEnvelope> {
  const checked = checkEnvelope(envelope, false);
  if (!checked.ok) return checked;
  const env = checked.value.envelope;
  if (env.payloadType !== PAYLOAD_TYPE) {
    return fail('wrong-payload-type', `expected ${PAYLOAD_TYPE}, got ${JSON.stringify(env.payloadType.slice(0, 80))}`, 'envelope.payloadType');
  }
  if (env.signatures.length === 0) return fail('no-signature', 'the envelope carries no signature', 'envelope.signatures');
  for (let i = 0; i < env.signatures.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = env.signatures[i];
      const b = env.signatures[j];
      if (a.keyid === b.keyid || a.sig === b.sig) {
        return fail('duplicate-signature', `signature ${i} repeats signature ${j} (${a.keyid === b.keyid ? 'same keyid' : 'same sig'})`, `envelope.signatures[${i}]`);
      }
    }
  }
  if (env.signatures.length > LIMITS.signatures) {
    return fail('malformed-envelope', `exactly ${LIMITS.signatures} signature expected, got ${env.signatures.length}`, 'envelope.signatures');
  }
  const key = publicKeyFromDer(publicKeyDer);
  if (!key.ok) return key;
  const principal = principalOfPublicKey(publicKeyDer);
  const { keyid, sig: sigText } = env.signatures[0];
  if (keyid !== principal) {
    return fail('keyid-mismatch', `keyid ${keyid.slice(0, 80)} is not the principal of the given key (${principal})`, 'envelope.signatures[0].keyid');
  }
  const payload = base64Decode(env.payload);
  if (typeof payload === 'string') return fail('bad-base64', `payload is not padded base64: ${payload}`, 'envelope.payload');
  const sig = base64Decode(sigText);
  if (typeof sig === 'string') return fail('bad-base64', `signature is not padded base64: ${sig}`, 'envelope.signatures[0].sig');
  // Stored and hashed in one form whichever base64 alphabet the signer used.
  const normal = sizeCheck({ payloadType: env.payloadType, payload: base64Encode(payload), signatures: [{ keyid, sig: base64Encode(sig) }] });
  if (!normal.ok) return normal;
  if (sig.length !== 64) return fail('bad-signature', `a ${key.value.type} signature is 64 bytes, got ${sig.length}`, 'envelope.signatures[0].sig');
  if (!verifySignature(key.value, pae(PAYLOAD_TYPE, payload), sig)) {
    return fail('bad-signature', `the signature does not verify with ${principal}'s ${key.value.type} key over this payload`, 'envelope.signatures[0].sig');
  }

  const text = utf8Decode(payload);
  if (text === null) return fail('invalid-statement', 'payload is not valid UTF-8', 'envelope.payload');
  // Bounded nesting: a parser's recursion must not be the limit (a signed 12,000 × `[` payload trapped the canister).
  const parsed = parseJsonBounded(text);
  if (!parsed.ok) return fail('invalid-statement', `payload is not JSON: ${parsed.message}`, 'envelope.payload');
  const st = validateStatement(parsed.value);
  if (!st.ok) return st;
  if (!bytesEqual(encodeStatement(st.value), payload)) {
    return fail('invalid-statement', 'payload is not in canonical JSON form (sorted keys, no white space)', 'envelope.payload');
  }
  const proposal = st.value.predicate.proposal;
  if (opts.expectedProposal !== undefined && proposal !== opts.expectedProposal) {
    return fail('proposal-mismatch', `statement is for proposal ${proposal}, expected ${opts.expectedProposal}`, 'predicate.proposal');
  }
  return ok({
    statement: st.value,
    principal,
    payload,
    digest: bytesToHex(sha256(normal.value.bytes)),
    envelopeJson: normal.value.json
  });
}
