import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeConsensus, latestPerReviewer, outcomeOf, verdictOfOutcome, type AttestationRecord, type OsName } from '../../protocol/index.js';
import { headlineSentence } from '../../protocol/headline.js';
import { artifact, H, statement } from './fixtures.js';

const P = '134567';
const GOOD = H('1');
const BAD = H('2');
const OTHER = H('3');

interface RecOpts { os?: OsName; sha?: string; claim?: string | null; cdn?: string[]; endorsed?: boolean; revoked?: boolean; at?: bigint; proposal?: string }

function rec(id: number, reviewer: string, o: RecOpts = {}): AttestationRecord {
  const os = o.os ?? 'guestos';
  const name = os === 'setupos' ? 'setupos/disk-img.tar.zst' : `${os}/update-img.tar.zst`;
  const claim = o.claim === undefined ? (os === 'setupos' ? null : GOOD) : o.claim;
  return {
    id: BigInt(id),
    reviewer,
    endorsed: o.endorsed ?? true,
    statement: statement({ proposal: o.proposal ?? P, os, artifacts: [artifact(name, o.sha ?? GOOD, claim, o.cdn ?? [GOOD, GOOD])] }),
    revoked: o.revoked ?? false,
    submittedAtNs: o.at ?? BigInt(id) * 1000n
  };
}

function only(records: AttestationRecord[], quorum = 3, elected?: Partial<Record<OsName, string | null>>) {
  const c = computeConsensus(P, records, { quorum, elected });
  assert.equal(c.proposal, P);
  return c;
}

const members = (g: { reviewers: { principal: string }[] }) => g.reviewers.map((r) => r.principal);

