/**
 * Every state change the canister accepts goes through here, in one order: the store write
 * (canister/store/, which knows nothing of reports or logs), its log entry (canister/log/), the
 * materialised report of each proposal it touches (canister/report/) and the certified data
 * (canister/certified/). A refused change writes nothing, so it appends nothing.
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
  if (proposal !== null) touchProposal(store, proposal);
  commit(store);
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
  touchProposal(store, record.proposal);
  commit(store);
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
  commit(store);
  return result;
}

/** Endorsement changes verdicts everywhere: reports are refreshed in batches (refreshStale). */
export function endorse(store: Store, target: Principal, endorsed: boolean, nowNs: bigint): Result<null> {
  const before = epoch(store);
  const result = endorseReviewer(store, target, endorsed, nowNs);
  if ('Err' in result || epoch(store) === before) return result;
  logEvent({ kind: 'endorsement', principal: principalText(target), endorsed, at: nowNs });
  commit(store);
  return result;
}

export function configure(store: Store, next: Config, nowNs: bigint): Result<Config> {
  const before = getConfig(store);
  const result = setConfig(store, next);
  if ('Err' in result) return result;
  const c = result.Ok;
  if (before.quorum === c.quorum && before.registration_open === c.registration_open && before.max_envelope_bytes === c.max_envelope_bytes) return result;
  logEvent({ kind: 'config', quorum: c.quorum, registrationOpen: c.registration_open, maxEnvelopeBytes: c.max_envelope_bytes, at: nowNs });
  commit(store);
  return result;
}

/** A governance record whose content changed (canister/proposals/sync.ts decides). */
export function electionChanged(store: Store, proposal: bigint, record: unknown, nowNs: bigint): void {
  logEvent({ kind: 'election', proposal, record, at: nowNs });
  touchProposal(store, proposal); // even "not IC-OS": its report says there is nothing to review
  commit(store);
}

/**
 * Re-materialises reports made stale by a quorum, endorsement or name change, newest proposals
 * first, re-reading at most about `budget` attestations. Returns whether any remain.
 */
export function refreshStale(store: Store, budget: number): boolean {
  const current = epoch(store);
  const total = Number(store.proposals.len());
  let used = 0;
  let more = false;
  outer: for (let start = 0; start < total; start += 100) {
    for (const meta of store.proposals.values(start, 100)) {
      if (meta.epoch === current) continue;
      if (used > 0 && used + meta.count > budget) {
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
