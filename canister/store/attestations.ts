/** Attestations: verified submission (append, supersede, idempotent), revocation, reads. */
import type { Principal } from '@dfinity/principal';
import { concatBytes, hexToBytes, utf8Encode } from '../../protocol/bytes.js';
import { LIMITS } from '../../protocol/limits.js';
import { verifyEnvelope } from '../../protocol/envelope.js';
import { fromCandidEnvelope, type Attestation, type AttestationFilter, type AttestationPage, type CandidEnvelope, type Opt, type Result } from '../../protocol/service.js';
import { osCode, u32Bytes, u64Bytes } from './codec.js';
import { getConfig, maxSubmissions } from './config.js';
import { err, fromProtocolError, okv } from './errors.js';
import { pageSize } from './paging.js';
import { principalText } from './principals.js';
import { findReviewer, isAnonymous } from './reviewers.js';
import type { Statement } from '../../protocol/types.js';
import { COUNTER, newProposalMeta, type StoredAttestation, type StoredProposal } from './schema.js';
import { counter, setCounter, type Store } from './store.js';

export function proposalIndexKey(proposal: bigint, seq: number): Uint8Array {
  return concatBytes(u64Bytes(proposal), u32Bytes(seq));
}

/** Key of a proposal's seq-th log event (attestation or revocation) in `events`. */
export function proposalEventKey(proposal: bigint, seq: number): Uint8Array {
  return concatBytes(u64Bytes(proposal), u32Bytes(seq));
}

function latestKey(proposal: bigint, os: string, reviewer: Principal): Uint8Array {
  return concatBytes(u64Bytes(proposal), Uint8Array.of(osCode(os)), reviewer.toUint8Array());
}

function submissionsKey(proposal: bigint, reviewer: Principal): Uint8Array {
  return concatBytes(u64Bytes(proposal), reviewer.toUint8Array());
}

/** Attestations `reviewer` submitted for `proposal` (since the count existed). */
export function submissionsOf(store: Store, proposal: bigint, reviewer: Principal): number {
  return Number(store.submissions.get(submissionsKey(proposal, reviewer)) ?? 0n);
}

function digestKey(digest: string, reviewer: Principal): Uint8Array {
  return concatBytes(hexToBytes(digest), reviewer.toUint8Array());
}

/** Byte size of the envelope's canonical JSON, estimated from its parts (cheap, before any parsing). */
export function envelopeSizeEstimate(e: CandidEnvelope): number {
  let n = 48 + e.payload_type.length + e.payload.length;
  for (const s of e.signatures) n += 20 + s.keyid.length + s.sig.length;
  return n;
}

/**
 * Verifies and appends one attestation by `caller`. Everything is checked before the first
 * write, so a rejected submission changes nothing. Resubmitting the identical envelope returns
 * the existing id; a new statement for the same proposal and OS supersedes the caller's
 * previous one (which stays stored, marked superseded).
 */
export function submitAttestation(store: Store, caller: Principal, envelope: CandidEnvelope, nowNs: bigint): Result<bigint> {
  if (isAnonymous(caller)) return err('anonymous', 'the anonymous principal cannot submit; call with the identity whose key signed the envelope');
  const reviewer = findReviewer(store, caller);
  if (reviewer === undefined) {
    return err('not-registered', `principal ${caller.toText()} is not a registered reviewer; call register_reviewer first`);
  }
  const max = getConfig(store).max_envelope_bytes;
  const size = envelopeSizeEstimate(envelope);
  if (size > max) return err('oversized', `the envelope is about ${size} bytes; this canister accepts at most ${max}`, 'envelope');

  const verified = verifyEnvelope(fromCandidEnvelope(envelope), reviewer.public_key);
  if (!verified.ok) return fromProtocolError(verified.error);
  const { statement, principal, digest } = verified.value;
  if (principal !== caller.toText()) {
    return err('key-mismatch', `the envelope is signed by ${principal}, but the caller is ${caller.toText()}`, 'envelope.signatures[0].keyid');
  }
  const byDigest = digestKey(digest, caller);
  const existing = store.byDigest.get(byDigest);
  if (existing !== undefined) return okv(existing);

  const proposal = BigInt(statement.predicate.proposal);
  const os = statement.predicate.os;
  // One identity cannot make a proposal's report (re-read on every write to it) grow without end.
  const limit = maxSubmissions(store);
  const made = submissionsOf(store, proposal, caller);
  if (made >= limit) {
    return err(
      'submission-limit',
      `${caller.toText()} has submitted ${made} attestations for proposal ${proposal}, the most one reviewer may (max_submissions_per_proposal = ${limit}; revoking does not free one); ask the canister's controllers if you need more`,
      'predicate.proposal'
    );
  }
  const claimed = statement.predicate.supersedes;
  if (claimed !== undefined) {
    const target = store.attestations.get(BigInt(claimed));
    if (target === undefined) return err('bad-supersedes', `attestation ${claimed} does not exist`, 'predicate.supersedes');
    if (principalText(target.reviewer) !== principalText(caller)) {
      return err('bad-supersedes', `attestation ${claimed} was submitted by another reviewer; only your own attestations can be superseded`, 'predicate.supersedes');
    }
    if (target.proposal !== proposal) {
      return err('proposal-mismatch', `statement is for proposal ${proposal} but supersedes attestation ${claimed} of proposal ${target.proposal}`, 'predicate.proposal');
    }
    if (target.os !== os) {
      return err('bad-supersedes', `statement is for ${os} but supersedes attestation ${claimed} for ${target.os}`, 'predicate.os');
    }
  }

  return okv(appendAttestation(store, caller, envelope, statement, digest, nowNs));
}

