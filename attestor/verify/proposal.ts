/**
 * `verify --proposal P`: trust neither the canister's code nor its report. Fetch every stored
 * attestation, check each signature with the reviewer's key (whose principal must be the
 * attestation's reviewer: principals are self-authenticating), recompute consensus with the
 * protocol and compare it with the canister's proposal_report field by field.
 */
import { Principal } from '@dfinity/principal';

import {
  computeConsensus,
  OS_NAMES,
  principalOfPublicKey,
  verifyEnvelope,
  type AttestationRecord,
  type OsName,
  type ProposalConsensus
} from '../../protocol/index.js';
import { fromCandidEnvelope, type Attestation, type AttestationPage, type Config, type Opt, type ProposalReport, type Reviewer } from '../../protocol/service.js';
import type { AttestationsClient } from '../client/client.js';
import { fromOpt } from '../client/report.js';

/** JSON shape of one checked attestation. */
export interface CheckedAttestation {
  id: string;
  reviewer: string;
  os: string;
  revoked: boolean;
  valid: boolean;
  error?: string;
}

/** JSON shape of `verify --proposal`. */
export interface ProposalVerification {
  proposal: string;
  canister: string;
  ok: boolean;
  attestations: CheckedAttestation[];
  /** The consensus recomputed here, from the verified attestations only. */
  consensus: ProposalConsensus;
  /** Elected hashes per OS, as the canister read them from governance (its report's `governance` record and sources). */
  elected: Partial<Record<OsName, string | null>>;
  /** Each way the canister's report differs from the recomputed consensus; empty when they agree. */
  differences: string[];
}

const PAGE = 100;

export async function fetchAttestations(client: AttestationsClient, proposal: bigint): Promise<Attestation[]> {
  const out: Attestation[] = [];
  let cursor: Opt<bigint> = [];
  for (;;) {
    const page: AttestationPage = await client.call<AttestationPage>('list_attestations', { proposal: [proposal], os: [], reviewer: [], include_revoked: true }, cursor, PAGE);
    out.push(...page.attestations);
    if (page.next_cursor.length === 0 || page.attestations.length === 0) break;
    cursor = page.next_cursor;
  }
  return out;
}

export async function verifyProposal(client: AttestationsClient, proposalText: string): Promise<ProposalVerification> {
  const proposal = BigInt(proposalText);
  const listed = await fetchAttestations(client, proposal);
  const config = await client.call<Config>('get_config');
  const reportOpt = await client.call<Opt<ProposalReport>>('proposal_report', proposal);
  const report = fromOpt(reportOpt);

  const reviewers = new Map<string, Reviewer | null>();
  const checked: CheckedAttestation[] = [];
  const records: AttestationRecord[] = [];
  const differences: string[] = [];

  for (const summary of listed) {
    const principal = summary.reviewer.toText();
    const base = { id: summary.id.toString(), reviewer: principal, os: summary.os, revoked: summary.revoked.length > 0 };
    const bad = (error: string) => checked.push({ ...base, valid: false, error });
    // get_attestation: the record a third party would fetch by id must be the listed one
    const got = await client.call<Opt<Attestation>>('get_attestation', summary.id);
    if (got.length === 0) {
      bad('listed but get_attestation returns nothing');
      continue;
    }
    const rec = got[0];
    if (rec.envelope.payload !== summary.envelope.payload || rec.reviewer.toText() !== principal) {
      bad('get_attestation returns a different record than list_attestations');
      continue;
    }
    if (!reviewers.has(principal)) {
      const r = await client.call<Opt<Reviewer>>('get_reviewer', Principal.fromText(principal));
      reviewers.set(principal, fromOpt(r));
    }
    const reviewer = reviewers.get(principal);
    if (!reviewer) {
      bad('the canister has no public key for this reviewer');
      continue;
    }
    const keyDer = new Uint8Array(reviewer.public_key);
    let keyPrincipal: string;
    try {
      keyPrincipal = principalOfPublicKey(keyDer);
    } catch {
      bad('the reviewer\'s stored public key is not a valid DER key');
      continue;
    }
    if (keyPrincipal !== principal) {
      bad(`the stored public key belongs to ${keyPrincipal}, not to the reviewer`);
      continue;
    }
    const v = verifyEnvelope(fromCandidEnvelope(rec.envelope), keyDer, { expectedProposal: proposalText });
    if (!v.ok) {
      bad(`${v.error.kind}: ${v.error.message}`);
      continue;
    }
    if (v.value.principal !== principal) {
      bad(`signed by ${v.value.principal}, stored as ${principal}`);
      continue;
    }
    if (v.value.statement.predicate.os !== rec.os) {
      bad(`the statement is for ${v.value.statement.predicate.os}, stored as ${rec.os}`);
      continue;
    }
    if (rec.digest !== v.value.digest) differences.push(`attestation ${base.id}: stored digest ${rec.digest} ≠ recomputed ${v.value.digest}`);
    checked.push({ ...base, valid: true });
    records.push({
      id: rec.id,
      reviewer: principal,
      endorsed: reviewer.endorsed,
      statement: v.value.statement,
      revoked: rec.revoked.length > 0,
      submittedAtNs: rec.submitted_at_ns
    });
  }

  // Elected hashes are the one input not in the attestations: take them from the governance
  // record the canister read, the way the canister does (the elected OS gets governance's
  // hash, every other OS none), and record them in the output so a reader knows.
  const elected: Partial<Record<OsName, string | null>> = {};
  const gov = report?.governance ? fromOpt(report.governance) : null;
  if (gov) {
    for (const os of OS_NAMES) elected[os] = null;
    if (gov.elects === 'guestos' || gov.elects === 'hostos') elected[gov.elects] = fromOpt(gov.sha256);
  }
  const consensus = computeConsensus(proposalText, records, { quorum: report?.quorum ?? config.quorum, ...(Object.keys(elected).length > 0 ? { elected } : {}) });
  differences.push(...compareReport(consensus, report));
  const ok = differences.length === 0 && checked.every((c) => c.valid);
  return { proposal: proposalText, canister: client.canisterId, ok, attestations: checked, consensus, elected, differences };
}

