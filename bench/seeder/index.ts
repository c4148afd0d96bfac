/**
 * Bench-only canister: the real `attestations` canister (same class, same store code, same
 * stable layout) plus bulk-loading methods, so the benchmarks can reach 10k-100k stored
 * attestations in minutes. Loading skips only what a bulk load must skip (the signature check
 * and the per-record report refresh); every record is written to the same maps with the same
 * keys as submit_attestation writes it. The bench then upgrades the canister to the real Wasm
 * and measures that. Never deployed anywhere.
 */
import { IDL, performanceCounter, query, StableBTreeMap, time, update } from 'azle';
import type { Principal } from '@dfinity/principal';
import Attestations from '../../canister/index.js';
import { sha256 } from '@noble/hashes/sha2';
import { base64Decode, concatBytes, hexToBytes, utf8Decode } from '../../protocol/bytes.js';
import { canonicalJson } from '../../protocol/canonical.js';
import { pae } from '../../protocol/dsse.js';
import { encodeStatement, verifyEnvelope } from '../../protocol/envelope.js';
import { publicKeyFromDer, verifySignature } from '../../protocol/keys.js';
import { validateStatement } from '../../protocol/validate.js';
import { EnvelopeIdl, fromCandidEnvelope, HttpResponseIdl, ProposalReportIdl, ReviewerProfileIdl, type CandidEnvelope, type ReviewerProfile } from '../../protocol/service.js';
import { PAYLOAD_TYPE, type Statement } from '../../protocol/types.js';
import { computeReport, consensusOf } from '../../canister/report/consensus.js';
import { reportFromJson, reportJson } from '../../canister/report/json.js';
import { reportReply } from '../../canister/report/materialise.js';
import { renderIndex } from '../../canister/http/precomputed.js';
import { proposalPage } from '../../canister/http/pages.js';
import { exactCertificateHeaders } from '../../canister/http/certification.js';
import { RESPONSE_ONLY_EXPRESSION } from '../../canister/http/response-hash.js';
import { encodeUtf8 } from '../../canister/text.js';
import { utf8Encode } from '../../protocol/bytes.js';
import { sha256 as fastSha256 } from '../../protocol/sha256.js';
import { commit } from '../../canister/certified/state.js';
import { logAttestation, touchProposal } from '../../canister/changes.js';
import { appendAttestation, attestationsOfProposal, proposalIndexKey } from '../../canister/store/attestations.js';
import { osCode, u32Bytes, u64Bytes } from '../../canister/store/codec.js';
import { epoch } from '../../canister/store/config.js';
import { endorseReviewer, registerReviewer } from '../../canister/store/reviewers.js';
import { attestationValue, COUNTER, envelopeValue, MEMORY, newProposalMeta, type StoredAttestation, type StoredProposal } from '../../canister/store/schema.js';
import { counter, setCounter, type Store } from '../../canister/store/store.js';

const ReviewerSeed = IDL.Record({ principal: IDL.Principal, profile: ReviewerProfileIdl, endorsed: IDL.Bool });
const AppendSeed = IDL.Record({ reviewer: IDL.Principal, envelope: EnvelopeIdl });
const FillSpec = IDL.Record({
  /** One template envelope per OS (guestos, hostos, setupos, recovery). */
  templates: IDL.Vec(EnvelopeIdl),
  reviewers: IDL.Vec(IDL.Principal),
  first_proposal: IDL.Nat64,
  /** Global index of the first record of this batch (batches continue each other). */
  start: IDL.Nat64,
  count: IDL.Nat32
});

function parseStatement(e: CandidEnvelope): Statement {
  const payload = base64Decode(e.payload);
  if (typeof payload === 'string') throw new Error(`bad payload: ${payload}`);
  return JSON.parse(utf8Decode(payload) ?? '') as Statement;
}

function hexOf(n: bigint, salt: string): string {
  return (salt + n.toString(16)).padStart(64, '0').slice(-64);
}


const rawBytes = { toBytes: (b: Uint8Array) => b, fromBytes: (b: Uint8Array) => b };
type RawMap = StableBTreeMap<Uint8Array, Uint8Array>;
/** Raw-bytes views of the store's maps (same memory ids; azle keeps one map per memory id). */
function rawMaps(): Record<'attestations' | 'envelopes' | 'latest' | 'byDigest' | 'byProposal', RawMap> {
  const m = (id: number): RawMap => new StableBTreeMap<Uint8Array, Uint8Array>(id, rawBytes, rawBytes);
  return {
    attestations: m(MEMORY.attestations),
    envelopes: m(MEMORY.envelopes),
    latest: m(MEMORY.latest),
    byDigest: m(MEMORY.byDigest),
    byProposal: m(MEMORY.byProposal)
  };
}
let RAW: ReturnType<typeof rawMaps> | null = null;
let fillerVerdicts: StoredProposal['verdicts'] | null = null;

