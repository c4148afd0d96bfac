/** compareReport: the recomputed consensus against a canister report, field by field. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Principal } from '@dfinity/principal';

import { computeConsensus, signerFromSecretKey, signEnvelope, verifyEnvelope, type AttestationRecord, type ProposalConsensus } from '../../protocol/index.js';
import type { ProposalReport } from '../../protocol/service.js';
import { normalizeResult, statementFor } from '../../attestor/attest/statements.js';
import { syntheticResult } from '../fixtures/synthetic-result.js';
import { compareReport } from '../../attestor/verify/proposal.js';

function records(): AttestationRecord[] {
  const out: AttestationRecord[] = [];
  ['a', 'b', 'c'].forEach((who, i) => {
    const signer = signerFromSecretKey('ed25519', new Uint8Array(32).fill(i + 1));
    const input = normalizeResult(syntheticResult({ proposal: '5', oses: ['hostos'], divergeOs: who === 'c' ? 'hostos' : null }));
    const env = signEnvelope(statementFor(input, input.oses[0]), signer);
    const v = verifyEnvelope(env, signer.publicKeyDer);
    assert.ok(v.ok);
    out.push({ id: BigInt(i + 1), reviewer: signer.principal, endorsed: true, statement: v.value.statement, revoked: false, submittedAtNs: BigInt(i + 1) });
  });
  return out;
}

/** What an honest canister would report for this consensus. */
function honestReport(c: ProposalConsensus): ProposalReport {
  return {
    proposal: BigInt(c.proposal),
    quorum: 2,
    attestations: 3,
    reviewers: 3,
    last_submitted_at_ns: 3n,
    oses: c.oses.map((o) => ({
      os: o.os,
      verdict: o.verdict,
      outcome: o.outcome,
      quorum: o.quorum,
      endorsed_matching: o.endorsedMatching,
      endorsed_differing: o.endorsedDiffering,
      unverified_matching: o.unverifiedMatching,
      unverified_differing: o.unverifiedDiffering,
      artifacts: o.artifacts.map((a) => ({
        name: a.name,
        proposal_sha256: a.proposalSha256 === null ? [] : [a.proposalSha256],
        proposal_source: a.proposalSource,
        cdn_sha256: a.cdnSha256,
        groups: a.groups.map((g) => ({
          sha256: g.sha256,
          matches_proposal: g.matchesProposal === null ? [] : [g.matchesProposal],
          matches_cdn: g.matchesCdn === null ? [] : [g.matchesCdn],
          members: g.reviewers.map((r) => ({ reviewer: Principal.fromText(r.principal), name: '', endorsed: r.endorsed, attestation_id: r.attestationId, claim_mismatch: r.claimMismatch }))
        })),
        verdict: a.verdict,
        outcome: a.outcome,
        endorsed_matching: a.endorsedMatching,
        endorsed_differing: a.endorsedDiffering,
        unverified_matching: a.unverifiedMatching,
        unverified_differing: a.unverifiedDiffering,
        hints: []
      }))
    }))
  } as unknown as ProposalReport;
}

test('an honest report agrees; every tampered field is named', () => {
  const consensus = computeConsensus('5', records(), { quorum: 2 });
  assert.equal(consensus.oses[0].verdict, 'diverged');
  assert.deepEqual(compareReport(consensus, honestReport(consensus)), []);

  const verdict = honestReport(consensus);
  verdict.oses[0].artifacts[0].verdict = 'reproduced';
  assert.match(compareReport(consensus, verdict).join('\n'), /verdict reproduced in the canister's report, diverged recomputed/);

  const moved = honestReport(consensus);
  const [g0, g1] = moved.oses[0].artifacts[0].groups;
  g1.members.push(g0.members.pop()!);
  assert.match(compareReport(consensus, moved).join('\n'), /hash groups differ/);

  const endorsed = honestReport(consensus);
  endorsed.oses[0].artifacts[0].endorsed_matching = 7;
  assert.match(compareReport(consensus, endorsed).join('\n'), /7 endorsed matching/);

  // The outcome and the counts behind it are recomputed too (a canister hiding an endorsed dissent).
  const contested = honestReport(consensus);
  assert.equal(consensus.oses[0].outcome, 'contested');
  contested.oses[0].outcome = 'reproduced';
  contested.oses[0].endorsed_differing = 0;
  assert.deepEqual(compareReport(consensus, contested), [
    "hostos: outcome reproduced in the canister's report, contested recomputed",
    "hostos: 0 endorsed differing in the canister's report, 1 recomputed"
  ]);

  const missing = honestReport(consensus);
  missing.oses = [];
  assert.match(compareReport(consensus, missing).join('\n'), /hostos: missing from the canister's report/);

  assert.match(compareReport(consensus, null).join('\n'), /no report/);
});
