/** Reviewers: self-registration bound to the caller's key, and endorsement by the controllers. */
import { Principal } from '@dfinity/principal';
import { utf8Encode } from '../../protocol/bytes.js';
import { principalOfPublicKey, publicKeyFromDer } from '../../protocol/keys.js';
import type { Opt, Result, Reviewer, ReviewerPage, ReviewerProfile } from '../../protocol/service.js';
import { getConfig, bumpEpoch } from './config.js';
import { err, fromProtocolError, okv } from './errors.js';
import { indexAfter, pageSize } from './paging.js';
import type { StoredReviewer } from './schema.js';
import type { Store } from './store.js';

export const NAME_MAX = 64;
export const CONTACT_MAX = 256;

export function isAnonymous(p: Principal): boolean {
  return p.isAnonymous();
}

function hasControlChars(s: string): boolean {
  return /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(s);
}

function checkText(value: string, field: string, max: number, required: boolean): Result<string> {
  const v = value.trim();
  if (required && v.length === 0) return err('invalid-profile', `${field} must not be empty`, field);
  if (v.length > max) return err('invalid-profile', `${field} is ${v.length} characters long; at most ${max} are allowed`, field);
  if (hasControlChars(v)) return err('invalid-profile', `${field} must not contain control characters`, field);
  if (utf8Encode(v) === null) return err('invalid-profile', `${field} is not valid Unicode (lone surrogate)`, field);
  return okv(v);
}

export function toReviewer(store: Store, r: StoredReviewer): Reviewer {
  return {
    id: r.principal,
    name: r.name,
    contact: r.contact,
    public_key: r.public_key,
    key_type: r.key_type,
    endorsed: store.endorsements.containsKey(r.principal.toUint8Array()),
    registered_at_ns: r.registered_at_ns,
    updated_at_ns: r.updated_at_ns,
    attestations: r.attestations
  };
}

export function findReviewer(store: Store, p: Principal): StoredReviewer | undefined {
  return store.reviewers.get(p.toUint8Array());
}

export function isEndorsed(store: Store, p: Principal): boolean {
  return store.endorsements.containsKey(p.toUint8Array());
}

/**
 * Registers the caller, or updates their profile. The key must be the one the caller's
 * principal is derived from; with registration closed only endorsed (invited) principals
 * may register.
 */
export function registerReviewer(store: Store, caller: Principal, profile: ReviewerProfile, nowNs: bigint): Result<Reviewer> {
  if (isAnonymous(caller)) return err('anonymous', 'the anonymous principal cannot register; call with your dfx identity');
  const name = checkText(profile.name, 'name', NAME_MAX, true);
  if ('Err' in name) return name;
  let contact: Opt<string> = [];
  if (profile.contact.length === 1) {
    const c = checkText(profile.contact[0], 'contact', CONTACT_MAX, false);
    if ('Err' in c) return c;
    if (c.Ok.length > 0) contact = [c.Ok];
  }
  const der = Uint8Array.from(profile.public_key);
  const key = publicKeyFromDer(der);
  if (!key.ok) return fromProtocolError(key.error);
  const keyPrincipal = principalOfPublicKey(der);
  if (keyPrincipal !== caller.toText()) {
    return err(
      'key-mismatch',
      `the public key belongs to principal ${keyPrincipal}, but the caller is ${caller.toText()}; register with the key of the identity you call with`,
      'public_key'
    );
  }
  const existing = findReviewer(store, caller);
  if (existing === undefined && !getConfig(store).registration_open && !isEndorsed(store, caller)) {
    return err('registration-closed', 'registration is by invitation only; ask a controller to endorse your principal first');
  }
  const stored: StoredReviewer = {
    principal: caller,
    name: name.Ok,
    contact,
    public_key: der,
    key_type: key.value.type,
    registered_at_ns: existing?.registered_at_ns ?? nowNs,
    updated_at_ns: nowNs,
    attestations: existing?.attestations ?? 0n
  };
  store.reviewers.insert(caller.toUint8Array(), stored);
  return okv(toReviewer(store, stored));
}

export function getReviewer(store: Store, p: Principal): Opt<Reviewer> {
  const r = findReviewer(store, p);
  return r === undefined ? [] : [toReviewer(store, r)];
}

export function listReviewers(store: Store, cursor: Opt<Principal>, limit: number): ReviewerPage {
  const n = pageSize(limit, 50, 100);
  const start = cursor.length === 1 ? indexAfter(store.reviewers, cursor[0].toUint8Array()) : 0;
  const items = store.reviewers.items(start, n);
  const reviewers = items.map(([, r]) => toReviewer(store, r));
  const more = start + items.length < store.reviewers.len();
  return { reviewers, next_cursor: more && reviewers.length > 0 ? [reviewers[reviewers.length - 1].id] : [] };
}

/**
 * Marks a principal as endorsed (counted towards the quorum) or not. The principal need not be
 * registered yet: with registration closed, endorsement is the invitation.
 */
export function endorseReviewer(store: Store, target: Principal, endorsed: boolean, nowNs: bigint): Result<null> {
  if (isAnonymous(target)) return err('invalid-argument', 'the anonymous principal cannot be endorsed', 'principal');
  const key = target.toUint8Array();
  const was = store.endorsements.containsKey(key);
  if (endorsed && !was) store.endorsements.insert(key, nowNs);
  if (!endorsed && was) store.endorsements.remove(key);
  if (was !== endorsed) bumpEpoch(store);
  return okv(null);
}
