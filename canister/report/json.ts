/**
 * The JSON form of a report (Candid shapes with nat64 as decimal strings, opt as null): what the
 * canister materialises and certifies (as canonical JSON), serves at /proposal/<id>.json and
 * decodes again for proposal_report.
 */
import type { DivergenceHint, GovernanceProposal, Opt, OsReport, ProposalReport } from '../../protocol/service.js';
import { principalFromText, principalText } from '../store/principals.js';

function opt<T, U>(v: [] | [T], f: (t: T) => U): U | null {
  return v.length === 1 ? f(v[0]) : null;
}

const id = <T>(t: T): T => t;

type Counts = Pick<OsReport, 'endorsed_matching' | 'endorsed_differing' | 'unverified_matching' | 'unverified_differing'>;

function counts(c: Counts): Counts {
  return { endorsed_matching: c.endorsed_matching, endorsed_differing: c.endorsed_differing, unverified_matching: c.unverified_matching, unverified_differing: c.unverified_differing };
}

export function reportJson(r: ProposalReport): unknown {
  return {
    proposal: r.proposal.toString(),
    quorum: r.quorum,
    attestations: r.attestations,
    reviewers: r.reviewers,
    last_submitted_at_ns: r.last_submitted_at_ns.toString(),
    oses: r.oses.map((o) => ({
      os: o.os,
      verdict: o.verdict,
      quorum: o.quorum,
      outcome: o.outcome,
      ...counts(o),
      artifacts: o.artifacts.map((a) => ({
        name: a.name,
        proposal_sha256: opt(a.proposal_sha256, id),
        proposal_source: a.proposal_source,
        cdn_sha256: a.cdn_sha256,
        verdict: a.verdict,
        outcome: a.outcome,
        ...counts(a),
        groups: a.groups.map((g) => ({
          sha256: g.sha256,
          matches_proposal: opt(g.matches_proposal, id),
          matches_cdn: opt(g.matches_cdn, id),
          members: g.members.map((m) => ({
            reviewer: principalText(m.reviewer),
            name: m.name,
            endorsed: m.endorsed,
            attestation_id: m.attestation_id.toString(),
            claim_mismatch: m.claim_mismatch,
            name_collides: m.name_collides
          }))
        })),
        hints: a.hints.map((h) => ({ ...h, first_divergent: opt(h.first_divergent, id) }))
      }))
    })),
    governance: r.governance === undefined ? null : opt(r.governance, governanceJson)
  };
}

/** The governance record (canister/proposals/) in the same JSON conventions. */
function governanceJson(g: GovernanceProposal): unknown {
  return {
    ...g,
    proposal: g.proposal.toString(),
    commit: opt(g.commit, id),
    sha256: opt(g.sha256, id),
    proposed_at_seconds: g.proposed_at_seconds.toString(),
    deadline_seconds: opt(g.deadline_seconds, (s) => s.toString()),
    fetched_at_ns: g.fetched_at_ns.toString(),
    governance: principalText(g.governance),
    last_error: opt(g.last_error, (x) => ({ proposal: opt(x.proposal, (p) => p.toString()), kind: x.kind, message: x.message, at_ns: x.at_ns.toString() }))
  };
}

// The inverse of reportJson, for a report read back from stable memory.
/* eslint-disable @typescript-eslint/no-explicit-any */
const toOpt = <T, U>(v: T | null | undefined, f: (t: T) => U): Opt<U> => (v === null || v === undefined ? [] : [f(v)]);

/** Reports stored before these counts existed read as 0 (besides endorsed_matching) until refreshed. */
function countsFromJson(c: any): Counts {
  return { endorsed_matching: c.endorsed_matching ?? 0, endorsed_differing: c.endorsed_differing ?? 0, unverified_matching: c.unverified_matching ?? 0, unverified_differing: c.unverified_differing ?? 0 };
}

export function reportFromJson(j: any): ProposalReport {
  return {
    proposal: BigInt(j.proposal),
    quorum: j.quorum,
    attestations: j.attestations,
    reviewers: j.reviewers,
    last_submitted_at_ns: BigInt(j.last_submitted_at_ns),
    oses: j.oses.map((o: any) => ({
      os: o.os,
      verdict: o.verdict,
      quorum: o.quorum,
      outcome: o.outcome ?? o.verdict,
      ...countsFromJson(o),
      artifacts: o.artifacts.map((a: any) => ({
        name: a.name,
        proposal_sha256: toOpt(a.proposal_sha256, id),
        proposal_source: a.proposal_source,
        cdn_sha256: a.cdn_sha256,
        verdict: a.verdict,
        outcome: a.outcome ?? a.verdict,
        ...countsFromJson(a),
        groups: a.groups.map((g: any) => ({
          sha256: g.sha256,
          matches_proposal: toOpt(g.matches_proposal, id),
          matches_cdn: toOpt(g.matches_cdn, id),
          members: g.members.map((m: any) => ({
            reviewer: principalFromText(m.reviewer),
            name: m.name,
            endorsed: m.endorsed,
            attestation_id: BigInt(m.attestation_id),
            claim_mismatch: m.claim_mismatch,
            name_collides: m.name_collides === true
          }))
        })),
        hints: a.hints.map((h: any): DivergenceHint => ({ ...h, first_divergent: toOpt(h.first_divergent, id) }))
      }))
    })),
    governance: toOpt(j.governance, governanceFromJson)
  };
}

function governanceFromJson(g: any): GovernanceProposal {
  return {
    ...g,
    proposal: BigInt(g.proposal),
    commit: toOpt(g.commit, id),
    sha256: toOpt(g.sha256, id),
    proposed_at_seconds: BigInt(g.proposed_at_seconds),
    deadline_seconds: toOpt(g.deadline_seconds, (s: string) => BigInt(s)),
    fetched_at_ns: BigInt(g.fetched_at_ns),
    governance: principalFromText(g.governance),
    last_error: toOpt(g.last_error, (x: any) => ({ proposal: toOpt(x.proposal, (p: string) => BigInt(p)), kind: x.kind, message: x.message, at_ns: BigInt(x.at_ns) }))
  };
}
