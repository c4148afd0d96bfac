/**
 * Every state change the canister accepts goes through here, in one order: the store write
 * (canister/store/, which knows nothing of reports or logs), its log entry (canister/log/) and
 * the certified log head (canister/certified/). A refused change writes nothing, so it appends
 * nothing.
 *
 * Re-materialising a proposal's report and pages costs O(its attestations) (≈ 20 B instructions
 * at 800), so a change marks the proposal dirty and `refreshDirty` re-materialises it: in the
 * same message when that is small (the caller's next read sees it), else in a 0 s timer (the
 * next round, once however many changes the proposal had). It certifies the report together
 * with the events it reflects. Until then the certified tree keeps the
 * proposal's previous report and events, consistent with each other; the log head, receipts and
 * inclusion proofs are current at once.
 */
import type { Principal } from '@dfinity/principal';
import { sha256 } from '../protocol/sha256.js';
import { bytesToHex, concatBytes, hexToBytes } from '../protocol/bytes.js';
import type { CandidEnvelope, Config, Result, Reviewer, ReviewerProfile } from '../protocol/service.js';
import { commit as commitCertifiedData, setLogHead, setProposal } from './certified/state.js';
import { renderIndex, renderProposal } from './http/precomputed.js';
import { encodeEvent, type LogEvent } from './log/entries.js';
import { appendEntry, logRoot, openLog } from './log/log.js';
import { materialise } from './report/materialise.js';
import { revokeAttestation, submitAttestation, proposalEventKey } from './store/attestations.js';
import { bumpEpoch, epoch, getConfig, setConfig } from './store/config.js';
import { endorseReviewer, findReviewer, registerReviewer } from './store/reviewers.js';
import { principalText } from './store/principals.js';
import { COUNTER } from './store/schema.js';
import { counter, type Store } from './store/store.js';

/** Appends one entry to the log and moves the certified log head. */
function logEvent(event: LogEvent): { index: number; leafHash: Uint8Array } {
  const log = openLog();
  const appended = appendEntry(log, encodeEvent(event));
  setLogHead(appended.index + 1, logRoot(log));
  return appended;
}

/** Adds an attestation or revocation entry to its proposal's chain: chain' = sha256(chain ‖ leaf hash). */
function chainEvent(store: Store, proposal: bigint, index: number, leafHash: Uint8Array): void {
  const meta = store.proposals.get(proposal);
  if (meta === undefined) return; // cannot happen: the attestation's write created it
  store.events.insert(proposalEventKey(proposal, meta.events), BigInt(index));
  store.proposals.insert(proposal, { ...meta, events: meta.events + 1, chain: bytesToHex(sha256(concatBytes(hexToBytes(meta.chain), leafHash))) });
}

/** Re-materialises a proposal's report and pages and puts their new values into the certified tree. */
export function touchProposal(store: Store, proposal: bigint): void {
  const meta = materialise(store, proposal);
  if (meta === null) return;
  setProposal(meta);
  renderProposal(store, proposal);
}

/** The dirty set's key for "the index page" (no proposal has this id). */
const INDEX = (1n << 64n) - 1n;

/** Marks a proposal (or, with no proposal, just the index page) for the next refresh. */
function markDirty(store: Store, proposal?: bigint): void {
  if (proposal !== undefined) store.dirty.insert(proposal, 0n);
  store.dirty.insert(INDEX, 0n);
}

/** Whether a refresh is due (the shell schedules one; post_upgrade asks after an upgrade). */
export function hasDirty(store: Store): boolean {
  return !store.dirty.isEmpty();
}

/**
 * Re-materialises dirty proposals, oldest id first, re-reading about `budget` attestations at
 * most (always at least one proposal, unless `strict`), then the index, and certifies. Returns
 * whether any remain.
 */
export function refreshDirty(store: Store, budget: number, strict = false): boolean {
  let used = 0;
  let index = false;
  for (const proposal of store.dirty.keys(0, 100)) {
    if (proposal === INDEX) {
      index = true;
      continue;
    }
    const count = store.proposals.get(proposal)?.count ?? 0;
    if ((used > 0 || strict) && used + count > budget) break;
    touchProposal(store, proposal);
    store.dirty.remove(proposal);
    used += count;
  }
  const more = [...store.dirty.keys(0, 2)].some((k) => k !== INDEX);
  if (index && !more) {
    renderIndex(store);
    store.dirty.remove(INDEX);
  }
  commitCertifiedData();
  return more;
}

/** Certifies the new state: the index page (it shows totals and the newest proposals), then certified_data. */
function commit(store: Store): void {
  renderIndex(store);
  commitCertifiedData();
}

export function submit(store: Store, caller: Principal, envelope: CandidEnvelope, nowNs: bigint): Result<bigint> {
  const lastId = counter(store, COUNTER.nextAttestationId);
  const result = submitAttestation(store, caller, envelope, nowNs);
  // An identical resubmission answers the existing id and changes nothing.
  if ('Err' in result || result.Ok <= lastId) return result;
  const proposal = logAttestation(store, result.Ok, nowNs);
  markDirty(store, proposal ?? undefined);
  commitCertifiedData();
  return result;
}