/**
 * submit_attestation's write half, for a record every check has passed: allocates the id,
 * links supersession, indexes by proposal and digest and counts it for the reviewer. The log
 * entry and the proposal's report follow in canister/changes.ts. Exported for the bench seeder.
 */
export function appendAttestation(
  store: Store,
  caller: Principal,
  envelope: CandidEnvelope,
  statement: Statement,
  digest: string,
  nowNs: bigint
): bigint {
  const proposal = BigInt(statement.predicate.proposal);
  const os = statement.predicate.os;
  const id = counter(store, COUNTER.nextAttestationId) + 1n;
  setCounter(store, COUNTER.nextAttestationId, id);
  const latest = latestKey(proposal, os, caller);
  const previous = store.latest.get(latest);
  if (previous !== undefined) {
    const prev = store.attestations.get(previous);
    if (prev !== undefined) store.attestations.insert(previous, { ...prev, superseded_by: [id] });
    store.retired.insert(previous, id);
  }
  const record: StoredAttestation = {
    id,
    proposal,
    os,
    reviewer: caller,
    submitted_at_ns: nowNs,
    digest,
    statement,
    supersedes: previous === undefined ? [] : [previous],
    superseded_by: [],
    revoked: []
  };
  store.attestations.insert(id, record);
  store.envelopes.insert(id, envelope);
  store.latest.insert(latest, id);
  store.byDigest.insert(digestKey(digest, caller), id);
  const made = submissionsKey(proposal, caller);
  store.submissions.insert(made, (store.submissions.get(made) ?? 0n) + 1n);
  const meta: StoredProposal = store.proposals.get(proposal) ?? newProposalMeta(proposal);
  store.byProposal.insert(proposalIndexKey(proposal, meta.count), id);
  store.proposals.insert(proposal, { ...meta, count: meta.count + 1, last_submitted_at_ns: nowNs });
  const reviewer = store.reviewers.get(caller.toUint8Array());
  if (reviewer !== undefined) store.reviewers.insert(caller.toUint8Array(), { ...reviewer, attestations: reviewer.attestations + 1n });
  return id;
}

/** Marks the caller's own attestation revoked (kept, shown, no longer counted). */
export function revokeAttestation(store: Store, caller: Principal, id: bigint, reason: string, nowNs: bigint): Result<null> {
  if (isAnonymous(caller)) return err('anonymous', 'the anonymous principal cannot revoke attestations');
  const record = store.attestations.get(id);
  if (record === undefined) return err('not-found', `attestation ${id} does not exist`, 'id');
  if (principalText(record.reviewer) !== principalText(caller)) {
    return err('not-author', `attestation ${id} was submitted by ${record.reviewer.toText()}; only its author can revoke it`, 'id');
  }
  if (record.revoked.length > 0) return err('already-revoked', `attestation ${id} was already revoked`, 'id');
  const text = reason.trim();
  if (text.length > LIMITS.longString) {
    return err('invalid-argument', `reason is ${text.length} characters long; at most ${LIMITS.longString} are allowed`, 'reason');
  }
  if (utf8Encode(text) === null) return err('invalid-argument', 'reason is not valid Unicode (lone surrogate)', 'reason');
  store.attestations.insert(id, { ...record, revoked: [{ at_ns: nowNs, reason: text }] });
  setCounter(store, COUNTER.revoked, counter(store, COUNTER.revoked) + 1n);
  return okv(null);
}

