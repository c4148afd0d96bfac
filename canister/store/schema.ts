/**
 * What the canister keeps in stable memory: one StableBTreeMap per kind of record, each on its
 * own memory id. Nothing lives only on the heap, so every upgrade keeps everything.
 *
 *   0 config        0                              → Config
 *   1 counters      counter id (u8)                → nat64
 *   2 reviewers     principal bytes                → StoredReviewer
 *   3 endorsements  principal bytes                → nat64 (time endorsed)
 *   4 attestations  id (u64 BE)                    → StoredAttestation (no envelope)
 *   5 envelopes     id (u64 BE)                    → Envelope (as submitted)
 *   6 by_proposal   proposal (u64 BE) ‖ seq (u32)  → id
 *   7 proposals     u64::MAX − proposal (BE)       → StoredProposal (newest first)
 *   8 latest        proposal ‖ os (u8) ‖ principal → id of that reviewer's latest attestation
 *   9 by_digest     statement digest ‖ principal   → id (identical resubmission → same id)
 *  13 log_nodes     level (u8) ‖ index (u64 BE)    → 32-byte node hash (canister/log/)
 *  14 log_entries   leaf index (u64 BE)            → entry bytes (canonical JSON)
 *  15 reports       proposal (u64 BE)              → the materialised report (canonical JSON)
 *  16 events        proposal ‖ seq (u32)           → leaf index of the proposal's seq-th event
 *  17 receipts      attestation id (u64 BE)        → leaf index of its log entry
 *  18 pages         URL path (UTF-8)               → a precomputed dashboard response's metadata
 *  19 submissions   proposal ‖ principal           → attestations that reviewer submitted for it
 *  20 retired       attestation id (u64 BE)        → id of the attestation that superseded it
 *  21 page_bodies    URL path (UTF-8)               → that response's body bytes, as served
 *  22 report_replies proposal (u64 BE)              → the materialised report as Candid (the
 *                                                     `proposal_report` reply, sent as stored)
 *  23 dirty          proposal (u64 BE)              → 0: changed since its report was materialised
 *
 * A proposal's attestations are `by_proposal` keys proposal‖0 … proposal‖(count−1): contiguous
 * in byte order, and read with `count` point lookups (azle's map pages by index, skipping from
 * the start, so a lookup per key is what keeps a report O(attestations of that proposal)).
 */
import type { Principal } from '@dfinity/principal';
import type { CandidEnvelope, Config, Opt, OsVerdict, Revocation } from '../../protocol/service.js';
import type { Statement } from '../../protocol/types.js';
import { decodeUtf8, encodeUtf8 } from '../text.js';
import { jsonValue, type Serializable } from './codec.js';
import { principalFromText, principalText } from './principals.js';

export const MEMORY = {
  config: 0,
  counters: 1,
  reviewers: 2,
  endorsements: 3,
  attestations: 4,
  envelopes: 5,
  byProposal: 6,
  proposals: 7,
  latest: 8,
  byDigest: 9,
  // 10-12: canister/proposals/schema.ts; 13-14: canister/log/log.ts
  reports: 15,
  events: 16,
  leafOf: 17,
  pages: 18,
  submissions: 19,
  retired: 20,
  pageBodies: 21,
  reportReplies: 22,
  dirty: 23
} as const;

/** A dashboard response computed when its data changed; its response hash is in the certified tree. */
export interface StoredPage {
  content_type: string;
  max_age: number;
  /** ic-http-certification's response hash (hex). */
  response_sha256: string;
}

export const COUNTER = { nextAttestationId: 0, revoked: 1, epoch: 2 } as const;

export interface StoredReviewer {
  principal: Principal;
  name: string;
  contact: Opt<string>;
  public_key: Uint8Array;
  key_type: string;
  registered_at_ns: bigint;
  updated_at_ns: bigint;
  attestations: bigint;
  /** Another reviewer's name is the same after case folding (protocol/names.ts); absent = false. */
  name_collides?: boolean;
}

