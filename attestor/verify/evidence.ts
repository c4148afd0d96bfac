/**
 * `verify --proposal`, sigstore-style: fetched answers are kept as one Evidence document (JSON,
 * `--evidence <file>`), and verifyEvidence(evidence, trust) decides offline. It trusts only the
 * root key (and NNS governance for the elected hash):
 *   - the certificate and witness (certified.ts) fix the proposal's report hash and its event
 *     chain (count + hash over every attestation/revocation entry, in log order);
 *   - the events, re-hashed into that chain, are therefore the complete set of attestations:
 *     every listed envelope must be one of them with the same digest, and none may be missing;
 *   - each envelope's signature is checked with a key whose principal is the certified reviewer;
 *   - the consensus is recomputed from those envelopes and compared with the certified report.
 * Endorsements and quorum come from the certified report (the log records them; `audit --mirror`
 * replays it). Certificate, witness, report and chain failures throw TrustError; per-attestation
 * problems are listed in `differences`, and any makes `ok` false.
 */
import { sha256 } from '@noble/hashes/sha2';

import { computeConsensus, OS_NAMES, principalOfPublicKey, verifyEnvelope, type AttestationRecord, type OsName, type ProposalConsensus } from '../../protocol/index.js';
import { bytesEqual, bytesToHex, hexToBytes, utf8Encode } from '../../protocol/bytes.js';
import { RFC9162_SHA256 } from '../../protocol/merkle/index.js';
import type { ReportJson } from '../client/report.js';
import { logHead, proposalState, verifyCertified, type CertifiedProposal } from './certified.js';
import { certifiedReportView } from './report-json.js';
import { TrustError } from './trust-error.js';

export const EVIDENCE_FORMAT = 'icos-attest/evidence/v1';

/** The elected hash as NNS governance answered a certified (replicated) call, or why there is none. */
export type ElectedEvidence =
  | { source: 'governance'; governanceId: string; network: string; elects: string; sha256: string | null; commit: string | null }
  | { source: 'governance'; governanceId: string; network: string; elects: 'unknown-proposal'; sha256: null; commit: null }
  | { source: 'unavailable'; reason: string };

export interface Evidence {
  format: typeof EVIDENCE_FORMAT;
  proposal: string;
  canister: string;
  network: string;
  fetchedAt: string;
  /** certified_report, all event pages joined; bytes as hex, entries as their UTF-8 text. */
  certified: {
    certificate: string;
    witness: string;
    reportJson: string | null;
    eventCount: string;
    events: { leafIndex: string; entry: string }[];
  };
  /** list_attestations (unverified: checked against the certified events). */
  attestations: { id: string; reviewer: string; os: string; revoked: boolean; submittedAtNs: string; envelope: unknown }[];
  /** get_reviewer public keys (unverified: a key counts only if its principal is the reviewer's). */
  reviewers: { principal: string; publicKey: string }[];
  elected: ElectedEvidence;
}

export interface Trust {
  rootKey: Uint8Array;
  /** Certificate age limit in minutes; null when replaying saved evidence on purpose. */
  maxAgeMinutes: number | null;
}

/** JSON shape of one checked attestation. */
export interface CheckedAttestation {
  id: string;
  reviewer: string;
  os: string;
  revoked: boolean;
  valid: boolean;
  error?: string;
}

/** JSON shape of `verify --proposal` (docs/cli.md). */
export interface ProposalVerification {
  proposal: string;
  canister: string;
  ok: boolean;
  /** What the IC certified: log head, certificate time, this proposal's events. */
  certified: { logSize: string; logRoot: string; certificateTimeNs: string; eventCount: string; reportSha256: string | null };
  attestations: CheckedAttestation[];
  /** The consensus recomputed here, from the verified attestations only. */
  consensus: ProposalConsensus;
  /** Elected hashes per OS, read from NNS governance by this tool (never from the canister). */
  elected: Partial<Record<OsName, string | null>>;
  electedSource: ElectedEvidence['source'] | 'not-found';
  /** The certified report, as `report --json` prints it (null when none). */
  report: ReportJson | null;
  /** Each way the answers differ from the certified state or the recomputed consensus; empty when all agree. */
  differences: string[];
}