/** The log entry and chain link of a stored attestation; returns its proposal. Exported for the bench seeder. */
export function logAttestation(store: Store, id: bigint, nowNs: bigint): bigint | null {
  const stored = store.attestations.get(id);
  if (stored === undefined) return null;
  const { index, leafHash } = logEvent({
    kind: 'attestation',
    id: stored.id,
    proposal: stored.proposal,
    os: stored.os,
    reviewer: principalText(stored.reviewer),
    digest: stored.digest,
    at: nowNs
  });
  store.leafOf.insert(stored.id, BigInt(index));
  chainEvent(store, stored.proposal, index, leafHash);
  return stored.proposal;
}

export function revoke(store: Store, caller: Principal, id: bigint, reason: string, nowNs: bigint): Result<null> {
  const result = revokeAttestation(store, caller, id, reason, nowNs);
  if ('Err' in result) return result;
  const record = store.attestations.get(id);
  if (record === undefined) return result;
  const { index, leafHash } = logEvent({
    kind: 'revocation',
    id,
    proposal: record.proposal,
    reviewer: principalText(caller),
    reason: record.revoked[0]?.reason ?? '',
    at: nowNs
  });
  chainEvent(store, record.proposal, index, leafHash);
  markDirty(store, record.proposal);
  commitCertifiedData();
  return result;
}

/** Registration or a profile change. A new name makes every report that shows it stale. */
export function register(store: Store, caller: Principal, profile: ReviewerProfile, nowNs: bigint): Result<Reviewer> {
  const before = findReviewer(store, caller);
  const result = registerReviewer(store, caller, profile, nowNs);
  if ('Err' in result) return result;
  const after = result.Ok;
  const contact = after.contact.length === 1 ? after.contact[0] : null;
  const unchanged =
    before !== undefined && before.name === after.name && (before.contact[0] ?? null) === contact && bytesToHex(before.public_key) === bytesToHex(Uint8Array.from(after.public_key));
  if (unchanged) return result;
  logEvent({ kind: 'reviewer', principal: principalText(caller), name: after.name, contact, publicKey: Uint8Array.from(after.public_key), at: nowNs });
  if (before !== undefined && before.name !== after.name && before.attestations > 0n) bumpEpoch(store);
  markDirty(store);
  commitCertifiedData();
  return result;
}

/** Endorsement changes verdicts everywhere: reports are refreshed in batches (refreshStale). */
export function endorse(store: Store, target: Principal, endorsed: boolean, nowNs: bigint): Result<null> {
  const before = epoch(store);
  const result = endorseReviewer(store, target, endorsed, nowNs);
  if ('Err' in result || epoch(store) === before) return result;
  logEvent({ kind: 'endorsement', principal: principalText(target), endorsed, at: nowNs });
  markDirty(store);
  commitCertifiedData();
  return result;
}

export function configure(store: Store, next: Config, nowNs: bigint): Result<Config> {
  const before = getConfig(store);
  const result = setConfig(store, next);
  if ('Err' in result) return result;
  const c = result.Ok;
  const limit = c.max_submissions_per_proposal[0] ?? 0;
  if (
    before.quorum === c.quorum &&
    before.registration_open === c.registration_open &&
    before.max_envelope_bytes === c.max_envelope_bytes &&
    (before.max_submissions_per_proposal[0] ?? 0) === limit
  ) return result;
  logEvent({ kind: 'config', quorum: c.quorum, registrationOpen: c.registration_open, maxEnvelopeBytes: c.max_envelope_bytes, maxSubmissionsPerProposal: limit, at: nowNs });
  markDirty(store);
  commitCertifiedData();
  return result;
}

/** A governance record whose content changed (canister/proposals/sync.ts decides). */
export function electionChanged(store: Store, proposal: bigint, record: unknown, nowNs: bigint): void {
  logEvent({ kind: 'election', proposal, record, at: nowNs });
  // At once (elections are few, and sync runs in its own timer): even "not IC-OS" gets a report
  // saying there is nothing to review.
  touchProposal(store, proposal);
  store.dirty.remove(proposal);
  commit(store);
}

/**
 * Re-materialises reports made stale by a quorum, endorsement or name change, newest proposals
 * first, re-reading at most about `budget` attestations. Returns whether any remain.
 */
export function refreshStale(store: Store, budget: number, strict = false): boolean {
  const current = epoch(store);
  const total = Number(store.proposals.len());
  let used = 0;
  let more = false;
  outer: for (let start = 0; start < total; start += 100) {
    for (const meta of store.proposals.values(start, 100)) {
      if (meta.epoch === current) continue;
      if ((used > 0 || strict) && used + meta.count > budget) {
        more = true;
        break outer;
      }
      touchProposal(store, meta.proposal);
      used += meta.count;
    }
  }
  if (used > 0) commit(store);
  return more;
}