export interface StoredAttestation {
  id: bigint;
  proposal: bigint;
  os: string;
  reviewer: Principal;
  submitted_at_ns: bigint;
  digest: string;
  /** The signed statement, parsed once at submission (reports read it, never the envelope). */
  statement: Statement;
  supersedes: Opt<bigint>;
  superseded_by: Opt<bigint>;
  revoked: Opt<Revocation>;
}

export interface StoredProposal {
  proposal: bigint;
  count: number;
  last_submitted_at_ns: bigint;
  /** Verdicts as of `epoch` (config/endorsement generation); recomputed when stale. */
  verdicts: OsVerdict[];
  epoch: bigint;
  /** Attestation and revocation log entries of this proposal, and their hash chain (hex). */
  events: number;
  chain: string;
  /**
   * The events the materialised report reflects (count and chain at its materialisation): what
   * the certified tree holds for the proposal, so its events and report always agree.
   */
  report_events: number;
  report_chain: string;
  /** sha256 (hex) of the materialised report's bytes; '' before the first materialisation. */
  report_sha256: string;
  /** OSes whose artifacts carry a proposal hash in the report (the index's headline needs them). */
  with_hash: string[];
}

/** The chain value before the first event: 32 zero bytes. */
export const CHAIN_START = '0'.repeat(64);

export function newProposalMeta(proposal: bigint): StoredProposal {
  return { proposal, count: 0, last_submitted_at_ns: 0n, verdicts: [], epoch: 0n, events: 0, chain: CHAIN_START, report_events: 0, report_chain: CHAIN_START, report_sha256: '', with_hash: [] };
}

const optN = (o: Opt<bigint>): string | null => (o.length === 1 ? o[0].toString() : null);
const nOpt = (s: string | null): Opt<bigint> => (s === null ? [] : [BigInt(s)]);
const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const unhex = (h: string): Uint8Array => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));

interface ReviewerJson {
  principal: string;
  name: string;
  contact: string | null;
  public_key: string;
  key_type: string;
  registered_at_ns: string;
  updated_at_ns: string;
  attestations: string;
  /** Written only when true, so records without a collision keep their bytes. */
  name_collides?: true;
}

export const reviewerValue: Serializable<StoredReviewer> = jsonValue<StoredReviewer, ReviewerJson>(
  (r) => ({
    principal: principalText(r.principal),
    name: r.name,
    contact: r.contact.length === 1 ? r.contact[0] : null,
    public_key: hex(r.public_key),
    key_type: r.key_type,
    registered_at_ns: r.registered_at_ns.toString(),
    updated_at_ns: r.updated_at_ns.toString(),
    attestations: r.attestations.toString(),
    ...(r.name_collides === true ? { name_collides: true as const } : {})
  }),
  (j) => ({
    principal: principalFromText(j.principal),
    name: j.name,
    contact: j.contact === null ? [] : [j.contact],
    public_key: unhex(j.public_key),
    key_type: j.key_type,
    registered_at_ns: BigInt(j.registered_at_ns),
    updated_at_ns: BigInt(j.updated_at_ns),
    attestations: BigInt(j.attestations),
    name_collides: j.name_collides === true
  })
);

interface AttestationJson {
  id: string;
  proposal: string;
  os: string;
  reviewer: string;
  submitted_at_ns: string;
  digest: string;
  supersedes: string | null;
  superseded_by: string | null;
  revoked: { at_ns: string; reason: string } | null;
  statement: Statement;
}

export const attestationValue: Serializable<StoredAttestation> = jsonValue<StoredAttestation, AttestationJson>(
  (a) => ({
    id: a.id.toString(),
    proposal: a.proposal.toString(),
    os: a.os,
    reviewer: principalText(a.reviewer),
    submitted_at_ns: a.submitted_at_ns.toString(),
    digest: a.digest,
    supersedes: optN(a.supersedes),
    superseded_by: optN(a.superseded_by),
    revoked: a.revoked.length === 1 ? { at_ns: a.revoked[0].at_ns.toString(), reason: a.revoked[0].reason } : null,
    statement: a.statement
  }),
  (j) => ({
    id: BigInt(j.id),
    proposal: BigInt(j.proposal),
    os: j.os,
    reviewer: principalFromText(j.reviewer),
    submitted_at_ns: BigInt(j.submitted_at_ns),
    digest: j.digest,
    supersedes: nOpt(j.supersedes),
    superseded_by: nOpt(j.superseded_by),
    revoked: j.revoked === null ? [] : [{ at_ns: BigInt(j.revoked.at_ns), reason: j.revoked.reason }],
    statement: j.statement
  })
);

