/**
 * Validates a request envelope the way a replica does before anything runs: content shape, request
 * id, ingress expiry, sender = principal of sender_pubkey, sender_sig over `\x0Aic-request ‖ id`,
 * and any delegation chain (signatures, expiry, targets). Pure: the caller supplies the time.
 */
import { Principal } from '@dfinity/principal';
import { requestIdOf, hashOfMap } from '@dfinity/agent';
import { concatBytes, bytesToHex } from '@noble/hashes/utils';
import { decodeCbor } from './cbor.js';
import { parsePublicKey, verifySignature } from './public-keys.js';

export const MAX_INGRESS_TTL_NS = 5n * 60n * 1_000_000_000n;
/** Allowed clock drift between the client and the replica, as the IC's validator permits. */
export const PERMITTED_DRIFT_NS = 30n * 1_000_000_000n;
export const MAX_DELEGATIONS = 20;

const REQUEST_DOMAIN = new TextEncoder().encode('\x0Aic-request');
const DELEGATION_DOMAIN = new TextEncoder().encode('\x1Aic-request-auth-delegation');
const ANONYMOUS = Principal.anonymous();

export type RequestType = 'call' | 'query' | 'read_state';

interface Common {
  sender: Principal;
  ingressExpiry: bigint;
  nonce?: Uint8Array;
}
export interface CanisterRequest extends Common {
  type: 'call' | 'query';
  canisterId: Principal;
  methodName: string;
  arg: Uint8Array;
}
export interface ReadStateRequest extends Common {
  type: 'read_state';
  paths: Uint8Array[][];
}
export type RequestContent = CanisterRequest | ReadStateRequest;

export type EnvelopeErrorKind =
  | 'malformed-request'
  | 'wrong-request-type'
  | 'invalid-expiry'
  | 'invalid-signature'
  | 'invalid-delegation';

export interface EnvelopeError {
  kind: EnvelopeErrorKind;
  /** The text body sent back with HTTP 400 (worded like the IC's, which the agent matches on). */
  message: string;
}

export type Verified<T extends RequestContent> =
  | { ok: true; requestId: Uint8Array; content: T }
  | { ok: false; error: EnvelopeError };

export interface VerifyOptions {
  /** Replica time, ns since the epoch. */
  now: bigint;
  /**
   * Wall-clock time, when it may differ from replica time (a local replica whose time was moved
   * ahead): an expiry valid against either is accepted, so clients can still reach the replica
   * (and sync their clock with it: the agent reads `time` with a request stamped by its own clock).
   */
  wallClock?: bigint;
  /** The canister id in the URL; delegation targets must contain it (or the callee). */
  effectiveCanisterId: Principal;
}

const fail = (kind: EnvelopeErrorKind, message: string) => ({ ok: false as const, error: { kind, message } });

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;
const isNat = (v: unknown): v is number | bigint =>
  (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) || (typeof v === 'bigint' && v >= 0n);

function principalOf(v: unknown): Principal | null {
  if (!isBytes(v) || v.length > 29) return null;
  return Principal.fromUint8Array(v);
}

export function verifyEnvelope(
  body: Uint8Array,
  expected: 'call' | 'query',
  opts: VerifyOptions,
): Verified<CanisterRequest>;
export function verifyEnvelope(body: Uint8Array, expected: 'read_state', opts: VerifyOptions): Verified<ReadStateRequest>;
export function verifyEnvelope(body: Uint8Array, expected: RequestType, opts: VerifyOptions): Verified<RequestContent> {
  const decoded = decodeCbor(body);
  if (!decoded.ok) return fail('malformed-request', `Could not parse body as ${expected} message: ${decoded.message}`);
  const envelope = decoded.value;
  if (!isObj(envelope) || !isObj(envelope.content)) {
    return fail('malformed-request', `Could not parse body as ${expected} message: missing field \`content\``);
  }
  const raw = envelope.content;
  const parsed = parseContent(raw, expected);
  if ('error' in parsed) return { ok: false, error: parsed.error };
  const content = parsed.content;
  const requestId = requestIdOf(raw);

  const expiry = checkExpiry(content.ingressExpiry, opts.now);
  if (expiry && (opts.wallClock === undefined || checkExpiry(content.ingressExpiry, opts.wallClock))) {
    return fail('invalid-expiry', expiry);
  }

  const auth = checkAuthentication(envelope, content, requestId, opts);
  if (auth) return { ok: false, error: auth };
  return { ok: true, requestId, content };
}

