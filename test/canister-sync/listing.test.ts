/** list_proposals merges attested proposals with open synced ones nobody attested yet, newest first, across pages. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Opt } from '../../protocol/service.js';
import { envelope, profile, reviewer } from '../canister/fixtures.js';
import { deploySync, guestSeed } from './harness.js';
import { ok, seeded } from './util.js';

const G = '4c4ba8b9e3f6d2a1c0b9a8f7e6d5c4b3a29180706f5e4d3c2b1a09f8e7d6c5b4';

describe('canister sync: list_proposals', () => {
  it('pages through attested and open synced proposals without gaps or repeats', async () => {
    const env = await deploySync();
    const r = reviewer('lister', 'ed25519');
    ok(await env.as(r.principal).register_reviewer(profile(r)));
    for (const id of [10n, 30n, 50n]) ok(await env.as(r.principal).submit_attestation(envelope(r, { proposal: id, os: 'guestos', built: G, proposalHash: G })));
    for (const id of [20n, 40n, 60n, 30n]) {
      seeded(await env.gov.add_election(guestSeed(id, G)));
      ok(await env.user.sync_proposal(id));
    }
    const seen: bigint[] = [];
    let cursor: Opt<bigint> = [];
    for (let pages = 0; pages < 10; pages++) {
      const page = await env.user.list_proposals(cursor, 2);
      seen.push(...page.proposals.map((p) => p.proposal));
      if (page.next_cursor.length === 0) break;
      cursor = page.next_cursor;
    }
    assert.deepEqual(seen, [60n, 50n, 40n, 30n, 20n, 10n]);
    const all = (await env.user.list_proposals([], 20)).proposals;
    assert.deepEqual(all.map((p) => [p.proposal, p.attestations, p.governance?.length]), [
      [60n, 0, 1],
      [50n, 1, 0],
      [40n, 0, 1],
      [30n, 1, 1],
      [20n, 0, 1],
      [10n, 1, 0]
    ]);
  });
});