interface ProposalJson {
  proposal: string;
  count: number;
  last_submitted_at_ns: string;
  verdicts: OsVerdict[];
  epoch: string;
  events?: number;
  chain?: string;
  report_events?: number;
  report_chain?: string;
  report_sha256?: string;
  with_hash?: string[];
}

export const proposalValue: Serializable<StoredProposal> = jsonValue<StoredProposal, ProposalJson>(
  (p) => ({
    proposal: p.proposal.toString(),
    count: p.count,
    last_submitted_at_ns: p.last_submitted_at_ns.toString(),
    verdicts: p.verdicts,
    epoch: p.epoch.toString(),
    events: p.events,
    chain: p.chain,
    report_events: p.report_events,
    report_chain: p.report_chain,
    report_sha256: p.report_sha256,
    with_hash: p.with_hash
  }),
  // Records written before the log existed read as "no events yet".
  (j) => ({
    proposal: BigInt(j.proposal),
    count: j.count,
    last_submitted_at_ns: BigInt(j.last_submitted_at_ns),
    verdicts: j.verdicts,
    epoch: BigInt(j.epoch),
    events: j.events ?? 0,
    chain: j.chain ?? CHAIN_START,
    report_events: j.report_events ?? j.events ?? 0,
    report_chain: j.report_chain ?? j.chain ?? CHAIN_START,
    report_sha256: j.report_sha256 ?? '',
    with_hash: j.with_hash ?? []
  })
);

export const pageValue: Serializable<StoredPage> = {
  toBytes: (p) => encodeUtf8(JSON.stringify(p)) ?? new Uint8Array(0),
  fromBytes: (b) => JSON.parse(decodeUtf8(b) ?? 'null') as StoredPage
};

/** Bytes stored as they are (page bodies, Candid replies: read back with no decoding). */
export const bytesValue: Serializable<Uint8Array> = { toBytes: (b) => b, fromBytes: (b) => b };

/** Text stored as its UTF-8 bytes, exactly (the materialised reports, whose bytes are certified). */
export const textValue: Serializable<string> = {
  toBytes: (s) => encodeUtf8(s) ?? new Uint8Array(0),
  fromBytes: (b) => decodeUtf8(b) ?? ''
};

/** The envelope exactly as submitted (all text fields, so JSON holds it losslessly). */
export const envelopeValue: Serializable<CandidEnvelope> = jsonValue<CandidEnvelope, CandidEnvelope>(
  (e) => ({ payload_type: e.payload_type, payload: e.payload, signatures: e.signatures.map((s) => ({ keyid: s.keyid, sig: s.sig })) }),
  (j) => j
);

interface ConfigJson {
  quorum: number;
  registration_open: boolean;
  max_envelope_bytes: number;
  /** Absent in configs stored before the limit existed. */
  max_submissions_per_proposal?: number | null;
}

export const configValue: Serializable<Config> = jsonValue<Config, ConfigJson>(
  (c) => ({
    quorum: c.quorum,
    registration_open: c.registration_open,
    max_envelope_bytes: c.max_envelope_bytes,
    max_submissions_per_proposal: c.max_submissions_per_proposal[0] ?? null
  }),
  (j) => ({
    quorum: j.quorum,
    registration_open: j.registration_open,
    max_envelope_bytes: j.max_envelope_bytes,
    max_submissions_per_proposal: j.max_submissions_per_proposal == null ? [] : [j.max_submissions_per_proposal]
  })
);