interface CertifiedEvent {
  kind: 'attestation' | 'revocation';
  id: string;
  reviewer: string;
  os?: string;
  digest?: string;
  leafIndex: string;
}

/** chain_k = sha256(chain_{k-1} ‖ leafHash(entry_k)), chain_0 = 32 zero bytes. */
export function eventChain(entries: Uint8Array[]): Uint8Array {
  let chain: Uint8Array = new Uint8Array(32);
  for (const e of entries) {
    const next = new Uint8Array(64);
    next.set(chain, 0);
    next.set(RFC9162_SHA256.hashLeaf(e), 32);
    chain = sha256(next);
  }
  return chain;
}

function parseEvent(text: string, leafIndex: string, proposal: string): CertifiedEvent {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new TrustError('events', `log entry ${leafIndex} is not JSON`);
  }
  if ((v.kind !== 'attestation' && v.kind !== 'revocation') || v.proposal !== proposal) {
    throw new TrustError('events', `log entry ${leafIndex} is not an attestation or revocation of proposal ${proposal}`);
  }
  return { kind: v.kind, id: String(v.id), reviewer: String(v.reviewer), os: v.os as string | undefined, digest: v.digest as string | undefined, leafIndex };
}

/** The report: exactly the certified bytes, or provably none. */
export function checkReportText(proposal: string, text: string | null, certified: CertifiedProposal | null): void {
  if (certified?.reportSha256) {
    if (text === null) throw new TrustError('report', `proposal ${proposal}: the answer has no report, but one is certified`);
    if (!bytesEqual(sha256(utf8Encode(text) ?? new Uint8Array()), certified.reportSha256)) {
      throw new TrustError('report', `proposal ${proposal}: the report is not the certified one (its sha256 differs)`);
    }
  } else if (text !== null) {
    throw new TrustError('report', `proposal ${proposal}: the answer has a report, but none is certified`);
  }
}

