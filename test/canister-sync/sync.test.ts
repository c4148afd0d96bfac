/**
 * The attestations canister learns IC-OS election proposals from NNS governance (here the
 * compiled governance stand-in, real Candid types and payloads): sync_proposal, the timer, what
 * the report and the listing show before anyone attests.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeProposalInfo } from '../../protocol/nns/build.js';
import { PROPOSAL_STATUS, TOPIC } from '../../protocol/nns/functions.js';
import { deploySync, GUEST_COMMIT, guestSeed, HOST_COMMIT, hostSeed, INTERVAL_S, MEASUREMENT, NOW_S } from './harness.js';
import { ok, SECOND, seeded, some } from './util.js';

const G = '4c4ba8b9e3f6d2a1c0b9a8f7e6d5c4b3a29180706f5e4d3c2b1a09f8e7d6c5b4';
const H = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';

describe('canister sync: sync_proposal', () => {
  it('a proposal created in the stand-in appears in the report after sync_proposal', async () => {
    const env = await deploySync();
    seeded(await env.gov.add_election(guestSeed(139201n, G)));
    assert.deepEqual(await env.user.proposal_report(139201n), [], 'no report before anything is known');
    assert.deepEqual(await env.user.get_proposal(139201n), []);

    const synced = ok(await env.user.sync_proposal(139201n));
    assert.equal(synced.proposal, 139201n);
    assert.equal(synced.elects, 'guestos');
    assert.deepEqual(synced.sha256, [G]);
    assert.equal(synced.status, 'open');
    assert.equal(synced.governance.toText(), env.governance.toText());

    const report = some(await env.user.proposal_report(139201n), 'report');
    assert.equal(report.attestations, 0);
    const gov = some(report.governance ?? [], 'governance record');
    assert.deepEqual(gov.sha256, [G]);
    assert.deepEqual(gov.deadline_seconds, [NOW_S + 4n * 86400n]);
    // Needs reviewers: GuestOS pending at 0 of the quorum.
    assert.deepEqual(report.oses.map((o) => [o.os, o.verdict, o.quorum, o.artifacts.length]), [['guestos', 'pending', 3, 0]]);

    const listed = await env.user.list_proposals([], 20);
    assert.deepEqual(listed.proposals.map((p) => [p.proposal, p.attestations, p.oses]), [[139201n, 0, [{ os: 'guestos', verdict: 'pending', outcome: 'pending' }]]]);
    const summary = some(listed.proposals[0].governance ?? [], 'governance summary');
    assert.equal(summary.status, 'open');
    assert.deepEqual(summary.sha256, [G]);
  });

  it('is idempotent: the same governance answer stores the same record', async () => {
    const env = await deploySync();
    seeded(await env.gov.add_election(guestSeed(7n, G)));
    const first = ok(await env.user.sync_proposal(7n));
    const second = ok(await env.user.sync_proposal(7n));
    assert.deepEqual(second, first);
    assert.equal((await env.user.sync_status()).proposals, 1n);
  });

  it('follows governance: a status change is stored on the next sync', async () => {
    const env = await deploySync();
    seeded(await env.gov.add_election(guestSeed(8n, G)));
    ok(await env.user.sync_proposal(8n));
    assert.equal((await env.user.sync_status()).open, 1n);
    seeded(await env.gov.set_status(8n, PROPOSAL_STATUS.executed));
    await env.rt.advanceTime(SECOND);
    const p = ok(await env.user.sync_proposal(8n));
    assert.equal(p.status, 'executed');
    assert.equal((await env.user.sync_status()).open, 0n);
    // Closed and not attested: reported, but not listed among open proposals.
    assert.equal((await env.user.proposal_report(8n)).length, 1);
    assert.deepEqual((await env.user.list_proposals([], 20)).proposals, []);
  });
});

describe('canister sync: sync_proposal is bounded', () => {
  it('at most 10 syncs wait for governance at once; the others get busy and succeed on retry', async () => {
    const env = await deploySync();
    for (let id = 1n; id <= 12n; id++) seeded(await env.gov.add_election(guestSeed(id, G)));
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => env.user.sync_proposal(BigInt(i + 1))));
    const kinds = results.map((r) => ('Ok' in r ? 'ok' : r.Err.kind));
    assert.equal(kinds.filter((k) => k === 'ok').length, 10);
    assert.equal(kinds.filter((k) => k === 'busy').length, 2);
    for (const [i, k] of kinds.entries()) if (k === 'busy') ok(await env.user.sync_proposal(BigInt(i + 1)));
    assert.equal((await env.user.sync_status()).proposals, 12n);
  });
});

describe('canister sync: decoding the real payload shapes', () => {
  it('GuestOS (ReviseElectedGuestosVersions) and HostOS (ReviseElectedHostosVersions) elections', async () => {
    const env = await deploySync();
    seeded(await env.gov.add_election(guestSeed(139301n, G.toUpperCase())));
    seeded(await env.gov.add_election(hostSeed(139302n, H)));

    const guest = ok(await env.user.sync_proposal(139301n));
    assert.equal(guest.elects, 'guestos');
    assert.equal(guest.action, 'ReviseElectedGuestosVersions');
    assert.deepEqual(guest.commit, [GUEST_COMMIT]);
    assert.deepEqual(guest.sha256, [G], 'the hash is normalised to lowercase');
    assert.deepEqual(guest.urls, guestSeed(0n, G).urls);
    assert.deepEqual(guest.launch_measurements, [Buffer.from(MEASUREMENT).toString('hex')]);
    assert.equal(guest.launch_measurements[0].length, 96, '48 bytes as hex');
    assert.deepEqual(guest.unelect, ['0000000000000000000000000000000000000001']);
    assert.equal(guest.proposed_at_seconds, NOW_S - 3600n);
    assert.match(guest.title, /^Elect new IC\/Replica revision/);

    const host = ok(await env.user.sync_proposal(139302n));
    assert.equal(host.elects, 'hostos');
    assert.equal(host.action, 'ReviseElectedHostosVersions');
    assert.deepEqual(host.commit, [HOST_COMMIT]);
    assert.deepEqual(host.sha256, [H]);
    assert.deepEqual(host.urls, [`https://download.dfinity.systems/ic/${HOST_COMMIT}/host-os/update-img/update-img.tar.zst`]);
    assert.deepEqual(host.launch_measurements, []);
    assert.deepEqual(host.deadline_seconds, [NOW_S + 3n * 86400n]);

    // The report judges HostOS against governance's hash; GuestOS is not elected by it.
    const report = some(await env.user.proposal_report(139302n));
    assert.deepEqual(report.oses.map((o) => o.os), ['hostos']);
  });

  it('the older shapes: UpdateElectedReplicaVersions, UpdateElectedHostosVersions, BlessReplicaVersion', async () => {
    const env = await deploySync();
    seeded(await env.gov.add_election(guestSeed(120001n, G, { function: { UpdateElectedReplicaVersions: null }, launch_measurements: [] })));
    seeded(await env.gov.add_election(hostSeed(120002n, H, { function: { UpdateElectedHostosVersions: null } })));
    seeded(await env.gov.add_election(guestSeed(90001n, G, { function: { BlessReplicaVersion: null }, urls: ['https://download.dfinity.systems/ic/x/guest-os/update-img/update-img.tar.gz'], unelect: [], launch_measurements: [] })));
    const a = ok(await env.user.sync_proposal(120001n));
    assert.deepEqual([a.elects, a.action, a.commit, a.sha256], ['guestos', 'ReviseElectedGuestosVersions', [GUEST_COMMIT], [G]]);
    const b = ok(await env.user.sync_proposal(120002n));
    assert.deepEqual([b.elects, b.action, b.commit, b.sha256], ['hostos', 'UpdateElectedHostosVersions', [HOST_COMMIT], [H]]);
    const c = ok(await env.user.sync_proposal(90001n));
    assert.deepEqual([c.elects, c.action, c.commit, c.sha256, c.urls], ['guestos', 'BlessReplicaVersion', [GUEST_COMMIT], [G], ['https://download.dfinity.systems/ic/x/guest-os/update-img/update-img.tar.gz']]);
  });

  it('a proposal that elects nothing IC-OS is recorded as not applicable', async () => {
    const env = await deploySync();
    seeded(await env.gov.add_proposal(makeProposalInfo({ id: 139303n, title: 'A motion', summary: 'm', topic: TOPIC.Governance, action: { Motion: { motion_text: 'do it' } }, proposedAtSeconds: NOW_S })));
    // An election that only unelects old versions: nothing to build.
    seeded(await env.gov.add_election(guestSeed(139304n, G, { commit: [], sha256: [], urls: [], launch_measurements: [] })));
    const motion = ok(await env.user.sync_proposal(139303n));
    assert.deepEqual([motion.elects, motion.action, motion.commit, motion.sha256], ['not-icos', 'Motion', [], []]);
    const unelect = ok(await env.user.sync_proposal(139304n));
    assert.deepEqual([unelect.elects, unelect.action, unelect.unelect], ['not-icos', 'ReviseElectedGuestosVersions', ['0000000000000000000000000000000000000001']]);
    const report = some(await env.user.proposal_report(139303n));
    assert.deepEqual(report.oses, [], 'no OS to review');
    assert.equal(some(report.governance ?? []).elects, 'not-icos');
    // Not applicable proposals never show up as needing reviewers.
    assert.deepEqual((await env.user.list_proposals([], 20)).proposals, []);
  });
});

describe('canister sync: the timer', () => {
  it('discovers a new election when the timer fires, and refreshes open ones', async () => {
    const env = await deploySync();
    seeded(await env.gov.add_election(guestSeed(139401n, G)));
    await env.rt.advanceTime(BigInt(INTERVAL_S) * SECOND);
    const report = some(await env.user.proposal_report(139401n), 'report after the timer');
    assert.deepEqual(some(report.governance ?? []).sha256, [G]);
    let status = await env.user.sync_status();
    assert.deepEqual(status.discovered_through, [139401n]);
    assert.deepEqual(status.errors, []);
    assert.deepEqual(status.last_tick_at_ns, status.last_success_at_ns);

    // A later proposal, and the first one's voting ends.
    seeded(await env.gov.add_election(hostSeed(139402n, H)));
    seeded(await env.gov.set_status(139401n, PROPOSAL_STATUS.adopted));
    await env.rt.advanceTime(BigInt(INTERVAL_S) * SECOND);
    assert.equal(some(await env.user.get_proposal(139402n)).elects, 'hostos');
    assert.equal(some(await env.user.get_proposal(139401n)).status, 'adopted');
    status = await env.user.sync_status();
    assert.deepEqual([status.proposals, status.open, status.discovered_through], [2n, 1n, [139402n]]);
    assert.deepEqual((await env.user.list_proposals([], 20)).proposals.map((p) => p.proposal), [139402n]);
  });

  it('pages through a backlog a few pages per run, and refreshes open proposals the listing missed', async () => {
    const env = await deploySync();
    seeded(await env.gov.add_election(guestSeed(1n, G)));
    await env.rt.advanceTime(BigInt(INTERVAL_S) * SECOND); // first run: discovered through 1
    for (let id = 2n; id <= 71n; id++) seeded(await env.gov.add_election(hostSeed(id, H)));
    seeded(await env.gov.set_status(1n, PROPOSAL_STATUS.executed));

    await env.rt.advanceTime(BigInt(INTERVAL_S) * SECOND);
    let status = await env.user.sync_status();
    assert.deepEqual(status.discovered_through, [1n], 'three pages of 20 do not reach back to 1 yet');
    assert.equal(status.proposals, 61n, 'ids 12..71 and 1');
    // Proposal 1 was not in the pages read, so the run refreshed it with get_proposal_info.
    assert.equal(some(await env.user.get_proposal(1n)).status, 'executed');

    await env.rt.advanceTime(BigInt(INTERVAL_S) * SECOND);
    status = await env.user.sync_status();
    assert.deepEqual(status.discovered_through, [71n]);
    assert.equal(status.proposals, 71n);
    for (const id of [2n, 11n, 12n, 71n]) assert.equal(some(await env.user.get_proposal(id)).elects, 'hostos');
  });

  it('keeps running after an upgrade (timers are re-armed in post_upgrade)', async () => {
    const env = await deploySync();
    seeded(await env.gov.add_election(hostSeed(139500n, H)));
    const synced = ok(await env.user.sync_proposal(139500n));
    await env.upgrade();
    assert.equal((await env.user.sync_status()).config.interval_seconds, INTERVAL_S, 'the configuration is stable');
    assert.deepEqual(await env.user.get_proposal(139500n), [synced], 'and so are the synced proposals');
    seeded(await env.gov.add_election(guestSeed(139501n, G)));
    await env.rt.advanceTime(BigInt(INTERVAL_S) * SECOND);
    assert.equal((await env.user.get_proposal(139501n)).length, 1);
  });

  it('interval 0 turns the timer off; sync_proposal still works', async () => {
    const env = await deploySync();
    ok(await env.controller.set_sync_config({ governance: env.governance, interval_seconds: 0 }));
    seeded(await env.gov.add_election(guestSeed(139601n, G)));
    await env.rt.advanceTime(3600n * SECOND);
    assert.deepEqual(await env.user.get_proposal(139601n), []);
    assert.deepEqual((await env.user.sync_status()).last_tick_at_ns, []);
    ok(await env.user.sync_proposal(139601n));
  });
});
