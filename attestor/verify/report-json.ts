/**
 * The certified report is the canister's canonical report JSON (snake_case, nat64 as decimal
 * text, opt as null: canister/report/json.ts). Here it becomes the CLI's ReportJson (the `report
 * --json` shape), so `report` prints exactly the bytes whose hash the IC certified.
 */
import type { CountsJson, HintJson, ReportJson } from '../client/report.js';
import { TrustError } from './trust-error.js';

type J = Record<string, unknown>;

const str = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
const boolOrNull = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);
const arr = (v: unknown): J[] => (Array.isArray(v) ? (v as J[]) : []);

export function parseReportText(text: string): J {
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as J;
  } catch {
    /* below */
  }
  throw new TrustError('report', 'the certified report is not a JSON object');
}

function hint(h: J): HintJson {
  return {
    groupSha256: str(h.group_sha256),
    referenceSha256: str(h.reference_sha256),
    referenceCount: num(h.reference_count),
    divergentCount: num(h.divergent_count),
    firstDivergent: strOrNull(h.first_divergent),
    manifestNote: str(h.manifest_note),
    differing: arr(h.differing),
    differingTotal: num(h.differing_total),
    factors: arr(h.factors).map((f) => ({ field: str(f.field), reference: (f.reference as string[]) ?? [], divergent: (f.divergent as string[]) ?? [], score: num(f.score), explanation: str(f.explanation) })),
    causes: arr(h.causes).map((c) => ({ cause: str(c.cause), title: str(c.title), reviewers: (c.reviewers as string[]) ?? [], evidence: (c.evidence as string[]) ?? [], fix: str(c.fix), basis: str(c.basis) }))
  };
}

/** Reports certified before these counts existed read as 0 (verify then reports the difference). */
function counts(x: J): CountsJson {
  const n = (v: unknown): number => (v === undefined || v === null ? 0 : num(v));
  return { endorsedMatching: n(x.endorsed_matching), endorsedDiffering: n(x.endorsed_differing), unverifiedMatching: n(x.unverified_matching), unverifiedDiffering: n(x.unverified_differing) };
}

export function reportJsonFromCertified(r: J): ReportJson {
  const g = r.governance as J | null | undefined;
  const err = g?.last_error as J | null | undefined;
  return {
    governance: g
      ? {
          title: str(g.title),
          status: str(g.status),
          elects: str(g.elects),
          action: str(g.action),
          commit: strOrNull(g.commit),
          sha256: strOrNull(g.sha256),
          urls: (g.urls as string[]) ?? [],
          fetchedAtNs: str(g.fetched_at_ns),
          governance: str(g.governance),
          lastError: err ? { kind: str(err.kind), message: str(err.message) } : null
        }
      : null,
    proposal: str(r.proposal),
    quorum: num(r.quorum),
    attestations: num(r.attestations),
    reviewers: num(r.reviewers),
    lastSubmittedAtNs: str(r.last_submitted_at_ns),
    oses: arr(r.oses).map((o) => ({
      os: str(o.os),
      verdict: str(o.verdict),
      outcome: str(o.outcome ?? o.verdict),
      quorum: num(o.quorum),
      ...counts(o),
      artifacts: arr(o.artifacts).map((a) => ({
        name: str(a.name),
        proposalSha256: strOrNull(a.proposal_sha256),
        proposalSource: str(a.proposal_source),
        cdnSha256: (a.cdn_sha256 as string[]) ?? [],
        verdict: str(a.verdict),
        outcome: str(a.outcome ?? a.verdict),
        ...counts(a),
        groups: arr(a.groups).map((gr) => ({
          sha256: str(gr.sha256),
          matchesProposal: boolOrNull(gr.matches_proposal),
          matchesCdn: boolOrNull(gr.matches_cdn),
          members: arr(gr.members).map((m) => ({
            reviewer: str(m.reviewer),
            name: str(m.name),
            endorsed: m.endorsed === true,
            attestationId: str(m.attestation_id),
            claimMismatch: m.claim_mismatch === true,
            nameCollides: m.name_collides === true
          }))
        })),
        hints: arr(a.hints).map(hint)
      }))
    }))
  };
}
