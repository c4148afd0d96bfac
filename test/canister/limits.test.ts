/**
 * A near-limit envelope (≈ 60 KB, a large manifest) goes through every path within the IC's
 * instruction limits (the runtime enforces them): submit, get, list, report, pages, JSON.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LIMITS } from '../../protocol/limits.js';
import { envelope, hash, profile, reviewer } from './fixtures.js';
import { deploy } from './harness.js';
import { ok } from './util.js';

describe('attestations canister: near-limit envelopes', () => {
  it('stores, lists, reports and serves a ≈60 KB envelope', async () => {
    const d = await deploy();
    const r = reviewer('big', 'ed25519');
    ok(await d.as(r).register_reviewer(profile(r)));
    const manifest: [string, string][] = Array.from({ length: 280 }, (_, i) => [`usr/lib/a-fairly-long-directory-name/component-${i}.so`, hash(`c${i}`)]);
    const env = envelope(r, { proposal: 5n, os: 'guestos', built: hash('g'), proposalHash: hash('g'), manifest });
    const size = env.payload.length + env.signatures[0].sig.length;
    assert.ok(size > 0.85 * LIMITS.envelopeBytes && size < LIMITS.envelopeBytes, `envelope is near the limit (${size} bytes)`);
    const id = ok(await d.as(r).submit_attestation(env));
    const [a] = await d.anonymous.get_attestation(id);
    assert.equal(a?.envelope.payload, env.payload);
    const page = await d.anonymous.list_attestations({ proposal: [5n], os: [], reviewer: [], include_revoked: false }, [], 50);
    assert.deepEqual(page.attestations.map((x) => x.id), [id]);
    const [report] = await d.anonymous.proposal_report(5n);
    assert.equal(report?.oses[0].verdict, 'pending');
    for (const url of ['/proposal/5', '/proposal/5.json', `/attestation/${id}.json`, '/']) {
      const res = await d.anonymous.http_request({ method: 'GET', url, headers: [], body: new Uint8Array(), certificate_version: [] });
      assert.equal(res.status_code, 200, url);
    }
  });
});