const groupKey = (sha: string, members: { principal: string; id: bigint }[]) =>
  `${sha}:${members.map((m) => `${m.principal}#${m.id}`).sort().join(',')}`;

/** Every field of the canister's report that the recomputed consensus does not reproduce. */
export function compareReport(ours: ProposalConsensus, theirs: ProposalReport | null): string[] {
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
      diffs.push(`${os}: ${t ? 'only in the canister\'s report' : 'missing from the canister\'s report'}`);
      continue;
    }
    if (t.verdict !== o.verdict) diffs.push(`${os}: verdict ${t.verdict} in the canister's report, ${o.verdict} recomputed`);
    if (t.quorum !== o.quorum) diffs.push(`${os}: quorum ${t.quorum} in the canister's report, ${o.quorum} recomputed`);
    const ta = new Map(t.artifacts.map((a) => [a.name, a]));
    const oa = new Map(o.artifacts.map((a) => [a.name, a]));
    for (const name of new Set([...ta.keys(), ...oa.keys()])) {
      const x = ta.get(name);
      const y = oa.get(name);
      if (!x || !y) {
        diffs.push(`${name}: ${x ? 'only in the canister\'s report' : 'missing from the canister\'s report'}`);
        continue;
      }
      if (x.verdict !== y.verdict) diffs.push(`${name}: verdict ${x.verdict} in the canister's report, ${y.verdict} recomputed`);
      const xp = fromOpt(x.proposal_sha256);
      if (xp !== y.proposalSha256) diffs.push(`${name}: proposal hash ${xp ?? 'none'} in the canister's report, ${y.proposalSha256 ?? 'none'} recomputed`);
      if (x.endorsed_matching !== y.endorsedMatching) diffs.push(`${name}: ${x.endorsed_matching} endorsed matching in the canister's report, ${y.endorsedMatching} recomputed`);
      const xg = x.groups.map((g) => groupKey(g.sha256, g.members.map((m) => ({ principal: m.reviewer.toText(), id: m.attestation_id })))).sort();
      const yg = y.groups.map((g) => groupKey(g.sha256, g.reviewers.map((r) => ({ principal: r.principal, id: r.attestationId })))).sort();
      if (xg.join('|') !== yg.join('|')) diffs.push(`${name}: the hash groups differ (canister: ${x.groups.length} groups, recomputed: ${y.groups.length})`);
      for (const g of x.groups) {
        const mine = y.groups.find((h) => h.sha256 === g.sha256);
        const mp = fromOpt(g.matches_proposal);
        const mc = fromOpt(g.matches_cdn);
        if (mine && mine.matchesProposal !== mp) diffs.push(`${name}: group ${g.sha256.slice(0, 12)} matches the proposal: ${mp} in the canister's report, ${mine.matchesProposal} recomputed`);
        if (mine && mine.matchesCdn !== mc) diffs.push(`${name}: group ${g.sha256.slice(0, 12)} matches the CDN: ${mc} in the canister's report, ${mine.matchesCdn} recomputed`);
      }
    }
  }
  return diffs;
}