export async function verifyEvidence(e: Evidence, trust: Trust): Promise<ProposalVerification> {
  if (e.format !== EVIDENCE_FORMAT) throw new TrustError('certificate', `not icos-attest evidence (format ${String(e.format)})`);
  const proposal = BigInt(e.proposal);
  const state = await verifyCertified(
    { certificate: hexToBytes(e.certified.certificate), witness: hexToBytes(e.certified.witness) },
    { rootKey: trust.rootKey, canisterId: e.canister, maxAgeMinutes: trust.maxAgeMinutes }
  );
  const head = logHead(state.tree);
  const certified = proposalState(state.tree, proposal);

  const text = e.certified.reportJson;
  checkReportText(e.proposal, text, certified);

  // The events: complete (count) and unaltered (chain).
  const count = certified?.count ?? 0n;
  const entries = e.certified.events.map((x) => utf8Encode(x.entry) ?? new Uint8Array());
  if (BigInt(e.certified.eventCount) !== count || BigInt(entries.length) !== count) {
    throw new TrustError('events', `proposal ${e.proposal}: ${entries.length} events answered (claimed ${e.certified.eventCount}), ${count} certified`);
  }
  if (!bytesEqual(eventChain(entries), certified?.chain ?? new Uint8Array(32))) {
    throw new TrustError('events', `proposal ${e.proposal}: the events do not hash to the certified chain (altered or reordered)`);
  }
  const events = e.certified.events.map((x) => parseEvent(x.entry, x.leafIndex, e.proposal));
  const certifiedAtt = new Map(events.filter((x) => x.kind === 'attestation').map((x) => [x.id, x]));
  const revoked = new Set(events.filter((x) => x.kind === 'revocation').map((x) => x.id));

  const report = text === null ? null : certifiedReportView(text);
  const differences: string[] = [];
  const checked: CheckedAttestation[] = [];
  const records: AttestationRecord[] = [];
  const keys = new Map(e.reviewers.map((r) => [r.principal, r.publicKey]));
  const endorsed = new Set(report?.oses.flatMap((o) => o.artifacts.flatMap((a) => a.groups.flatMap((g) => g.members.filter((m) => m.endorsed).map((m) => m.reviewer)))) ?? []);

  const listed = new Set<string>();
  for (const a of e.attestations) {
    listed.add(a.id);
    const bad = (error: string) => {
      checked.push({ id: a.id, reviewer: a.reviewer, os: a.os, revoked: a.revoked, valid: false, error });
      differences.push(`attestation ${a.id}: ${error}`);
    };
    const c = certifiedAtt.get(a.id);
    if (!c) { bad('listed, but not in the certified log of this proposal (added)'); continue; }
    if (c.reviewer !== a.reviewer) { bad(`listed as ${a.reviewer}, certified as ${c.reviewer}`); continue; }
    if (revoked.has(a.id) !== a.revoked) { bad(`listed as ${a.revoked ? '' : 'not '}revoked, certified as ${revoked.has(a.id) ? '' : 'not '}revoked`); continue; }
    const keyHex = keys.get(a.reviewer);
    if (!keyHex) { bad('no public key for the reviewer'); continue; }
    const key = hexToBytes(keyHex);
    let keyPrincipal: string;
    try {
      keyPrincipal = principalOfPublicKey(key);
    } catch {
      bad('the reviewer\'s public key is not a valid DER key');
      continue;
    }
    if (keyPrincipal !== a.reviewer) { bad(`the public key given for the reviewer belongs to ${keyPrincipal}`); continue; }
    const v = verifyEnvelope(a.envelope, key, { expectedProposal: e.proposal });
    if (!v.ok) { bad(`${v.error.kind}: ${v.error.message}`); continue; }
    if (v.value.digest !== c.digest) { bad(`the envelope's digest ${v.value.digest.slice(0, 16)}… is not the certified ${String(c.digest).slice(0, 16)}… (altered)`); continue; }
    if (v.value.statement.predicate.os !== c.os) { bad(`the statement is for ${v.value.statement.predicate.os}, certified as ${c.os}`); continue; }
    checked.push({ id: a.id, reviewer: a.reviewer, os: a.os, revoked: a.revoked, valid: true });
    records.push({ id: BigInt(a.id), reviewer: a.reviewer, endorsed: endorsed.has(a.reviewer), statement: v.value.statement, revoked: a.revoked, submittedAtNs: BigInt(a.submittedAtNs) });
  }
  for (const [id, c] of certifiedAtt) {
    if (!listed.has(id)) differences.push(`attestation ${id} (${c.os} by ${c.reviewer}, log entry ${c.leafIndex}) is certified but missing from the list (omitted)`);
  }

  // Elected hashes from governance, never from the canister.
  const elected: Partial<Record<OsName, string | null>> = {};
  let electedSource: ProposalVerification['electedSource'] = e.elected.source;
  if (e.elected.source === 'governance' && e.elected.elects !== 'unknown-proposal') {
    for (const os of OS_NAMES) elected[os] = null;
    if (e.elected.elects === 'guestos' || e.elected.elects === 'hostos') elected[e.elected.elects] = e.elected.sha256;
  } else if (e.elected.source === 'governance') electedSource = 'not-found';
  const consensus = computeConsensus(e.proposal, records, { quorum: report?.quorum ?? 1, ...(Object.keys(elected).length > 0 ? { elected } : {}) });
  differences.push(...compareReportJson(consensus, report));
  const claimed = report?.governance?.sha256 ?? null;
  if (claimed !== null && electedSource !== 'governance') differences.push(`the report names the elected hash ${claimed.slice(0, 16)}…, which could not be confirmed with NNS governance`);

  return {
    proposal: e.proposal,
    canister: e.canister,
    ok: differences.length === 0 && checked.every((c) => c.valid),
    certified: {
      logSize: head.size.toString(),
      logRoot: bytesToHex(head.root),
      certificateTimeNs: state.timeNs.toString(),
      eventCount: count.toString(),
      reportSha256: certified?.reportSha256 ? bytesToHex(certified.reportSha256) : null
    },
    attestations: checked,
    consensus,
    elected,
    electedSource,
    report,
    differences
  };
}

const groupKey = (sha: string, members: { principal: string; id: string }[]) =>
  `${sha}:${members.map((m) => `${m.principal}#${m.id}`).sort().join(',')}`;