describe('computeConsensus', () => {
  it('unanimity at quorum → reproduced, one matching group', () => {
    const c = only([rec(1, 'r1'), rec(2, 'r2'), rec(3, 'r3')]);
    assert.equal(c.oses.length, 1);
    const os = c.oses[0];
    assert.equal(os.os, 'guestos');
    assert.equal(os.verdict, 'reproduced');
    const a = os.artifacts[0];
    assert.equal(a.name, 'guestos/update-img.tar.zst');
    assert.equal(a.proposalSha256, GOOD);
    assert.equal(a.proposalSource, 'reviewers');
    assert.deepEqual(a.cdnSha256, [GOOD]);
    assert.equal(a.groups.length, 1);
    assert.deepEqual(members(a.groups[0]), ['r1', 'r2', 'r3']);
    assert.equal(a.groups[0].matchesProposal, true);
    assert.equal(a.groups[0].matchesCdn, true);
    assert.equal(a.endorsedMatching, 3);
  });

  it('unanimity below quorum → pending', () => {
    const c = only([rec(1, 'r1'), rec(2, 'r2')]);
    assert.equal(c.oses[0].verdict, 'pending');
    assert.equal(c.oses[0].artifacts[0].endorsedMatching, 2);
  });

  it('one divergent reviewer → diverged, matching group first', () => {
    const c = only([rec(1, 'r1'), rec(2, 'r2'), rec(3, 'r3'), rec(4, 'r4', { sha: BAD })]);
    const a = c.oses[0].artifacts[0];
    assert.equal(c.oses[0].verdict, 'diverged');
    assert.equal(a.verdict, 'diverged');
    assert.deepEqual(a.groups.map((g) => g.sha256), [GOOD, BAD]);
    assert.deepEqual(members(a.groups[1]), ['r4']);
    assert.equal(a.groups[1].matchesProposal, false);
    assert.equal(a.groups[1].matchesCdn, false);
    assert.equal(a.endorsedMatching, 3);
  });

  it('two divergent groups: sorted matching first, then by size, then by hash', () => {
    const c = only([
      rec(1, 'r1'), rec(2, 'r2', { sha: OTHER }), rec(3, 'r3', { sha: BAD }), rec(4, 'r4', { sha: OTHER }), rec(5, 'r5', { sha: H('0') })
    ]);
    const a = c.oses[0].artifacts[0];
    assert.equal(a.verdict, 'diverged');
    assert.deepEqual(a.groups.map((g) => g.sha256), [GOOD, OTHER, H('0'), BAD]);
    assert.deepEqual(members(a.groups[1]), ['r2', 'r4']);
  });

  it('a reviewer who resubmits: only the latest counts', () => {
    const diverged = only([rec(1, 'r1'), rec(2, 'r2'), rec(3, 'r3', { sha: BAD })]);
    assert.equal(diverged.oses[0].verdict, 'diverged');
    const fixed = only([rec(1, 'r1'), rec(2, 'r2'), rec(3, 'r3', { sha: BAD }), rec(4, 'r3')]);
    assert.equal(fixed.oses[0].verdict, 'reproduced');
    assert.deepEqual(fixed.oses[0].artifacts[0].groups[0].reviewers.find((r) => r.principal === 'r3')?.attestationId, 4n);
    // And the other way round: a later mismatch replaces an earlier match.
    const broke = only([rec(1, 'r1'), rec(2, 'r2'), rec(3, 'r3'), rec(4, 'r3', { sha: BAD })]);
    assert.equal(broke.oses[0].verdict, 'diverged');
  });

  it('latestPerReviewer picks per (reviewer, proposal, OS), by submission time then id', () => {
    const rs = [rec(5, 'r1', { at: 10n }), rec(3, 'r1', { at: 20n }), rec(4, 'r1', { os: 'hostos' }), rec(6, 'r2'), rec(7, 'r2', { proposal: '9' })];
    assert.deepEqual(latestPerReviewer(rs).map((r) => r.id), [3n, 4n, 6n, 7n]);
    const tie = [rec(8, 'r1', { at: 5n }), rec(9, 'r1', { at: 5n })];
    assert.deepEqual(latestPerReviewer(tie).map((r) => r.id), [9n]);
  });

  it('a revoked attestation does not count; revoking the latest reinstates the previous one', () => {
    const c = only([rec(1, 'r1'), rec(2, 'r2'), rec(3, 'r3'), rec(4, 'r4', { sha: BAD, revoked: true })]);
    assert.equal(c.oses[0].verdict, 'reproduced');
    assert.equal(c.oses[0].artifacts[0].groups.length, 1);
    const back = only([rec(1, 'r1'), rec(2, 'r2'), rec(3, 'r3', { sha: BAD }), rec(4, 'r3', { revoked: true })]);
    assert.equal(back.oses[0].verdict, 'diverged');
    const gone = only([rec(1, 'r1', { revoked: true })]);
    assert.deepEqual(gone.oses, []);
  });

  it('SetupOS with no proposal hash is compared to the CDN only', () => {
    const ok = only([rec(1, 'r1', { os: 'setupos' }), rec(2, 'r2', { os: 'setupos' }), rec(3, 'r3', { os: 'setupos' })]);
    const a = ok.oses[0].artifacts[0];
    assert.equal(ok.oses[0].os, 'setupos');
    assert.equal(a.proposalSha256, null);
    assert.equal(a.proposalSource, 'none');
    assert.equal(a.groups[0].matchesProposal, null);
    assert.equal(a.groups[0].matchesCdn, true);
    assert.equal(a.verdict, 'reproduced');
    const bad = only([rec(1, 'r1', { os: 'setupos' }), rec(2, 'r2', { os: 'setupos' }), rec(3, 'r3', { os: 'setupos', sha: BAD })]);
    assert.equal(bad.oses[0].verdict, 'diverged');
    assert.deepEqual(bad.oses[0].artifacts[0].groups.map((g) => g.matchesCdn), [true, false]);
    // Nobody saw a CDN hash and builds disagree: diverged; builds agree: pending (nothing to confirm).
    const noRef = only([rec(1, 'r1', { os: 'setupos', cdn: [] }), rec(2, 'r2', { os: 'setupos', cdn: [], sha: BAD })]);
    assert.equal(noRef.oses[0].verdict, 'diverged');
    const agree = only([rec(1, 'r1', { os: 'setupos', cdn: [] }), rec(2, 'r2', { os: 'setupos', cdn: [] }), rec(3, 'r3', { os: 'setupos', cdn: [] })]);
    assert.equal(agree.oses[0].verdict, 'pending');
    assert.equal(agree.oses[0].artifacts[0].groups[0].matchesCdn, null);
  });

  it('non-endorsed reviewers are shown but do not count towards the quorum', () => {
    const c = only([rec(1, 'r1'), rec(2, 'r2'), rec(3, 'x1', { endorsed: false }), rec(4, 'x2', { endorsed: false })]);
    const a = c.oses[0].artifacts[0];
    assert.equal(a.verdict, 'pending');
    assert.equal(a.endorsedMatching, 2);
    assert.deepEqual(members(a.groups[0]), ['r1', 'r2', 'x1', 'x2']);
    assert.deepEqual(a.groups[0].reviewers.map((r) => r.endorsed), [true, true, false, false]);
  });

  it('the governance-elected hash overrides a lying reviewer claim', () => {
    // Three reviewers claim the proposal elected BAD and built BAD; governance says GOOD.
    const liars = [1, 2, 3].map((i) => rec(i, `l${i}`, { sha: BAD, claim: BAD, cdn: [BAD] }));
    const withoutGov = only(liars);
    assert.equal(withoutGov.oses[0].verdict, 'reproduced'); // what the claims alone would say
    const c = only(liars, 3, { guestos: GOOD });
    const a = c.oses[0].artifacts[0];
    assert.equal(a.proposalSha256, GOOD);
    assert.equal(a.proposalSource, 'governance');
    assert.equal(a.verdict, 'diverged');
    assert.ok(a.groups.every((g) => g.reviewers.every((r) => r.claimMismatch)));
  });

  it('a reviewer whose build matches but whose claim differs from governance does not count', () => {
    const rs = [rec(1, 'r1'), rec(2, 'r2'), rec(3, 'r3', { claim: OTHER })];
    const c = only(rs, 3, { guestos: GOOD });
    const a = c.oses[0].artifacts[0];
    assert.equal(a.verdict, 'pending');
    assert.equal(a.endorsedMatching, 2);
    assert.deepEqual(a.groups[0].reviewers.map((r) => r.claimMismatch), [false, false, true]);
    assert.equal(only([...rs, rec(4, 'r4')], 3, { guestos: GOOD }).oses[0].verdict, 'reproduced');
  });

  it('without governance, disagreeing claims are settled by endorsed majority and flagged', () => {
    const c = only([rec(1, 'r1'), rec(2, 'r2'), rec(3, 'x', { claim: OTHER, endorsed: false }), rec(4, 'y', { claim: OTHER, endorsed: false })], 1);
    const a = c.oses[0].artifacts[0];
    assert.equal(a.proposalSha256, GOOD);
    assert.deepEqual(a.groups[0].reviewers.map((r) => [r.principal, r.claimMismatch]), [['r1', false], ['r2', false], ['x', true], ['y', true]]);
  });

  it('lists an elected OS with no attestations yet as pending, and OSes in a fixed order', () => {
    const c = only([rec(1, 'r1', { os: 'setupos' }), rec(2, 'r2', { os: 'guestos' })], 1, { hostos: H('4'), recovery: null });
    assert.deepEqual(c.oses.map((o) => [o.os, o.verdict]), [['guestos', 'reproduced'], ['hostos', 'pending'], ['setupos', 'reproduced']]);
    assert.deepEqual(c.oses[1].artifacts, []);
  });

  it('ignores other proposals and clamps the quorum to at least 1', () => {
    const c = computeConsensus(P, [rec(1, 'r1', { proposal: '1' }), rec(2, 'r2')], { quorum: 0 });
    assert.equal(c.oses[0].quorum, 1);
    assert.equal(c.oses[0].verdict, 'reproduced');
    assert.deepEqual(members(c.oses[0].artifacts[0].groups[0]), ['r2']);
  });

  it('is deterministic: the order of the records does not change the output', () => {
    const rs = [rec(1, 'r1'), rec(2, 'r2', { sha: BAD }), rec(3, 'r3', { sha: OTHER }), rec(4, 'r4', { sha: BAD }), rec(5, 'r1', { sha: OTHER }), rec(6, 'r5', { os: 'hostos' })];
    const a = computeConsensus(P, rs, { quorum: 2 });
    const b = computeConsensus(P, [...rs].reverse(), { quorum: 2 });
    assert.deepEqual(b, a);
  });

  it('outcomes fold into the three published verdicts', () => {
    assert.deepEqual(
      [[false, false], [false, true], [true, false], [true, true]].map(([d, q]) => outcomeOf(d, q)),
      ['pending', 'reproduced', 'diverged', 'contested']
    );
    assert.deepEqual((['reproduced', 'contested', 'diverged', 'pending'] as const).map(verdictOfOutcome), ['reproduced', 'diverged', 'diverged', 'pending']);
  });
});

