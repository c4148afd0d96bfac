/**
 * A proposal report as JSON, in its two forms, converted in one place:
 * - canonical (`reportJson` / `reportFromJson`): Candid shapes, snake_case, nat64 as decimal
 *   strings, opt as null, principals as text. The canister stores and certifies it (as canonical
 *   JSON), serves it at /proposal/<id>.json and decodes it again for proposal_report.
 * - the CLI view (`ReportJson`, camelCase): what `report --json` prints. It is read from the
 *   canonical form (`reportView`), so `report` prints exactly the bytes whose hash the IC
 *   certified, and a Candid report takes the same path (`reportToJson`).
 * Pure: runs in the canister (QuickJS) and in Node.
 */
import { Principal } from '@dfinity/principal';

import type { DivergenceHint, GovernanceProposal, Opt, OsReport, ProposalReport } from './service.js';

// ---------------------------------------------------------------- canonical form

function opt<T, U>(v: [] | [T], f: (t: T) => U): U | null {
  return v.length === 1 ? f(v[0]) : null;
}

const id = <T>(t: T): T => t;
const toText = (p: Principal): string => p.toText();

/** Endorsed reviewers decide; unverified (unendorsed) ones are counted apart (consensus.ts). */
type Counts = Pick<OsReport, 'endorsed_matching' | 'endorsed_differing' | 'unverified_matching' | 'unverified_differing'>;

function counts(c: Counts): Counts {
  return { endorsed_matching: c.endorsed_matching, endorsed_differing: c.endorsed_differing, unverified_matching: c.unverified_matching, unverified_differing: c.unverified_differing };
}

/**
 * ProposalReport → canonical JSON value. `text` turns a principal into text (the canister passes
 * its memoised one: a report names the same reviewers over and over).
 */
export function reportJson(r: ProposalReport, text: (p: Principal) => string = toText): unknown {
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
            reviewer: text(m.reviewer),
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
    governance: r.governance === undefined ? null : opt(r.governance, (g) => governanceJson(g, text))
  };
}

/** The governance record (canister/proposals/) in the same JSON conventions. */
function governanceJson(g: GovernanceProposal, text: (p: Principal) => string): unknown {
  return {
    ...g,
    proposal: g.proposal.toString(),
    commit: opt(g.commit, id),
    sha256: opt(g.sha256, id),
    proposed_at_seconds: g.proposed_at_seconds.toString(),
    deadline_seconds: opt(g.deadline_seconds, (s) => s.toString()),
    fetched_at_ns: g.fetched_at_ns.toString(),
    governance: text(g.governance),
    last_error: opt(g.last_error, (x) => ({ proposal: opt(x.proposal, (p) => p.toString()), kind: x.kind, message: x.message, at_ns: x.at_ns.toString() }))
  };
}

/* eslint-disable @typescript-eslint/no-explicit-any */
/** Reports stored before these counts existed read as 0 (besides endorsed_matching) until refreshed. */
function countsFromJson(c: any): Counts {
  return { endorsed_matching: c.endorsed_matching ?? 0, endorsed_differing: c.endorsed_differing ?? 0, unverified_matching: c.unverified_matching ?? 0, unverified_differing: c.unverified_differing ?? 0 };
}

const toOpt = <T, U>(v: T | null | undefined, f: (t: T) => U): Opt<U> => (v === null || v === undefined ? [] : [f(v)]);

/** The inverse of reportJson, for a report read back from stable memory. `fromText` as `text` above. */
export function reportFromJson(j: any, fromText: (t: string) => Principal = (t) => Principal.fromText(t)): ProposalReport {
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
            reviewer: fromText(m.reviewer),
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
    governance: toOpt(j.governance, (g: any) => governanceFromJson(g, fromText))
  };
}