export function toAttestation(store: Store, s: StoredAttestation): Attestation {
  const envelope = store.envelopes.get(s.id) ?? { payload_type: '', payload: '', signatures: [] };
  return {
    id: s.id,
    proposal: s.proposal,
    os: s.os,
    reviewer: s.reviewer,
    submitted_at_ns: s.submitted_at_ns,
    digest: s.digest,
    envelope,
    supersedes: s.supersedes,
    superseded_by: s.superseded_by,
    revoked: s.revoked
  };
}

export function getAttestation(store: Store, id: bigint): Opt<Attestation> {
  const s = store.attestations.get(id);
  return s === undefined ? [] : [toAttestation(store, s)];
}

/**
 * The attestations of one proposal that can count, in submission order: each reviewer's latest
 * per OS and, where that one is revoked, the ones it superseded back to one that is not (the
 * protocol's rule: revoking the latest lets the previous count again). A superseded one is
 * skipped by a key lookup in `retired`, never read, so a reviewer's resubmissions cost a report
 * nothing: O(counted attestations) reads plus one small lookup per stored one. (Superseded before
 * `retired` existed: read, and left out by the consensus as before.)
 */
export function attestationsOfProposal(store: Store, proposal: bigint, fromSeq = 0): StoredAttestation[] {
  const meta = store.proposals.get(proposal);
  if (meta === undefined) return [];
  const out: StoredAttestation[] = [];
  const wanted = new Set<bigint>(); // superseded by a revoked attestation: may count again
  for (let seq = meta.count - 1; seq >= fromSeq; seq--) {
    const id = store.byProposal.get(proposalIndexKey(proposal, seq));
    if (id === undefined || (!wanted.has(id) && store.retired.containsKey(id))) continue;
    const s = store.attestations.get(id);
    if (s === undefined) continue;
    out.push(s);
    if (s.revoked.length > 0 && s.supersedes.length === 1) wanted.add(s.supersedes[0]);
  }
  return out.reverse();
}

/**
 * Envelope bytes after which a page stops (it may end one envelope past it, ≤ ~390 KB): each
 * full-size (64 KB) envelope costs ≈ 300 M instructions to encode in the reply, and a 1 MB page
 * of them measured 4.9 B, at the 5 B query limit; this keeps the worst page near 2 B.
 */
const PAGE_BYTES = 320_000;
/** Lookups per page when scanning all attestations with a filter that matches few of them. */
const SCAN_BUDGET = 2000;

function matches(s: StoredAttestation, f: AttestationFilter): boolean {
  if (!f.include_revoked && s.revoked.length > 0) return false;
  if (f.os.length === 1 && s.os !== f.os[0]) return false;
  if (f.reviewer.length === 1 && principalText(s.reviewer) !== principalText(f.reviewer[0])) return false;
  if (f.proposal.length === 1 && s.proposal !== f.proposal[0]) return false;
  return true;
}

/**
 * Attestations matching the filter, ascending by id, after `cursor` (an id). A page may hold
 * fewer than `limit` entries (byte and scan budgets); continue while `next_cursor` is set.
 */
export function listAttestations(store: Store, filter: AttestationFilter, cursor: Opt<bigint>, limit: number): AttestationPage {
  const n = pageSize(limit, 20, 50);
  const after = cursor.length === 1 ? cursor[0] : 0n;
  const out: Attestation[] = [];
  let bytes = 0;
  let lastSeen: bigint | null = null;
  let more = false;
  const take = (s: StoredAttestation): boolean => {
    if (out.length >= n || bytes >= PAGE_BYTES) {
      more = true;
      return false;
    }
    lastSeen = s.id;
    if (matches(s, filter)) {
      const a = toAttestation(store, s);
      bytes += a.envelope.payload.length + 512;
      out.push(a);
    }
    return true;
  };
  if (filter.proposal.length === 1) {
    const proposal = filter.proposal[0];
    const count = store.proposals.get(proposal)?.count ?? 0;
    // Ids grow with the sequence number: binary search the first one after the cursor.
    let lo = 0;
    let hi = count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const id = store.byProposal.get(proposalIndexKey(proposal, mid)) ?? 0n;
      if (id <= after) lo = mid + 1;
      else hi = mid;
    }
    for (let seq = lo; seq < count; seq++) {
      const id = store.byProposal.get(proposalIndexKey(proposal, seq));
      const s = id === undefined ? undefined : store.attestations.get(id);
      if (s !== undefined && !take(s)) break;
    }
  } else {
    const last = counter(store, COUNTER.nextAttestationId);
    let scanned = 0;
    for (let id = after + 1n; id <= last; id++) {
      if (scanned++ >= SCAN_BUDGET) {
        more = true;
        break;
      }
      const s = store.attestations.get(id);
      if (s !== undefined && !take(s)) break;
    }
  }
  return { attestations: out, next_cursor: more && lastSeen !== null ? [lastSeen] : [] };
}