function parseContent(raw: Obj, expected: RequestType): { content: RequestContent } | { error: EnvelopeError } {
  const bad = (m: string) => ({ error: { kind: 'malformed-request' as const, message: `Could not parse body as ${expected} message: ${m}` } });
  if (raw.request_type !== expected) {
    return {
      error: {
        kind: 'wrong-request-type',
        message: `Could not parse body as ${expected} message: request_type is ${JSON.stringify(raw.request_type)}, expected "${expected}"`,
      },
    };
  }
  const sender = principalOf(raw.sender);
  if (!sender) return bad('field `sender` must be the bytes of a principal');
  if (!isNat(raw.ingress_expiry)) return bad('field `ingress_expiry` must be a natural number (ns)');
  if (raw.nonce !== undefined && !(isBytes(raw.nonce) && raw.nonce.length <= 32)) return bad('field `nonce` must be at most 32 bytes');
  const common: Common = { sender, ingressExpiry: BigInt(raw.ingress_expiry), nonce: raw.nonce as Uint8Array | undefined };
  if (expected === 'read_state') {
    const paths = raw.paths;
    if (!Array.isArray(paths) || !paths.every((p) => Array.isArray(p) && p.every(isBytes))) {
      return bad('field `paths` must be a list of paths, each a list of byte labels');
    }
    if (paths.length > 1000) return bad('too many paths (at most 1000)');
    return { content: { type: 'read_state', ...common, paths: paths as Uint8Array[][] } };
  }
  const canisterId = principalOf(raw.canister_id);
  if (!canisterId) return bad('field `canister_id` must be the bytes of a principal');
  if (typeof raw.method_name !== 'string') return bad('field `method_name` must be text');
  if (!isBytes(raw.arg)) return bad('field `arg` must be bytes');
  return { content: { type: expected, ...common, canisterId, methodName: raw.method_name, arg: raw.arg } };
}

function isoOf(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString();
}

/** The IC's wording; @dfinity/agent recognises the prefix "Invalid request expiry: ". */
export function checkExpiry(expiry: bigint, now: bigint): string | null {
  const min = now;
  const max = now + MAX_INGRESS_TTL_NS + PERMITTED_DRIFT_NS;
  if (expiry >= min && expiry <= max) return null;
  return (
    `Invalid request expiry: Specified ingress_expiry not within expected range: ` +
    `Minimum allowed expiry: ${isoOf(min)}, Maximum allowed expiry: ${isoOf(max)}, Provided expiry: ${isoOf(expiry)}`
  );
}

