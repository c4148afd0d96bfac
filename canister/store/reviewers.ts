/** Reviewers: self-registration bound to the caller's key, and endorsement by the controllers. */
import { Principal } from '@dfinity/principal';
import { utf8Encode } from '../../protocol/bytes.js';
import { principalOfPublicKey, publicKeyFromDer } from '../../protocol/keys.js';
import type { Opt, Result, Reviewer, ReviewerPage, ReviewerProfile } from '../../protocol/service.js';
import { getConfig, bumpEpoch } from './config.js';
import { err, fromProtocolError, okv } from './errors.js';
import { indexAfter, pageSize } from './paging.js';
import { checkProfileText, nameKey } from '../../protocol/names.js';
import type { StoredReviewer } from './schema.js';
import type { Store } from './store.js';

export const NAME_MAX = 64;
export const CONTACT_MAX = 256;

export function isAnonymous(p: Principal): boolean {
  return p.isAnonymous();
}

/** Names and contacts: no control, format, unassigned or private-use characters; stored in NFC (protocol/names.ts). */
function checkText(value: string, field: string, max: number, required: boolean): Result<string> {
  const c = checkProfileText(value, field, max, required);
  if (!c.ok) return err('invalid-profile', c.message, field);
  if (utf8Encode(c.value) === null) return err('invalid-profile', `${field} is not valid Unicode (lone surrogate)`, field);
  return okv(c.value);
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
    attestations: r.attestations,
    name_collides: r.name_collides === true
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
    attestations: existing?.attestations ?? 0n,
    name_collides: existing?.name_collides === true
  };
  store.reviewers.insert(caller.toUint8Array(), stored);
  const keys = new Set([nameKey(stored.name)]);
  if (existing !== undefined) keys.add(nameKey(existing.name));
  markNameCollisions(store, keys);
  return okv(toReviewer(store, findReviewer(store, caller) ?? stored));
}

/**
 * Sets `name_collides` on every reviewer whose name key is in `keys` (all of them when
 * `keys` is null: after an upgrade), true when another reviewer shares the key. O(reviewers),
 * once per registration or profile change. A changed flag on a reviewer with attestations
 * makes the reports showing them stale (bumpEpoch). Returns whether any flag changed.
 */
export function markNameCollisions(store: Store, keys: Set<string> | null): boolean {
  const total = Number(store.reviewers.len());
  const byKey = new Map<string, StoredReviewer[]>();
  for (let start = 0; start < total; start += 100) {
    for (const [, r] of store.reviewers.items(start, 100)) {
      const k = nameKey(r.name);
      if (keys !== null && !keys.has(k)) continue;
      const list = byKey.get(k);
      if (list) list.push(r);
      else byKey.set(k, [r]);
    }
  }
  let changed = false;
  let stale = false;
  for (const list of byKey.values()) {
    for (const r of list) {
      const collides = list.length > 1;
      if ((r.name_collides === true) === collides) continue;
      store.reviewers.insert(r.principal.toUint8Array(), { ...r, name_collides: collides });
      changed = true;
      if (r.attestations > 0n) stale = true;
    }
  }
  if (stale) bumpEpoch(store);
  return changed;
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
