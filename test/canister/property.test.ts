/**
 * Property: after any sequence of register / endorse / submit / supersede / revoke / quorum
 * change / upgrade, `proposal_report` equals the protocol's computeConsensus computed here,
 * independently, from what `list_attestations` and `get_reviewer` return.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { computeConsensus, type AttestationRecord, type ProposalConsensus } from '../../protocol/consensus.js';
import type { ProposalReport } from '../../protocol/service.js';
import type { Statement } from '../../protocol/types.js';
import { envelope, hash, profile, reviewer } from './fixtures.js';
import { deploy, type Deployed } from './harness.js';
import { errKind, ok, refusedCode } from './util.js';

const REVIEWERS = [reviewer('p0', 'ed25519'), reviewer('p1', 'secp256k1'), reviewer('p2', 'ed25519'), reviewer('p3', 'secp256k1')];
const PROPOSALS = [7n, 8n];
const OSES = ['guestos', 'hostos', 'setupos'] as const;

type Command =
  | { t: 'register'; r: number }
  | { t: 'endorse'; r: number; v: boolean }
  | { t: 'submit'; r: number; p: number; os: number; good: boolean; run: number }
  | { t: 'revoke'; r: number; pick: number }
  | { t: 'quorum'; q: number }
  | { t: 'upgrade' };

const rIdx = fc.integer({ min: 0, max: REVIEWERS.length - 1 });
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ t: fc.constant('register' as const), r: rIdx }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('endorse' as const), r: rIdx, v: fc.boolean() }) },
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant('submit' as const),
      r: rIdx,
      p: fc.integer({ min: 0, max: PROPOSALS.length - 1 }),
      os: fc.integer({ min: 0, max: OSES.length - 1 }),
      good: fc.boolean(),
      run: fc.integer({ min: 0, max: 3 })
    })
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('revoke' as const), r: rIdx, pick: fc.nat(20) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('quorum' as const), q: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('upgrade' as const) }) }
);

/** The canister's report in the protocol's shape, for a field-by-field comparison. */
function asConsensus(proposal: bigint, r: ProposalReport): ProposalConsensus {
  return {
    proposal: proposal.toString(),
    oses: r.oses.map((o) => ({
      os: o.os as ProposalConsensus['oses'][number]['os'],
      verdict: o.verdict as 'reproduced',
      outcome: o.outcome as 'reproduced',
      quorum: o.quorum,
      endorsedMatching: o.endorsed_matching,
      endorsedDiffering: o.endorsed_differing,
      unverifiedMatching: o.unverified_matching,
      unverifiedDiffering: o.unverified_differing,
      artifacts: o.artifacts.map((a) => ({
        name: a.name,
        proposalSha256: a.proposal_sha256[0] ?? null,
        proposalSource: a.proposal_source as 'reviewers',
        cdnSha256: a.cdn_sha256,
        groups: a.groups.map((g) => ({
          sha256: g.sha256,
          reviewers: g.members.map((m) => ({ principal: m.reviewer.toText(), endorsed: m.endorsed, attestationId: m.attestation_id, claimMismatch: m.claim_mismatch })),
          matchesProposal: g.matches_proposal.length === 1 ? g.matches_proposal[0] : null,
          matchesCdn: g.matches_cdn.length === 1 ? g.matches_cdn[0] : null
        })),
        verdict: a.verdict as 'reproduced',
        outcome: a.outcome as 'reproduced',
        endorsedMatching: a.endorsed_matching,
        endorsedDiffering: a.endorsed_differing,
        unverifiedMatching: a.unverified_matching,
        unverifiedDiffering: a.unverified_differing
      }))
    }))
  };
}

async function independentConsensus(d: Deployed, proposal: bigint): Promise<{ consensus: ProposalConsensus; count: number }> {
  const records: AttestationRecord[] = [];
  let cursor: [] | [bigint] = [];
  for (;;) {
    const page = await d.anonymous.list_attestations({ proposal: [proposal], os: [], reviewer: [], include_revoked: true }, cursor, 50);
    for (const a of page.attestations) {
      const [rev] = await d.anonymous.get_reviewer(a.reviewer);
      records.push({
        id: a.id,
        reviewer: a.reviewer.toText(),
        endorsed: rev?.endorsed ?? false,
        statement: JSON.parse(Buffer.from(a.envelope.payload, 'base64').toString('utf8')) as Statement,
        revoked: a.revoked.length > 0,
        submittedAtNs: a.submitted_at_ns
      });
    }
    if (page.next_cursor.length === 0) break;
    cursor = page.next_cursor;
  }
  const { quorum } = await d.anonymous.get_config();
  return { consensus: computeConsensus(proposal.toString(), records, { quorum }), count: records.length };
}

async function check(d: Deployed): Promise<void> {
  for (const p of PROPOSALS) {
    const { consensus, count } = await independentConsensus(d, p);
    const report = await d.anonymous.proposal_report(p);
    if (count === 0) {
      assert.deepEqual(report, [], `no report for ${p} without attestations`);
      continue;
    }
    assert.equal(report.length, 1);
    assert.deepEqual(asConsensus(p, report[0]), consensus, `report of ${p} equals computeConsensus`);
    assert.equal(report[0].attestations, count);
  }
}

async function run(d: Deployed, c: Command, registered: Set<number>, mine: Map<number, bigint[]>): Promise<void> {
  const r = REVIEWERS['r' in c ? c.r : 0];
  switch (c.t) {
    case 'register':
      ok(await d.as(r).register_reviewer(profile(r)));
      registered.add(c.r);
      return;
    case 'endorse':
      ok(await d.controller.endorse_reviewer(r.principal, c.v));
      return;
    case 'quorum':
      ok(await d.controller.set_config({ ...(await d.anonymous.get_config()), quorum: c.q }));
      return;
    case 'upgrade':
      await d.upgrade();
      return;
    case 'submit': {
      const proposal = PROPOSALS[c.p];
      const os = OSES[c.os];
      const good = hash(`${proposal} ${os}`);
      const env = envelope(r, { proposal, os, built: c.good ? good : hash(`bad ${c.r} ${c.run}`), proposalHash: os === 'setupos' ? null : good, cdn: good, run: c.run });
      if (!registered.has(c.r)) {
        assert.equal(await refusedCode(d.as(r).submit_attestation(env)), 'IC0516');
        return;
      }
      const id = ok(await d.as(r).submit_attestation(env));
      const list = mine.get(c.r) ?? [];
      if (!list.includes(id)) list.push(id);
      mine.set(c.r, list);
      await d.rt.advanceTime(1_000_000_000n);
      return;
    }
    case 'revoke': {
      const list = mine.get(c.r) ?? [];
      if (list.length === 0) return;
      const id = list[c.pick % list.length];
      const [a] = await d.anonymous.get_attestation(id);
      const res = await d.as(r).revoke_attestation(id, 'property test');
      if (a?.revoked.length) assert.equal(errKind(res), 'already-revoked');
      else ok(res);
    }
  }
}

describe('attestations canister: reports equal the protocol consensus', () => {
  it('for random sequences of register/endorse/submit/supersede/revoke/quorum/upgrade', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 4, maxLength: 14 }), async (commands) => {
        const d = await deploy();
        const registered = new Set<number>();
        const mine = new Map<number, bigint[]>();
        for (const c of commands) {
          await run(d, c, registered, mine);
          await check(d);
        }
      }),
      { numRuns: Number(process.env.ICOS_ATTEST_PROPERTY_RUNS ?? 5) }
    );
  });
});
