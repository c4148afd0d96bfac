/**
 * Full flow against the compiled canister: five reviewers (Ed25519 and secp256k1), two
 * proposals, GuestOS/HostOS/SetupOS, matching and mismatching builds; then supersession and
 * revocation move the verdicts.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { formatManifestPath } from '../../protocol/manifest.js';
import type { ProposalReport } from '../../protocol/service.js';
import { envelope, hash, profile, reviewer, type TestReviewer } from './fixtures.js';
import { deploy, type Deployed } from './harness.js';
import { ok } from './util.js';

const P1 = 139_000n;
const P2 = 139_100n;
const G1 = hash('P1 guestos');
const H1 = hash('P1 hostos');
const S1 = hash('P1 setupos');
const X = hash('a divergent build');
const G2 = hash('P2 guestos');
const MANIFEST_H1: [string, string][] = [['boot.img', hash('boot')], ['root.img', hash('root')]];
const MANIFEST_X: [string, string][] = [['boot.img', hash('boot')], ['root.img', hash('root, built on tmpfs')]];

const alice = reviewer('alice', 'ed25519');
const bob = reviewer('bob', 'ed25519');
const carol = reviewer('carol', 'ed25519');
const dave = reviewer('dave', 'secp256k1');
const erin = reviewer('erin', 'secp256k1'); // registered, never endorsed

function osReport(r: ProposalReport, os: string) {
  const o = r.oses.find((x) => x.os === os);
  assert.ok(o, `report has ${os}`);
  return o;
}

/** Groups as [sha256, sorted member principals, sorted endorsed flags]. */
function groups(r: ProposalReport, os: string) {
  const [a] = osReport(r, os).artifacts;
  return a.groups.map((g) => [g.sha256, g.members.map((m) => m.reviewer.toText()).sort()]);
}

function sorted(...rs: TestReviewer[]): string[] {
  return rs.map((r) => r.principal.toText()).sort();
}