type Counted = { outcome: string; endorsedMatching: number; endorsedDiffering: number; unverifiedMatching: number; unverifiedDiffering: number };

/** The outcome and its four counts (protocol/consensus.ts), canister's vs recomputed. */
function countDiffs(what: string, theirs: Counted, ours: Counted): string[] {
  const out: string[] = [];
  if (theirs.outcome !== ours.outcome) out.push(`${what}: outcome ${theirs.outcome} in the canister's report, ${ours.outcome} recomputed`);
  const label = { endorsedMatching: 'endorsed matching', endorsedDiffering: 'endorsed differing', unverifiedMatching: 'unverified matching', unverifiedDiffering: 'unverified differing' } as const;
  for (const k of Object.keys(label) as (keyof typeof label)[]) {
    if (theirs[k] !== ours[k]) out.push(`${what}: ${theirs[k]} ${label[k]} in the canister's report, ${ours[k]} recomputed`);
  }
  return out;
}

/** Every field of a report that the recomputed consensus does not reproduce. */
export function compareReportJson(ours: ProposalConsensus, theirs: ReportJson | null): string[] {
  const diffs: string[] = [];
  if (theirs === null) {
    if (ours.oses.length > 0) diffs.push('the canister has no report for this proposal, but it stores attestations for it');
    return diffs;
  }
  const theirOses = new Map(theirs.oses.map((o) => [o.os, o]));
  const ourOses = new Map(ours.oses.map((o) => [o.os as string, o]));
  for (const os of new Set([...theirOses.keys(), ...ourOses.keys()])) {
    const t = theirOses.get(os);
    const o = ourOses.get(os);
    if (!t || !o) {
      diffs.push(`${os}: ${t ? "only in the canister's report" : "missing from the canister's report"}`);
      continue;
    }
    if (t.verdict !== o.verdict) diffs.push(`${os}: verdict ${t.verdict} in the canister's report, ${o.verdict} recomputed`);
    if (t.quorum !== o.quorum) diffs.push(`${os}: quorum ${t.quorum} in the canister's report, ${o.quorum} recomputed`);
    diffs.push(...countDiffs(os, t, o));
    const ta = new Map(t.artifacts.map((a) => [a.name, a]));
    const oa = new Map(o.artifacts.map((a) => [a.name, a]));
    for (const name of new Set([...ta.keys(), ...oa.keys()])) {
      const x = ta.get(name);
      const y = oa.get(name);
      if (!x || !y) {
        diffs.push(`${name}: ${x ? "only in the canister's report" : "missing from the canister's report"}`);
        continue;
      }
      if (x.verdict !== y.verdict) diffs.push(`${name}: verdict ${x.verdict} in the canister's report, ${y.verdict} recomputed`);
      if (x.proposalSha256 !== y.proposalSha256) diffs.push(`${name}: proposal hash ${x.proposalSha256 ?? 'none'} in the canister's report, ${y.proposalSha256 ?? 'none'} recomputed`);
      diffs.push(...countDiffs(name, x, y));
      const xg = x.groups.map((g) => groupKey(g.sha256, g.members.map((m) => ({ principal: m.reviewer, id: m.attestationId })))).sort();
      const yg = y.groups.map((g) => groupKey(g.sha256, g.reviewers.map((r) => ({ principal: r.principal, id: r.attestationId.toString() })))).sort();
      if (xg.join('|') !== yg.join('|')) diffs.push(`${name}: the hash groups differ (canister: ${x.groups.length} groups, recomputed: ${y.groups.length})`);
      for (const g of x.groups) {
        const mine = y.groups.find((h) => h.sha256 === g.sha256);
        if (mine && mine.matchesProposal !== g.matchesProposal) diffs.push(`${name}: group ${g.sha256.slice(0, 12)} matches the proposal: ${g.matchesProposal} in the canister's report, ${mine.matchesProposal} recomputed`);
        if (mine && mine.matchesCdn !== g.matchesCdn) diffs.push(`${name}: group ${g.sha256.slice(0, 12)} matches the CDN: ${g.matchesCdn} in the canister's report, ${mine.matchesCdn} recomputed`);
      }
    }
  }
  return diffs;
}