function ascii(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

interface RawTemplate {
  os: string;
  /** Encoded record up to the id's digits, and after them. */
  prefix: Uint8Array;
  suffix: Uint8Array;
  /** Offsets in `suffix` of the proposal digits, the reviewer principal text, the digest hex. */
  proposalAt: number[];
  reviewerAt: number;
  digestAt: number;
  envelope: Uint8Array;
}

const SENTINEL_PROPOSAL = '999999';
const SENTINEL_DIGEST = 'e'.repeat(64);

/** Encodes one record with sentinel values and finds where they sit. */
function rawTemplate(envelope: CandidEnvelope, statement: Statement, sample: Principal, now: bigint): RawTemplate {
  const st = { ...statement, predicate: { ...statement.predicate, proposal: SENTINEL_PROPOSAL } } as Statement;
  const record: StoredAttestation = {
    id: 7n,
    proposal: BigInt(SENTINEL_PROPOSAL),
    os: st.predicate.os,
    reviewer: sample,
    submitted_at_ns: now,
    digest: SENTINEL_DIGEST,
    statement: st,
    supersedes: [],
    superseded_by: [],
    revoked: []
  };
  const bytes = attestationValue.toBytes(record);
  let text = '';
  for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
  const head = '{"id":"7"';
  if (!text.startsWith(head)) throw new Error(`bench_fill: unexpected record encoding ${text.slice(0, 40)}`);
  const cut = head.length - 2;
  const rest = text.slice(cut + 1);
  const proposalAt: number[] = [];
  const needle = `"proposal":"${SENTINEL_PROPOSAL}"`;
  for (let at = rest.indexOf(needle); at >= 0; at = rest.indexOf(needle, at + 1)) proposalAt.push(at + needle.length - 1 - SENTINEL_PROPOSAL.length);
  const reviewerAt = rest.indexOf(sample.toText());
  const digestAt = rest.indexOf(SENTINEL_DIGEST);
  if (proposalAt.length === 0 || reviewerAt < 0 || digestAt < 0) throw new Error('bench_fill: cannot find the fields to patch in the record encoding');
  return { os: st.predicate.os, prefix: bytes.slice(0, cut), suffix: bytes.slice(cut + 1), proposalAt, reviewerAt, digestAt, envelope: envelopeValue.toBytes(envelope) };
}

export default class BenchSeeder extends Attestations {
  /** Registers (and endorses) reviewers through the real store functions; returns how many. */
  @update([IDL.Vec(ReviewerSeed)], IDL.Nat32)
  bench_reviewers(list: { principal: Principal; profile: ReviewerProfile; endorsed: boolean }[]): number {
    let n = 0;
    for (const r of list) {
      const res = registerReviewer(this.store, r.principal, r.profile, time());
      if ('Err' in res) throw new Error(`register ${r.principal.toText()}: ${res.Err.message}`);
      if (r.endorsed) endorseReviewer(this.store, r.principal, true, time());
      n++;
    }
    return n;
  }

  /** Appends signed envelopes (signature not checked) with their log entries, then materialises each touched proposal once. */
  @update([IDL.Vec(AppendSeed)], IDL.Nat64)
  bench_append(list: { reviewer: Principal; envelope: CandidEnvelope }[]): bigint {
    const touched = new Set<bigint>();
    let last = 0n;
    for (const r of list) {
      const st = parseStatement(r.envelope);
      const digest = Array.from(base64Decode(r.envelope.signatures[0].sig) as Uint8Array, (x) => x.toString(16).padStart(2, '0')).join('').slice(0, 64);
      last = appendAttestation(this.store, r.reviewer, r.envelope, st, digest, time());
      logAttestation(this.store, last, time());
      touched.add(BigInt(st.predicate.proposal));
    }
    for (const p of touched) touchProposal(this.store, p);
    commit();
    return last;
  }

  /**
   * Filler: `count` attestations shaped like the templates (one per OS), proposal after
   * proposal, each with every reviewer × every template. Fast path: each template record is
   * encoded once by the store's own serializer and then copied with its varying fields (id,
   * proposal, reviewer, digest) patched in, and written through raw-bytes views of the same
   * maps; so every stored byte is what submit_attestation would have stored for that record,
   * without paying the JSON encoding 100 000 times. Checked by decoding the last record.
   */
  @update([FillSpec], IDL.Nat64)
  bench_fill(spec: { templates: CandidEnvelope[]; reviewers: Principal[]; first_proposal: bigint; start: bigint; count: number }): bigint {
    const store = this.store;
    RAW ??= rawMaps();
    const raw = RAW;
    const now = time();
    const r = spec.reviewers.length;
    const per = r * spec.templates.length;
    const templates = spec.templates.map((e) => rawTemplate(e, parseStatement(e), spec.reviewers[0], now));
    const reviewerText = spec.reviewers.map((p) => ascii(p.toText()));
    const reviewerBytes = spec.reviewers.map((p) => p.toUint8Array());
    const counts = new Map<bigint, number>();
    const perReviewer = new Map<number, number>();
    let id = counter(store, COUNTER.nextAttestationId);
    let lastDigest = '';
    for (let k = 0; k < spec.count; k++) {
      const i = Number(spec.start) + k;
      const proposal = spec.first_proposal + BigInt(Math.floor(i / per));
      const t = templates[Math.floor((i % per) / r)];
      const who = i % r;
      id += 1n;
      const idText = ascii(id.toString());
      const value = new Uint8Array(t.prefix.length + idText.length + t.suffix.length);
      value.set(t.prefix);
      value.set(idText, t.prefix.length);
      const off = t.prefix.length + idText.length;
      value.set(t.suffix, off);
      const p = ascii(proposal.toString());
      for (const at of t.proposalAt) value.set(p, off + at);
      value.set(reviewerText[who], off + t.reviewerAt);
      lastDigest = hexOf(BigInt(i), 'f111');
      value.set(ascii(lastDigest), off + t.digestAt);
      const key = u64Bytes(id);
      raw.attestations.insert(key, value);
      raw.envelopes.insert(key, t.envelope);
      raw.latest.insert(concatBytes(u64Bytes(proposal), Uint8Array.of(osCode(t.os)), reviewerBytes[who]), key);
      raw.byDigest.insert(concatBytes(hexToBytes(lastDigest), reviewerBytes[who]), key);
      let seq = counts.get(proposal);
      if (seq === undefined) seq = store.proposals.get(proposal)?.count ?? 0;
      raw.byProposal.insert(concatBytes(u64Bytes(proposal), u32Bytes(seq)), key);
      counts.set(proposal, seq + 1);
      perReviewer.set(who, (perReviewer.get(who) ?? 0) + 1);
    }
    setCounter(store, COUNTER.nextAttestationId, id);
    for (const [who, n] of perReviewer) {
      const k = reviewerBytes[who];
      const rev = store.reviewers.get(k);
      if (rev !== undefined) store.reviewers.insert(k, { ...rev, attestations: rev.attestations + BigInt(n) });
    }
    // Complete filler proposals all hold the same statements: compute their verdicts once. Filler
    // skips the log (one entry per record would make loading 100k records take hours); only
    // proposals that bench_append touches have log entries and certified reports.
    for (const [proposal, count] of counts) {
      const meta: StoredProposal = store.proposals.get(proposal) ?? newProposalMeta(proposal);
      if (count === per && fillerVerdicts !== null) {
        store.proposals.insert(proposal, { ...meta, count, last_submitted_at_ns: now, verdicts: fillerVerdicts, epoch: epoch(store) });
      } else {
        store.proposals.insert(proposal, { ...meta, count, last_submitted_at_ns: now });
        touchProposal(store, proposal);
        if (count === per) fillerVerdicts = store.proposals.get(proposal)?.verdicts ?? null;
      }
    }
    commit();
    const check = store.attestations.get(id);
    const who = (Number(spec.start) + spec.count - 1) % r;
    if (check === undefined || check.id !== id || check.digest !== lastDigest || check.reviewer.toText() !== spec.reviewers[who].toText()) {
      throw new Error(`bench_fill: record ${id} does not read back as written`);
    }
    return id;
  }

  /**
   * Where a submission's and a report's instructions go: each step of submit_attestation's
   * checks on `envelope` (signed by `publicKeyDer`), and of reading stored attestation `id` and
   * proposal `proposal`'s consensus. Query: nothing is written.
   */
  @query([EnvelopeIdl, IDL.Vec(IDL.Nat8), IDL.Nat64, IDL.Nat64], IDL.Vec(IDL.Tuple(IDL.Text, IDL.Nat64)))
  bench_breakdown(envelope: CandidEnvelope, publicKeyDer: Uint8Array, id: bigint, proposal: bigint): [string, bigint][] {
    const out: [string, bigint][] = [];
    const step = <T>(name: string, f: () => T): T => {
      const t = performanceCounter(0);
      const v = f();
      out.push([name, performanceCounter(0) - t]);
      return v;
    };
    const der = Uint8Array.from(publicKeyDer);
    step('candid: encode + decode the envelope argument', () => IDL.decode([EnvelopeIdl], IDL.encode([EnvelopeIdl], [envelope])));
    step('verifyEnvelope (all checks below together)', () => verifyEnvelope(fromCandidEnvelope(envelope), der));
    const payload = step('base64-decode the payload', () => base64Decode(envelope.payload)) as Uint8Array;
    const sig = base64Decode(envelope.signatures[0].sig) as Uint8Array;
    const key = publicKeyFromDer(der);
    if (key.ok) step('signature check over PAE', () => verifySignature(key.value, pae(PAYLOAD_TYPE, payload), sig));
    const value = step('utf8 + JSON.parse the statement', () => JSON.parse(utf8Decode(payload) ?? 'null'));
    const st = step('validateStatement', () => validateStatement(value));
    if (st.ok) step('canonical re-encoding (encodeStatement)', () => encodeStatement(st.value));
    step('sha256 of the envelope JSON (digest)', () => sha256(new TextEncoder().encode(canonicalJson(fromCandidEnvelope(envelope)))));
    const rec = step('stored attestation: get (read + decode JSON)', () => this.store.attestations.get(id));
    if (rec !== undefined) {
      const bytes = step('stored attestation: encode to bytes (asciiJsonBytes)', () => attestationValue.toBytes(rec));
      step('stored attestation: decode from bytes (parseAsciiJson)', () => attestationValue.fromBytes(bytes));
      step('stored envelope: get', () => this.store.envelopes.get(id));
      step('stored envelope: encode to bytes', () => envelopeValue.toBytes(envelope));
    }
    const list = step(`proposal ${proposal}: read its attestations`, () => attestationsOfProposal(this.store, proposal));
    out.push([`proposal ${proposal}: attestations read`, BigInt(list.length)]);
    step(`proposal ${proposal}: read + consensus (refreshProposal's work)`, () => consensusOf(this.store, proposal));
    // Where a submit's refresh and a report or page query spend their instructions.
    const computed = step(`proposal ${proposal}: computeReport`, () => computeReport(this.store, proposal));
    if (computed !== null) {
      const json = step(`proposal ${proposal}: reportJson + canonicalJson`, () => canonicalJson(reportJson(computed.report)));
      out.push([`proposal ${proposal}: report bytes`, BigInt(json.length)]);
      const bytes = step(`proposal ${proposal}: utf8Encode(report)`, () => utf8Encode(json) ?? new Uint8Array(0));
      step(`proposal ${proposal}: sha256(report)`, () => sha256(bytes));
      const page = step(`proposal ${proposal}: proposalPage(report)`, () => proposalPage(computed.report));
      out.push([`proposal ${proposal}: page bytes`, BigInt(page.length)]);
      const pageBytes = step(`proposal ${proposal}: utf8Encode(page)`, () => utf8Encode(page) ?? new Uint8Array(0));
      step(`proposal ${proposal}: sha256(page), @noble/hashes`, () => sha256(pageBytes));
      step(`proposal ${proposal}: sha256(page), protocol/sha256.ts`, () => fastSha256(pageBytes));
      step(`proposal ${proposal}: utf8 encode (page) natively`, () => encodeUtf8(page));
      step('renderIndex', () => renderIndex(this.store));
    }
    const text = step(`proposal ${proposal}: stored report: get`, () => this.store.reports.get(proposal) ?? '');
    const parsed = step(`proposal ${proposal}: stored report: JSON.parse`, () => JSON.parse(text));
    const report = step(`proposal ${proposal}: stored report: reportFromJson`, () => reportFromJson(parsed));
    step(`proposal ${proposal}: candid encode the report`, () => IDL.encode([IDL.Opt(ProposalReportIdl)], [[report]]));
    const body = step(`proposal ${proposal}: stored page: get (meta + body bytes)`, () => (this.store.pages.get(`/proposal/${proposal}`), this.store.pageBodies.get(`/proposal/${proposal}`)));
    if (body !== undefined) {
      step(`proposal ${proposal}: page witness (http_expr)`, () => exactCertificateHeaders(`/proposal/${proposal}`, RESPONSE_ONLY_EXPRESSION, new Uint8Array(100)));
      step(`proposal ${proposal}: candid encode the page response`, () => IDL.encode([HttpResponseIdl], [{ status_code: 200, headers: [], body }]));
    }
    step(`proposal ${proposal}: proposal_report reply (stored Candid)`, () => reportReply(this.store, proposal));
    return out;
  }
}