describe('attestations canister: full flow', () => {
  let d: Deployed;
  const ids: Record<string, bigint> = {};
  const report = async (p: bigint): Promise<ProposalReport> => {
    const r = await d.anonymous.proposal_report(p);
    assert.equal(r.length, 1, `a report for ${p}`);
    return r[0];
  };
  const submit = async (who: TestReviewer, key: string, spec: Parameters<typeof envelope>[1]) => {
    ids[key] = ok(await d.as(who).submit_attestation(envelope(who, spec)));
  };

  before(async () => {
    d = await deploy();
    for (const r of [alice, bob, carol, dave, erin]) ok(await d.as(r).register_reviewer(profile(r)));
    for (const r of [alice, bob, carol, dave]) ok(await d.controller.endorse_reviewer(r.principal, true));

    await submit(alice, 'a-g1', { proposal: P1, os: 'guestos', built: G1, proposalHash: G1 });
    await submit(bob, 'b-g1', { proposal: P1, os: 'guestos', built: G1, proposalHash: G1 });
    await submit(carol, 'c-g1', { proposal: P1, os: 'guestos', built: G1, proposalHash: G1 });
    await submit(erin, 'e-g1', { proposal: P1, os: 'guestos', built: G1, proposalHash: G1 });
    await submit(alice, 'a-h1', { proposal: P1, os: 'hostos', built: H1, proposalHash: H1, manifest: MANIFEST_H1 });
    await submit(bob, 'b-h1', { proposal: P1, os: 'hostos', built: H1, proposalHash: H1, manifest: MANIFEST_H1 });
    await submit(dave, 'd-h1', { proposal: P1, os: 'hostos', built: X, proposalHash: H1, tmpfs: true, manifest: MANIFEST_X });
    await submit(alice, 'a-s1', { proposal: P1, os: 'setupos', built: S1, proposalHash: null, cdn: S1 });
    await submit(bob, 'b-s1', { proposal: P1, os: 'setupos', built: S1, proposalHash: null, cdn: S1 });
    await submit(dave, 'd-s1', { proposal: P1, os: 'setupos', built: S1, proposalHash: null, cdn: S1 });
    await submit(alice, 'a-g2', { proposal: P2, os: 'guestos', built: G2, proposalHash: G2 });
    await submit(bob, 'b-g2', { proposal: P2, os: 'guestos', built: G2, proposalHash: G2 });
  });

  it('groups identical hashes per OS and artifact, with who is in each and whether they match', async () => {
    const r = await report(P1);
    assert.equal(r.quorum, 3);
    assert.equal(r.attestations, 10);
    assert.equal(r.reviewers, 5);
    assert.deepEqual(r.oses.map((o) => o.os), ['guestos', 'hostos', 'setupos']);
    assert.deepEqual(groups(r, 'guestos'), [[G1, sorted(alice, bob, carol, erin)]]);
    assert.deepEqual(groups(r, 'hostos'), [[H1, sorted(alice, bob)], [X, sorted(dave)]]);
    assert.deepEqual(groups(r, 'setupos'), [[S1, sorted(alice, bob, dave)]]);

    const [g] = osReport(r, 'guestos').artifacts;
    assert.equal(g.name, 'guestos/update-img.tar.zst');
    assert.deepEqual(g.proposal_sha256, [G1]);
    assert.equal(g.proposal_source, 'reviewers');
    assert.deepEqual(g.cdn_sha256, [G1]);
    assert.deepEqual(g.groups[0].matches_proposal, [true]);
    assert.deepEqual(g.groups[0].matches_cdn, [true]);
    const erinMember = g.groups[0].members.find((m) => m.reviewer.toText() === erin.principal.toText());
    assert.equal(erinMember?.endorsed, false, 'erin is shown but not endorsed');
    assert.equal(erinMember?.name, 'erin');
    assert.equal(erinMember?.attestation_id, ids['e-g1']);
    assert.equal(g.endorsed_matching, 3, 'erin does not count towards the quorum');

    const [h] = osReport(r, 'hostos').artifacts;
    assert.deepEqual(h.groups.map((x) => x.matches_proposal), [[true], [false]]);
    assert.equal(h.endorsed_matching, 2);
    assert.equal(h.hints.length, 1, 'one hint per divergent group');
    assert.equal(h.hints[0].group_sha256, X);
    assert.equal(h.hints[0].reference_sha256, H1);
    assert.deepEqual([h.hints[0].reference_count, h.hints[0].divergent_count], [2, 1]);
    assert.deepEqual(h.hints[0].first_divergent, [formatManifestPath(['root.img'], 'hostos/update-img.tar.zst')]);
    assert.deepEqual(h.hints[0].differing.map((x) => x.change), ['changed']);
    const fields = h.hints[0].factors.map((f) => f.field);
    assert.ok(fields.includes('dirs[host:/var/sysimage].tmpfs'), `the tmpfs difference is named: ${fields.join(', ')}`);
    assert.deepEqual(h.hints[0].factors.find((f) => f.field === 'dirs[host:/var/sysimage].tmpfs')?.divergent, ['true']);
    assert.deepEqual(g.hints, [], 'no hints without divergence');

    const [s] = osReport(r, 'setupos').artifacts;
    assert.deepEqual(s.proposal_sha256, [], 'no proposal elects SetupOS');
    assert.equal(s.proposal_source, 'none');
    assert.deepEqual(s.groups[0].matches_proposal, []);
    assert.deepEqual(s.groups[0].matches_cdn, [true]);
  });

  it('gives the verdict per OS and artifact at the quorum of endorsed reviewers', async () => {
    const r = await report(P1);
    assert.deepEqual(r.oses.map((o) => [o.os, o.verdict, o.quorum]), [
      ['guestos', 'reproduced', 3],
      ['hostos', 'diverged', 3],
      ['setupos', 'reproduced', 3]
    ]);
    const r2 = await report(P2);
    assert.deepEqual(r2.oses.map((o) => [o.os, o.verdict]), [['guestos', 'pending']]);
    assert.equal(r2.oses[0].artifacts[0].endorsed_matching, 2);
  });

  it('lists proposals newest first with a verdict per OS', async () => {
    const page = await d.anonymous.list_proposals([], 10);
    assert.deepEqual(page.proposals.map((p) => p.proposal), [P2, P1]);
    assert.deepEqual(page.proposals[1].oses, [
      { os: 'guestos', verdict: 'reproduced', outcome: 'reproduced' },
      { os: 'hostos', verdict: 'diverged', outcome: 'diverged' },
      { os: 'setupos', verdict: 'reproduced', outcome: 'reproduced' }
    ]);
    const first = await d.anonymous.list_proposals([], 1);
    assert.deepEqual(first.proposals.map((p) => p.proposal), [P2]);
    const second = await d.anonymous.list_proposals(first.next_cursor, 1);
    assert.deepEqual(second.proposals.map((p) => p.proposal), [P1]);
    assert.deepEqual(second.next_cursor, []);
  });

  it('a third endorsed match makes a pending OS reproduced; revoking it makes it pending again', async () => {
    await submit(dave, 'd-g2', { proposal: P2, os: 'guestos', built: G2, proposalHash: G2 });
    assert.equal((await report(P2)).oses[0].verdict, 'reproduced');
    ok(await d.as(dave).revoke_attestation(ids['d-g2'], 'built from a dirty tree'));
    const r = await report(P2);
    assert.equal(r.oses[0].verdict, 'pending');
    assert.deepEqual(groups(r, 'guestos'), [[G2, sorted(alice, bob)]], 'revoked attestations are not counted');
    const [a] = await d.anonymous.get_attestation(ids['d-g2']);
    assert.equal(a?.revoked[0]?.reason, 'built from a dirty tree', 'the revoked attestation is kept');
  });

  it('a reviewer superseding a mismatch with a match flips diverged to reproduced; revoking the new one restores the old', async () => {
    await submit(dave, 'd-h1-fixed', { proposal: P1, os: 'hostos', built: H1, proposalHash: H1, run: 1, supersedes: ids['d-h1'] });
    let r = await report(P1);
    assert.equal(osReport(r, 'hostos').verdict, 'reproduced');
    assert.deepEqual(groups(r, 'hostos'), [[H1, sorted(alice, bob, dave)]]);
    assert.equal(osReport(r, 'hostos').artifacts[0].endorsed_matching, 3);

    const [old] = await d.anonymous.get_attestation(ids['d-h1']);
    const [fresh] = await d.anonymous.get_attestation(ids['d-h1-fixed']);
    assert.deepEqual(old?.superseded_by, [ids['d-h1-fixed']], 'history kept: the old one points to its successor');
    assert.deepEqual(fresh?.supersedes, [ids['d-h1']]);

    ok(await d.as(dave).revoke_attestation(ids['d-h1-fixed'], 'wrong commit'));
    r = await report(P1);
    assert.equal(osReport(r, 'hostos').verdict, 'diverged');
    assert.deepEqual(groups(r, 'hostos'), [[H1, sorted(alice, bob)], [X, sorted(dave)]]);
  });

  it('a new statement for the same proposal and OS supersedes implicitly', async () => {
    await submit(bob, 'b-g2-again', { proposal: P2, os: 'guestos', built: X, proposalHash: G2, run: 2 });
    const r = await report(P2);
    assert.equal(r.oses[0].verdict, 'diverged');
    assert.deepEqual(groups(r, 'guestos'), [[G2, sorted(alice)], [X, sorted(bob)]]);
    const [old] = await d.anonymous.get_attestation(ids['b-g2']);
    assert.deepEqual(old?.superseded_by, [ids['b-g2-again']]);
    const mine = await d.anonymous.list_attestations({ proposal: [P2], os: ['guestos'], reviewer: [bob.principal], include_revoked: true }, [], 10);
    assert.deepEqual(mine.attestations.map((a) => a.id), [ids['b-g2'], ids['b-g2-again']]);
  });

  it('withdrawing an endorsement changes the verdicts that depended on it', async () => {
    ok(await d.controller.endorse_reviewer(carol.principal, false));
    const r = await report(P1);
    assert.equal(osReport(r, 'guestos').verdict, 'pending');
    assert.equal(osReport(r, 'guestos').artifacts[0].endorsed_matching, 2);
    const page = await d.anonymous.list_proposals([], 10);
    assert.equal(page.proposals.find((p) => p.proposal === P1)?.oses[0].verdict, 'pending');
    ok(await d.controller.endorse_reviewer(carol.principal, true));
    assert.equal(osReport(await report(P1), 'guestos').verdict, 'reproduced');
  });

  it('counts everything in stats and returns the original envelope', async () => {
    const s = await d.anonymous.stats();
    assert.equal(s.attestations, 15n);
    assert.equal(s.revoked, 2n);
    assert.equal(s.reviewers, 5n);
    assert.equal(s.endorsed_reviewers, 4n);
    assert.equal(s.proposals, 2n);
    const [a] = await d.anonymous.get_attestation(ids['a-g1']);
    assert.deepEqual(a?.envelope, envelope(alice, { proposal: P1, os: 'guestos', built: G1, proposalHash: G1 }));
    assert.equal(a?.reviewer.toText(), alice.principal.toText());
    assert.equal(a?.proposal, P1);
    assert.equal(a?.os, 'guestos');
  });
});
