/** The JSON forms served by the dashboard: Candid shapes with nat64 as decimal strings, opt as null. */
import type { GovernanceProposal, ProposalReport } from '../../protocol/service.js';
import { principalText } from '../store/principals.js';

function opt<T, U>(v: [] | [T], f: (t: T) => U): U | null {
  return v.length === 1 ? f(v[0]) : null;
}

const id = <T>(t: T): T => t;

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
      artifacts: o.artifacts.map((a) => ({
        name: a.name,
        proposal_sha256: opt(a.proposal_sha256, id),
        proposal_source: a.proposal_source,
        cdn_sha256: a.cdn_sha256,
        verdict: a.verdict,
        endorsed_matching: a.endorsed_matching,
        groups: a.groups.map((g) => ({
          sha256: g.sha256,
          matches_proposal: opt(g.matches_proposal, id),
          matches_cdn: opt(g.matches_cdn, id),
          members: g.members.map((m) => ({
            reviewer: principalText(m.reviewer),
            name: m.name,
            endorsed: m.endorsed,
            attestation_id: m.attestation_id.toString(),
            claim_mismatch: m.claim_mismatch
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
