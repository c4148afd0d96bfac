/** The canister's proposal report as stable JSON (principals as text, nat64 as decimal, opt as null) and as a table. */
import type { ProposalReport } from '../../protocol/service.js';
import { paint, table } from '../cli/output.js';

/** Candid `opt T` → T | null. */
export function fromOpt<T>(o: [] | [T]): T | null {
  return o.length > 0 ? (o[0] as T) : null;
}

/** The proposal as the canister read it from NNS governance (null when not synced). */
export interface GovernanceJson {
  title: string;
  status: string;
  elects: string;
  action: string;
  commit: string | null;
  sha256: string | null;
  urls: string[];
  fetchedAtNs: string;
  governance: string;
  lastError: { kind: string; message: string } | null;
}

export interface ReportJson {
  governance: GovernanceJson | null;
  proposal: string;
  quorum: number;
  attestations: number;
  reviewers: number;
  lastSubmittedAtNs: string;
  oses: {
    os: string;
    verdict: string;
    quorum: number;
    artifacts: {
      name: string;
      proposalSha256: string | null;
      proposalSource: string;
      cdnSha256: string[];
      verdict: string;
      endorsedMatching: number;
      groups: {
        sha256: string;
        /** null when there is no proposal hash (SetupOS) or no CDN hash was reported. */
        matchesProposal: boolean | null;
        matchesCdn: boolean | null;
        members: { reviewer: string; name: string; endorsed: boolean; attestationId: string; claimMismatch: boolean }[];
      }[];
      hints: HintJson[];
    }[];
  }[];
}

export interface HintJson {
  groupSha256: string;
  referenceSha256: string;
  referenceCount: number;
  divergentCount: number;
  /** First divergent component inside the artifact (display path), when both groups carry manifests. */
  firstDivergent: string | null;
  manifestNote: string;
  differing: Record<string, unknown>[];
  differingTotal: number;
  factors: { field: string; reference: string[]; divergent: string[]; score: number; explanation: string }[];
}

/** Candid values → JSON: bigint → decimal, Principal → text, Uint8Array → hex. */
function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') {
    if (typeof (v as { toText?: unknown }).toText === 'function' && (v as { _isPrincipal?: boolean })._isPrincipal) return (v as { toText(): string }).toText();
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}

function governanceJson(r: ProposalReport): GovernanceJson | null {
  const g = r.governance ? fromOpt(r.governance) : null;
  if (!g) return null;
  const err = g.last_error ? fromOpt(g.last_error as [] | [{ kind: string; message: string }]) : null;
  return {
    title: g.title,
    status: g.status,
    elects: g.elects,
    action: g.action,
    commit: fromOpt(g.commit),
    sha256: fromOpt(g.sha256),
    urls: g.urls,
    fetchedAtNs: g.fetched_at_ns.toString(),
    governance: g.governance.toText(),
    lastError: err ? { kind: err.kind, message: err.message } : null
  };
}

export function reportToJson(r: ProposalReport): ReportJson {
  return {
    governance: governanceJson(r),
    proposal: r.proposal.toString(),
    quorum: r.quorum,
    attestations: r.attestations,
    reviewers: r.reviewers,
    lastSubmittedAtNs: r.last_submitted_at_ns.toString(),
    oses: r.oses.map((o) => ({
      os: o.os,
      verdict: o.verdict,
      quorum: o.quorum,
      artifacts: o.artifacts.map((a) => ({
        name: a.name,
        proposalSha256: fromOpt(a.proposal_sha256),
        proposalSource: a.proposal_source,
        cdnSha256: a.cdn_sha256,
        verdict: a.verdict,
        endorsedMatching: a.endorsed_matching,
        groups: a.groups.map((g) => ({
          sha256: g.sha256,
          matchesProposal: fromOpt(g.matches_proposal),
          matchesCdn: fromOpt(g.matches_cdn),
          members: g.members.map((m) => ({
            reviewer: m.reviewer.toText(),
            name: m.name,
            endorsed: m.endorsed,
            attestationId: m.attestation_id.toString(),
            claimMismatch: m.claim_mismatch
          }))
        })),
        hints: a.hints.map((h) => ({
          groupSha256: h.group_sha256,
          referenceSha256: h.reference_sha256,
          referenceCount: h.reference_count,
          divergentCount: h.divergent_count,
          firstDivergent: fromOpt(h.first_divergent),
          manifestNote: h.manifest_note,
          differing: h.differing.map((d) => plain(d) as Record<string, unknown>),
          differingTotal: h.differing_total,
          factors: h.factors.map((f) => ({ field: f.field, reference: f.reference, divergent: f.divergent, score: f.score, explanation: f.explanation }))
        }))
      }))
    }))
  };
}