/** Counts as [endorsedMatching, endorsedDiffering, unverifiedMatching, unverifiedDiffering]. */
const counts = (c: { endorsedMatching: number; endorsedDiffering: number; unverifiedMatching: number; unverifiedDiffering: number }) => [
  c.endorsedMatching,
  c.endorsedDiffering,
  c.unverifiedMatching,
  c.unverifiedDiffering
];

describe('only endorsed reviewers decide', () => {
  const endorsedThree = [rec(1, 'r1'), rec(2, 'r2'), rec(3, 'r3')];

  it('griefing: one fresh unendorsed identity with a made-up hash cannot flip a reproduced proposal', () => {
    const c = only([...endorsedThree, rec(4, 'x1', { endorsed: false, sha: BAD, cdn: [BAD] })], 3, { guestos: GOOD });
    const os = c.oses[0];
    assert.equal(os.verdict, 'reproduced');
    assert.equal(os.outcome, 'reproduced');
    assert.deepEqual(counts(os), [3, 0, 0, 1]);
    const a = os.artifacts[0];
    assert.equal(a.verdict, 'reproduced');
    assert.deepEqual(counts(a), [3, 0, 0, 1]);
    // Shown, not hidden: the dissent keeps its own group.
    assert.deepEqual(a.groups.map((g) => [g.sha256, members(g)]), [[GOOD, ['r1', 'r2', 'r3']], [BAD, ['x1']]]);
    assert.equal(headlineSentence(os), 'Elected hash reproduced by 3 of 3 endorsed reviewers (quorum 3); 1 unverified report differs');
  });

  it('unverified reports never reach the quorum either', () => {
    const c = only([rec(1, 'r1'), rec(2, 'x1', { endorsed: false }), rec(3, 'x2', { endorsed: false }), rec(4, 'x3', { endorsed: false })], 3, { guestos: GOOD });
    assert.equal(c.oses[0].outcome, 'pending');
    assert.deepEqual(counts(c.oses[0]), [1, 0, 3, 0]);
    assert.equal(headlineSentence(c.oses[0]), 'Elected hash reproduced by 1 of 1 endorsed reviewer (quorum 3) so far: 2 more needed; 3 unverified reports match');
  });

  it('140011-like: 2 endorsed match, 1 endorsed differs → diverged at quorum 3, contested at quorum 2', () => {
    const rs = [rec(1, 'r1', { os: 'hostos' }), rec(2, 'r2', { os: 'hostos' }), rec(3, 'r3', { os: 'hostos', sha: BAD })];
    const q3 = only(rs, 3, { hostos: GOOD }).oses[0];
    assert.equal(q3.os, 'hostos');
    assert.equal(q3.outcome, 'diverged');
    assert.equal(q3.verdict, 'diverged');
    assert.deepEqual(counts(q3), [2, 1, 0, 0]);
    assert.equal(headlineSentence(q3), 'Elected hash reproduced by only 2 of 3 endorsed reviewers (quorum 3); 1 endorsed build differs');
    const q2 = only(rs, 2, { hostos: GOOD }).oses[0];
    assert.equal(q2.outcome, 'contested');
    assert.equal(q2.verdict, 'diverged');
    assert.deepEqual(counts(q2.artifacts[0]), [2, 1, 0, 0]);
    assert.equal(headlineSentence(q2), 'Elected hash reproduced by 2 of 3 endorsed reviewers (quorum 2), but 1 endorsed build differs');
  });

  it('with no reference hash, only endorsed builds that disagree diverge', () => {
    const setup = { os: 'setupos' as const, cdn: [] };
    const unverifiedOnly = only([rec(1, 'r1', setup), rec(2, 'r2', setup), rec(3, 'x1', { ...setup, endorsed: false, sha: BAD })]);
    assert.equal(unverifiedOnly.oses[0].outcome, 'pending');
    assert.deepEqual(counts(unverifiedOnly.oses[0]), [0, 0, 0, 1]);
    // The group most endorsed reviewers built is the pivot, even when unverified reports outnumber it.
    const x = [1, 2, 3].map((i) => rec(10 + i, `x${i}`, { ...setup, endorsed: false, sha: BAD }));
    const endorsedSplit = only([rec(1, 'r1', setup), rec(2, 'r2', setup), rec(3, 'r3', { ...setup, sha: OTHER }), ...x]);
    assert.equal(endorsedSplit.oses[0].outcome, 'diverged');
    assert.deepEqual(counts(endorsedSplit.oses[0]), [0, 1, 0, 3]);
    assert.match(headlineSentence(endorsedSplit.oses[0]), /^No reference hash, and endorsed builds disagree: 1 endorsed build differs/);
  });

  it('per OS, a reviewer matches when all its artifacts match and differs when any differs', () => {
    const two = (id: number, who: string, disk: string, endorsed = true): AttestationRecord => ({
      ...rec(id, who, { endorsed }),
      statement: statement({ proposal: P, os: 'guestos', artifacts: [artifact('guestos/update-img.tar.zst', GOOD, GOOD, [GOOD]), artifact('guestos/disk-img.tar.zst', disk, null, [GOOD])] })
    });
    const c = only([two(1, 'r1', GOOD), two(2, 'r2', GOOD), two(3, 'r3', BAD), two(4, 'x1', BAD, false)], 2, { guestos: GOOD });
    const os = c.oses[0];
    // update-img: all four match; disk-img (compared with the proposal hash) — r3 and x1 differ.
    assert.deepEqual(counts(os.artifacts.find((a) => a.name === 'guestos/update-img.tar.zst')!), [3, 0, 1, 0]);
    assert.deepEqual(counts(os), [2, 1, 0, 1]);
    assert.equal(os.outcome, 'contested');
  });

  it('no endorsed reviewer yet: pending, and the sentence says so', () => {
    const c = only([rec(1, 'x1', { endorsed: false, sha: BAD })], 3, { guestos: GOOD });
    assert.equal(c.oses[0].verdict, 'pending');
    assert.equal(headlineSentence(c.oses[0]), 'No endorsed reviewer has attested yet (quorum 3); 1 unverified report differs');
  });
});

describe('group order', () => {
  it('endorsed support ranks before size: three unverified builds do not outrank one endorsed', () => {
    const setup = { os: 'setupos' as const, cdn: [] };
    const x = [1, 2, 3].map((i) => rec(10 + i, `x${i}`, { ...setup, endorsed: false, sha: BAD }));
    const c = only([rec(1, 'r1', { ...setup, sha: OTHER }), ...x]);
    const a = c.oses[0].artifacts[0];
    assert.deepEqual(a.groups.map((g) => g.sha256), [OTHER, BAD]);
    // The first group is the reference the divergence hints compare with; the unverified builds differ from it.
    assert.deepEqual(counts(a), [0, 0, 0, 3]);
    assert.equal(a.outcome, 'pending');
  });
});
