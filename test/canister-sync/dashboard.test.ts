/** The dashboard shows what governance says: elected hash, status, deadline, "needs reviewers", claim mismatches. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AttestationsService } from '../../protocol/service.js';
import { envelope, profile, reviewer } from '../canister/fixtures.js';
import { deploySync, guestSeed, NOW_S } from './harness.js';
import { ok, seeded } from './util.js';

const GOOD = '4c4ba8b9e3f6d2a1c0b9a8f7e6d5c4b3a29180706f5e4d3c2b1a09f8e7d6c5b4';
const BAD = 'badbadbadbadbadbadbadbadbadbadbadbadbadbadbadbadbadbadbadbadbadb';

async function get(service: AttestationsService, url: string): Promise<{ status: number; body: string }> {
  const r = await service.http_request({ method: 'GET', url, headers: [], body: new Uint8Array(0), certificate_version: [] });
  return { status: r.status_code, body: Buffer.from(r.body as Uint8Array).toString('utf8') };
}

describe('canister sync: dashboard', () => {
  it('a synced proposal nobody attested: page, JSON and index', async () => {
    const env = await deploySync();
    seeded(await env.gov.add_election(guestSeed(139901n, GOOD)));
    assert.equal((await get(env.user, '/proposal/139901')).status, 404);
    ok(await env.user.sync_proposal(139901n));

    const page = await get(env.user, '/proposal/139901');
    assert.equal(page.status, 200);
    assert.ok(page.body.includes(GOOD), 'the governance hash');
    assert.ok(page.body.includes('needs reviewers: 0/3'));
    assert.ok(page.body.includes('open'));
    const deadline = new Date(Number(NOW_S + 4n * 86400n) * 1000).toISOString().slice(0, 10);
    assert.ok(page.body.includes(deadline), 'the voting deadline');

    const json = JSON.parse((await get(env.user, '/proposal/139901.json')).body);
    assert.equal(json.governance.sha256, GOOD);
    assert.equal(json.governance.status, 'open');
    assert.equal(json.governance.deadline_seconds, String(NOW_S + 4n * 86400n));

    const index = await get(env.user, '/');
    assert.ok(index.body.includes('/proposal/139901'));
    assert.ok(index.body.includes('needs reviewers'));
  });

  it('flags a reviewer whose claimed proposal hash is not governance\'s', async () => {
    const env = await deploySync();
    seeded(await env.gov.add_election(guestSeed(139902n, GOOD)));
    ok(await env.user.sync_proposal(139902n));
    const liar = reviewer('liar', 'ed25519');
    ok(await env.as(liar.principal).register_reviewer(profile(liar)));
    ok(await env.as(liar.principal).submit_attestation(envelope(liar, { proposal: 139902n, os: 'guestos', built: BAD, proposalHash: BAD, cdn: BAD })));
    const page = await get(env.user, '/proposal/139902');
    assert.ok(page.body.includes('claims another proposal hash'));
    assert.ok(page.body.includes('(from governance)'));
  });
});