function verdictStyle(v: string): 'green' | 'red' | 'yellow' {
  return v === 'reproduced' ? 'green' : v === 'diverged' ? 'red' : 'yellow';
}

const mark = (b: boolean | null) => (b === null ? '-' : b ? 'yes' : 'no');

/** One row per hash group; the artifact's verdict on its first row; divergence hints below. */
export function renderReport(r: ReportJson, color: boolean): string {
  const c = (s: Parameters<typeof paint>[1], t: string) => paint(color, s, t);
  const head = `Proposal ${r.proposal}: ${r.attestations} attestation(s) from ${r.reviewers} reviewer(s), quorum ${r.quorum}`;
  const rows: string[][] = [];
  const hints: string[] = [];
  for (const os of r.oses) {
    for (const a of os.artifacts) {
      const groups = a.groups.length > 0 ? a.groups : [null];
      groups.forEach((g, i) => {
        const who = g ? g.members.map((m) => `${m.name || m.reviewer.slice(0, 11)}${m.claimMismatch ? '*' : ''}`).join(', ') : '-';
        const endorsed = g ? String(g.members.filter((m) => m.endorsed).length) : '-';
        rows.push([
          i === 0 ? os.os : '',
          i === 0 ? a.name : '',
          g ? c(g.matchesProposal || g.matchesCdn ? 'green' : 'red', g.sha256.slice(0, 16)) : '(no builds)',
          who,
          endorsed,
          g ? mark(g.matchesProposal) : '-',
          g ? mark(g.matchesCdn) : '-',
          i === 0 ? c(verdictStyle(a.verdict), a.verdict) : ''
        ]);
      });
      for (const h of a.hints) {
        hints.push(`  ${a.name}: ${h.groupSha256.slice(0, 16)} (${h.divergentCount}) vs ${h.referenceSha256.slice(0, 16)} (${h.referenceCount})`);
        if (h.firstDivergent) hints.push(`    first divergent component: ${h.firstDivergent}${h.differingTotal > 1 ? ` (${h.differingTotal} differing entries)` : ''}`);
        else if (h.manifestNote) hints.push(`    ${h.manifestNote}`);
        for (const f of h.factors) {
          hints.push(`    ${f.field}: ${f.reference.join(', ')} → ${f.divergent.join(', ')}${f.explanation ? ` — ${f.explanation}` : ''}`);
        }
      }
    }
  }
  const gov = r.governance
    ? [`Governance: ${r.governance.title || '(no title)'} — ${r.governance.status}; elects ${r.governance.elects}${r.governance.commit ? ` at ${r.governance.commit}` : ''}${r.governance.sha256 ? `, sha256 ${r.governance.sha256}` : ''}`]
    : [];
  const out = [c('bold', head), ...gov, '', table(['OS', 'ARTIFACT', 'SHA256', 'REVIEWERS', 'ENDORSED', 'PROPOSAL', 'CDN', 'VERDICT'], rows)];
  const verdicts = r.oses.map((o) => `${o.os} ${c(verdictStyle(o.verdict), o.verdict)}`).join(', ');
  if (verdicts) out.push('', `Verdict: ${verdicts}`);
  if (hints.length > 0) out.push('', c('bold', 'Divergence hints:'), ...hints);
  if (rows.some((row) => row[3].includes('*'))) out.push('', '* the reviewer claimed a different proposal hash');
  return out.join('\n');
}