function governanceFromJson(g: any, fromText: (t: string) => Principal): GovernanceProposal {
  return {
    ...g,
    proposal: BigInt(g.proposal),
    commit: toOpt(g.commit, id),
    sha256: toOpt(g.sha256, id),
    proposed_at_seconds: BigInt(g.proposed_at_seconds),
    deadline_seconds: toOpt(g.deadline_seconds, (s: string) => BigInt(s)),
    fetched_at_ns: BigInt(g.fetched_at_ns),
    governance: fromText(g.governance),
    last_error: toOpt(g.last_error, (x: any) => ({ proposal: toOpt(x.proposal, (p: string) => BigInt(p)), kind: x.kind, message: x.message, at_ns: BigInt(x.at_ns) }))
  };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

// ---------------------------------------------------------------- the CLI view

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
  oses: (CountsJson & {
    os: string;
    verdict: string;
    /** `reproduced` | `contested` | `diverged` | `pending`: verdict with contested told apart. */
    outcome: string;
    quorum: number;
    artifacts: (CountsJson & {
      name: string;
      proposalSha256: string | null;
      proposalSource: string;
      cdnSha256: string[];
      verdict: string;
      outcome: string;
      groups: {
        sha256: string;
        /** null when there is no proposal hash (SetupOS) or no CDN hash was reported. */
        matchesProposal: boolean | null;
        matchesCdn: boolean | null;
        /** Endorsed first. nameCollides: another reviewer's name is the same after case folding. */
        members: { reviewer: string; name: string; endorsed: boolean; attestationId: string; claimMismatch: boolean; nameCollides: boolean }[];
      }[];
      hints: HintJson[];
    })[];
  })[];
}

/** Endorsed reviewers decide; unverified (unendorsed) ones are counted apart (consensus.ts). */
export interface CountsJson {
  endorsedMatching: number;
  endorsedDiffering: number;
  unverifiedMatching: number;
  unverifiedDiffering: number;
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
  /** Catalogued causes, each naming the reviewers it concerns and the fix (protocol/causes.ts). */
  causes: { cause: string; title: string; reviewers: string[]; evidence: string[]; fix: string; basis: string }[];
}

type J = Record<string, unknown>;

// Lenient readers: the canonical JSON may come from a canister of another version.
const str = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
const boolOrNull = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);
const arr = (v: unknown): J[] => (Array.isArray(v) ? (v as J[]) : []);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.map(str) : []);

/** Reports certified before these counts existed read as 0 (verify then reports the difference). */
function countsView(x: J): CountsJson {
  const n = (v: unknown): number => (v === undefined || v === null ? 0 : num(v));
  return { endorsedMatching: n(x.endorsed_matching), endorsedDiffering: n(x.endorsed_differing), unverifiedMatching: n(x.unverified_matching), unverifiedDiffering: n(x.unverified_differing) };
}

function hintView(h: J): HintJson {
  return {
    groupSha256: str(h.group_sha256),
    referenceSha256: str(h.reference_sha256),
    referenceCount: num(h.reference_count),
    divergentCount: num(h.divergent_count),
    firstDivergent: strOrNull(h.first_divergent),
    manifestNote: str(h.manifest_note),
    differing: arr(h.differing),
    differingTotal: num(h.differing_total),
    factors: arr(h.factors).map((f) => ({ field: str(f.field), reference: strs(f.reference), divergent: strs(f.divergent), score: num(f.score), explanation: str(f.explanation) })),
    causes: arr(h.causes).map((c) => ({ cause: str(c.cause), title: str(c.title), reviewers: strs(c.reviewers), evidence: strs(c.evidence), fix: str(c.fix), basis: str(c.basis) }))
  };
}

function governanceView(g: J | null | undefined): GovernanceJson | null {
  if (!g) return null;
  const err = g.last_error as J | null | undefined;
  return {
    title: str(g.title),
    status: str(g.status),
    elects: str(g.elects),
    action: str(g.action),
    commit: strOrNull(g.commit),
    sha256: strOrNull(g.sha256),
    urls: strs(g.urls),
    fetchedAtNs: str(g.fetched_at_ns),
    governance: str(g.governance),
    lastError: err ? { kind: str(err.kind), message: str(err.message) } : null
  };
}

/** Canonical report JSON (parsed) → the CLI view. */
export function reportView(r: J): ReportJson {
  return {
    governance: governanceView(r.governance as J | null | undefined),
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
      ...countsView(o),
      artifacts: arr(o.artifacts).map((a) => ({
        name: str(a.name),
        proposalSha256: strOrNull(a.proposal_sha256),
        proposalSource: str(a.proposal_source),
        cdnSha256: strs(a.cdn_sha256),
        verdict: str(a.verdict),
        outcome: str(a.outcome ?? a.verdict),
        ...countsView(a),
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
        hints: arr(a.hints).map(hintView)
      }))
    }))
  };
}

/** A Candid ProposalReport → the CLI view, through the canonical form (one conversion path). */
export function reportToJson(r: ProposalReport): ReportJson {
  return reportView(reportJson(r) as J);
}