function checkAuthentication(envelope: Obj, content: RequestContent, requestId: Uint8Array, opts: VerifyOptions): EnvelopeError | null {
  const { sender_pubkey: pubkeyDer, sender_sig: sig, sender_delegation: delegations } = envelope;
  if (pubkeyDer === undefined) {
    if (sig !== undefined || delegations !== undefined) {
      return { kind: 'malformed-request', message: 'Invalid signature: sender_sig or sender_delegation given without sender_pubkey' };
    }
    if (content.sender.toText() !== ANONYMOUS.toText()) {
      return {
        kind: 'invalid-signature',
        message: `Invalid signature: Missing signature: the request is not signed but the sender ${content.sender.toText()} is not the anonymous principal`,
      };
    }
    return null;
  }
  if (!isBytes(pubkeyDer)) return { kind: 'malformed-request', message: 'Invalid signature: sender_pubkey must be bytes' };
  if (!isBytes(sig)) return { kind: 'invalid-signature', message: 'Invalid signature: Missing signature: sender_pubkey given without sender_sig' };

  const keyOwner = Principal.selfAuthenticating(pubkeyDer);
  if (keyOwner.toText() !== content.sender.toText()) {
    return {
      kind: 'invalid-signature',
      message: `Invalid signature: the sender ${content.sender.toText()} is not the principal of sender_pubkey (${keyOwner.toText()})`,
    };
  }

  // Walk the delegation chain: each link is signed by the key before it.
  let signingKeyDer = pubkeyDer;
  if (delegations !== undefined) {
    if (!Array.isArray(delegations)) return { kind: 'malformed-request', message: 'Invalid delegation: sender_delegation must be a list' };
    if (delegations.length > MAX_DELEGATIONS) {
      return { kind: 'invalid-delegation', message: `Invalid delegation: Chain of delegations is too long: got ${delegations.length} delegations, but at most ${MAX_DELEGATIONS} are allowed` };
    }
    const seen = new Set<string>([bytesToHex(pubkeyDer)]);
    const target = content.type === 'read_state' ? opts.effectiveCanisterId : content.canisterId;
    for (const [i, link] of delegations.entries()) {
      const checked = checkDelegation(link, i, signingKeyDer, target, opts.now);
      if ('error' in checked) return checked.error;
      const hex = bytesToHex(checked.next);
      if (seen.has(hex)) return { kind: 'invalid-delegation', message: `Invalid delegation: delegation ${i} forms a cycle (its key appears earlier in the chain)` };
      seen.add(hex);
      signingKeyDer = checked.next;
    }
  }

  const key = parsePublicKey(signingKeyDer);
  if (!key.ok) return { kind: 'invalid-signature', message: `Invalid signature: ${key.message}` };
  if (!verifySignature(key.key, sig, concatBytes(REQUEST_DOMAIN, requestId))) {
    return {
      kind: 'invalid-signature',
      message:
        `Invalid signature: Invalid basic signature: ${key.key.type} signature could not be verified: ` +
        `public key ${bytesToHex(signingKeyDer)}, signature ${bytesToHex(sig)}, request id ${bytesToHex(requestId)}`,
    };
  }
  return null;
}

function checkDelegation(
  link: unknown,
  index: number,
  signerDer: Uint8Array,
  target: Principal,
  now: bigint,
): { next: Uint8Array } | { error: EnvelopeError } {
  const bad = (kind: EnvelopeErrorKind, m: string) => ({ error: { kind, message: `Invalid delegation: ${m}` } });
  if (!isObj(link) || !isObj(link.delegation) || !isBytes(link.signature)) {
    return bad('malformed-request', `delegation ${index} must be {delegation: {pubkey, expiration, targets?}, signature}`);
  }
  const d = link.delegation;
  if (!isBytes(d.pubkey) || !isNat(d.expiration)) return bad('malformed-request', `delegation ${index} needs pubkey (bytes) and expiration (ns)`);
  if (d.targets !== undefined && !(Array.isArray(d.targets) && d.targets.every(isBytes))) {
    return bad('malformed-request', `delegation ${index}: targets must be a list of principals`);
  }
  const signer = parsePublicKey(signerDer);
  if (!signer.ok) return bad('invalid-delegation', signer.message);
  const message = concatBytes(DELEGATION_DOMAIN, hashOfMap(d));
  if (!verifySignature(signer.key, link.signature, message)) {
    return bad('invalid-delegation', `Invalid basic signature: delegation ${index} signature could not be verified with public key ${bytesToHex(signerDer)}`);
  }
  const expiration = BigInt(d.expiration);
  if (expiration < now) {
    return bad('invalid-delegation', `Invalid delegation expiry: Specified sender delegation has expired: Provided expiry: ${isoOf(expiration)}, Local replica timestamp: ${isoOf(now)}`);
  }
  if (d.targets !== undefined) {
    const targets = d.targets as Uint8Array[];
    if (!targets.some((t) => Principal.fromUint8Array(t).toText() === target.toText())) {
      return bad('invalid-delegation', `Canister ${target.toText()} is not one of the delegation targets`);
    }
  }
  return { next: d.pubkey };
}
