/**
 * Governance's hash is THE proposal hash: an attestation whose claimed proposal hash differs is
 * stored but marked (claim_mismatch), and cannot make a proposal `reproduced`, however many
 * endorsed reviewers agree on the wrong hash.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { envelope, profile, reviewer, type TestReviewer } from '../canister/fixtures.js';
import type { ProposalReport } from '../../protocol/service.js';
import { deploySync, guestSeed, type SyncEnv } from './harness.js';
import { ok, seeded, some } from './util.js';

const GOOD = '4c4ba8b9e3f6d2a1c0b9a8f7e6d5c4b3a29180706f5e4d3c2b1a09f8e7d6c5b4';
const BAD = 'badbadbadbadbadbadbadbadbadbadbadbadbadbadbadbadbadbadbadbadbadb';
const P = 139801n;
const team = [reviewer('ana', 'ed25519'), reviewer('ben', 'secp256k1'), reviewer('cai', 'ed25519')];

async function withReviewers(): Promise<SyncEnv> {
  const env = await deploySync();
  for (const r of team) {
    ok(await env.as(r.principal).register_reviewer(profile(r)));
    ok(await env.controller.endorse_reviewer(r.principal, true));
  }
  seeded(await env.gov.add_election(guestSeed(P, GOOD)));
  return env;
}

async function attest(env: SyncEnv, r: TestReviewer, built: string, claimed: string): Promise<bigint> {
  return ok(await env.as(r.principal).submit_attestation(envelope(r, { proposal: P, os: 'guestos', built, proposalHash: claimed, cdn: built })));
}

function guest(r: ProposalReport) {
  const os = r.oses.find((o) => o.os === 'guestos');
  assert.ok(os, 'a guestos section');
  return os;
}

describe('canister sync: reviewer claims against the governance hash', () => {
  it('three endorsed reviewers agreeing on a hash governance did not elect: stored, marked, diverged', async () => {
    const env = await withReviewers();
    ok(await env.user.sync_proposal(P));
    const ids = [];
    for (const r of team) ids.push(await attest(env, r, BAD, BAD));
    for (const id of ids) assert.equal((await env.user.get_attestation(id)).length, 1, 'stored');
    const report = some(await env.user.proposal_report(P));
    const a = guest(report).artifacts[0];
    assert.deepEqual([a.proposal_sha256, a.proposal_source], [[GOOD], 'governance']);
    assert.equal(a.groups.length, 1);
    assert.deepEqual(a.groups[0].matches_proposal, [false]);
    assert.ok(a.groups[0].members.every((m) => m.claim_mismatch), 'every member is marked');
    assert.equal(a.endorsed_matching, 0);
    assert.equal(guest(report).verdict, 'diverged');
    assert.notEqual((await env.user.list_proposals([], 10)).proposals[0].oses[0].verdict, 'reproduced');
  });

  it('builds that match but claim another proposal hash do not count towards reproduced', async () => {
    const env = await withReviewers();
    ok(await env.user.sync_proposal(P));
    for (const r of team) await attest(env, r, GOOD, BAD);
    const report = some(await env.user.proposal_report(P));
    const a = guest(report).artifacts[0];
    assert.deepEqual(a.groups[0].matches_proposal, [true]);
    assert.ok(a.groups[0].members.every((m) => m.claim_mismatch));
    assert.equal(a.endorsed_matching, 0);
    assert.equal(guest(report).verdict, 'pending');
  });

  it('honest claims reproduce; syncing after the attestations re-judges the cached verdict', async () => {
    const env = await withReviewers();
    // Attested before the canister knew the proposal: judged by the reviewers' claims (all BAD).
    for (const r of team) await attest(env, r, BAD, BAD);
    assert.equal((await env.user.list_proposals([], 10)).proposals[0].oses[0].verdict, 'reproduced');
    assert.equal(guest(some(await env.user.proposal_report(P))).artifacts[0].proposal_source, 'reviewers');
    // Governance says otherwise: the same attestations no longer reproduce it.
    ok(await env.user.sync_proposal(P));
    assert.equal((await env.user.list_proposals([], 10)).proposals[0].oses[0].verdict, 'diverged');
    assert.equal(guest(some(await env.user.proposal_report(P))).verdict, 'diverged');

    const honest = await withReviewers();
    ok(await honest.user.sync_proposal(P));
    for (const r of team) await attest(honest, r, GOOD, GOOD);
    const report = some(await honest.user.proposal_report(P));
    assert.equal(guest(report).verdict, 'reproduced');
    assert.ok(guest(report).artifacts[0].groups[0].members.every((m) => !m.claim_mismatch));
  });
});
