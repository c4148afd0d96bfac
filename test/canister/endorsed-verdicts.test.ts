/**
 * Verdicts only endorsed reviewers decide, on the compiled canister with governance's elected
 * hash: a fresh unendorsed identity's made-up hash stays an "unverified report" (shown, counted
 * apart) in the report, the listing, the JSON page and the certified report; an endorsed
 * dissent is "diverged" without a quorum and "contested" with one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { envelope, profile, reviewer, type TestReviewer } from './fixtures.js';
import { deploySync, guestSeed, hostSeed, type SyncEnv } from '../canister-sync/harness.js';
import { ok, seeded, some } from '../canister-sync/util.js';
import { headlineSentence } from '../../protocol/headline.js';
import type { OsName } from '../../protocol/types.js';
import type { OsReport, ProposalReport } from '../../protocol/service.js';
import { certifiedReportView } from '../../attestor/verify/report-json.js';
import { osSentence } from '../../attestor/client/report.js';

const GOOD = '4c4ba8b9e3f6d2a1c0b9a8f7e6d5c4b3a29180706f5e4d3c2b1a09f8e7d6c5b4';
const MADE_UP = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const team = [reviewer('ana', 'ed25519'), reviewer('ben', 'secp256k1'), reviewer('cai', 'ed25519')];

async function withTeam(): Promise<SyncEnv> {
  const env = await deploySync();
  for (const r of team) {
    ok(await env.as(r.principal).register_reviewer(profile(r)));
    ok(await env.controller.endorse_reviewer(r.principal, true));
  }
  return env;
}

async function attest(env: SyncEnv, r: TestReviewer, proposal: bigint, os: OsName, built: string): Promise<void> {
  ok(await env.as(r.principal).submit_attestation(envelope(r, { proposal, os, built, proposalHash: GOOD, cdn: GOOD })));
}

function osOf(r: ProposalReport, os: OsName): OsReport {
  const o = r.oses.find((x) => x.os === os);
  assert.ok(o, `a ${os} section`);
  return o;
}

const counts = (o: { endorsed_matching: number; endorsed_differing: number; unverified_matching: number; unverified_differing: number }) => [
  o.endorsed_matching,
  o.endorsed_differing,
  o.unverified_matching,
  o.unverified_differing
];

async function getJson(env: SyncEnv, url: string): Promise<Record<string, unknown>> {
  const r = await env.user.http_request({ method: 'GET', url, headers: [], body: new Uint8Array(0), certificate_version: [] });
  assert.equal(r.status_code, 200, url);
  return JSON.parse(Buffer.from(r.body).toString('utf8')) as Record<string, unknown>;
}

describe('attestations canister: only endorsed reviewers decide', () => {
  it('griefing: one fresh unendorsed identity with a made-up hash leaves 140010 reproduced', async () => {
    const P = 140_010n;
    const env = await withTeam();
    seeded(await env.gov.add_election(guestSeed(P, GOOD)));
    ok(await env.user.sync_proposal(P));
    for (const r of team) await attest(env, r, P, 'guestos', GOOD);
    const griefer = reviewer('griefer', 'ed25519');
    ok(await env.as(griefer.principal).register_reviewer(profile(griefer, 'Totally Legit')));
    await attest(env, griefer, P, 'guestos', MADE_UP);

    const report = some(await env.user.proposal_report(P));
    const g = osOf(report, 'guestos');
    assert.deepEqual([g.verdict, g.outcome], ['reproduced', 'reproduced']);
    assert.deepEqual(counts(g), [3, 0, 0, 1]);
    const a = g.artifacts[0];
    assert.deepEqual([a.verdict, a.outcome], ['reproduced', 'reproduced']);
    assert.deepEqual(counts(a), [3, 0, 0, 1]);
    // Shown, not hidden: the made-up hash keeps its own group with the unendorsed member.
    const byName = (x: [string, boolean], y: [string, boolean]) => (x[0] < y[0] ? -1 : 1);
    assert.deepEqual(
      a.groups.map((x) => [x.sha256, x.members.map((m): [string, boolean] => [m.name, m.endorsed]).sort(byName)]),
      [
        [GOOD, [['ana', true], ['ben', true], ['cai', true]]],
        [MADE_UP, [['Totally Legit', false]]]
      ]
    );
    assert.ok(a.groups[0].members.every((m) => m.endorsed));
    const sentence = 'Elected hash reproduced by 3 of 3 endorsed reviewers (quorum 3); 1 unverified report differs';
    assert.equal(headlineSentence(g), sentence);

    // The listing, the JSON page and the certified report say the same.
    const listed = (await env.user.list_proposals([], 10)).proposals.find((p) => p.proposal === P);
    assert.deepEqual(listed?.oses, [{ os: 'guestos', verdict: 'reproduced', outcome: 'reproduced' }]);
    const page = await getJson(env, `/proposal/${P}.json`);
    const pageOs = (page.oses as Record<string, unknown>[])[0];
    assert.deepEqual([pageOs.outcome, pageOs.endorsed_matching, pageOs.unverified_differing], ['reproduced', 3, 1]);
    const certified = await env.user.certified_report(P, 0n, 0);
    assert.equal(certified.report_json.length, 1);
    const cli = certifiedReportView(certified.report_json[0] ?? '{}');
    assert.equal(osSentence(cli.oses[0]), sentence, 'report (CLI) headlines the same sentence');
  });

  it('140011-like HostOS: 2 endorsed match, 1 endorsed differs → diverged at quorum 3, contested at quorum 2', async () => {
    const P = 140_011n;
    const env = await withTeam();
    seeded(await env.gov.add_election(hostSeed(P, GOOD)));
    ok(await env.user.sync_proposal(P));
    await attest(env, team[0], P, 'hostos', GOOD);
    await attest(env, team[1], P, 'hostos', GOOD);
    await attest(env, team[2], P, 'hostos', MADE_UP);

    const h = osOf(some(await env.user.proposal_report(P)), 'hostos');
    assert.deepEqual([h.verdict, h.outcome, h.quorum], ['diverged', 'diverged', 3]);
    assert.deepEqual(counts(h), [2, 1, 0, 0]);
    assert.equal(headlineSentence(h), 'Elected hash reproduced by only 2 of 3 endorsed reviewers (quorum 3); 1 endorsed build differs');

    ok(await env.controller.set_config({ quorum: 2, registration_open: true, max_envelope_bytes: 65536, max_submissions_per_proposal: [] }));
    const h2 = osOf(some(await env.user.proposal_report(P)), 'hostos');
    assert.deepEqual([h2.verdict, h2.outcome, h2.quorum], ['diverged', 'contested', 2]);
    assert.deepEqual(counts(h2.artifacts[0]), [2, 1, 0, 0]);
    assert.equal(headlineSentence(h2), 'Elected hash reproduced by 2 of 3 endorsed reviewers (quorum 2), but 1 endorsed build differs');
    const listed = (await env.user.list_proposals([], 10)).proposals.find((p) => p.proposal === P);
    assert.deepEqual(listed?.oses, [{ os: 'hostos', verdict: 'diverged', outcome: 'contested' }]);
  });

  it('endorsing the dissenter makes it count; un-endorsing takes it back', async () => {
    const P = 140_012n;
    const env = await withTeam();
    seeded(await env.gov.add_election(guestSeed(P, GOOD)));
    ok(await env.user.sync_proposal(P));
    for (const r of team) await attest(env, r, P, 'guestos', GOOD);
    const dan = reviewer('dan', 'secp256k1');
    ok(await env.as(dan.principal).register_reviewer(profile(dan)));
    await attest(env, dan, P, 'guestos', MADE_UP);
    assert.equal(osOf(some(await env.user.proposal_report(P)), 'guestos').outcome, 'reproduced');
    ok(await env.controller.endorse_reviewer(dan.principal, true));
    const contested = osOf(some(await env.user.proposal_report(P)), 'guestos');
    assert.deepEqual([contested.outcome, ...counts(contested)], ['contested', 3, 1, 0, 0]);
    ok(await env.controller.endorse_reviewer(dan.principal, false));
    const back = osOf(some(await env.user.proposal_report(P)), 'guestos');
    assert.deepEqual([back.outcome, ...counts(back)], ['reproduced', 3, 0, 0, 1]);
  });
});
