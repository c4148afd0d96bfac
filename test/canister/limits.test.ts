/**
 * A near-limit envelope (≈ 60 KB, a large manifest) goes through every path within the IC's
 * instruction limits (the runtime enforces them): submit, get, list, report, pages, JSON. And
 * one identity flooding a proposal with such envelopes (self-superseding, a new hash each time)
 * stops at max_submissions_per_proposal, while every query and page keeps answering.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { LIMITS } from '../../protocol/limits.js';
import { HttpRequestIdl, METHODS } from '../../protocol/service.js';
import { IC_INSTRUCTION_LIMITS } from '../../replica/runtime/index.js';
import { envelope, hash, profile, reviewer } from './fixtures.js';
import { deploy, type Deployed } from './harness.js';
import { errKind, ok } from './util.js';

const manifest: [string, string][] = Array.from({ length: 280 }, (_, i) => [`usr/lib/a-fairly-long-directory-name/component-${i}.so`, hash(`c${i}`)]);

/** A GET through the raw runtime: status and instructions. */
async function get(d: Deployed, url: string): Promise<{ status: number; instructions: bigint }> {
  const arg = new Uint8Array(IDL.encode([HttpRequestIdl], [{ method: 'GET', url, headers: [], body: new Uint8Array(), certificate_version: [2] }]));
  const r = await d.rt.query(d.id, 'http_request', arg, { caller: Principal.anonymous() });
  assert.equal(r.kind, 'replied', `${url}: ${r.kind === 'rejected' ? r.message : ''}`);
  const [res] = IDL.decode([METHODS.http_request.ret], r.kind === 'replied' ? r.reply : new Uint8Array()) as unknown as [{ status_code: number }];
  return { status: res.status_code, instructions: r.instructions };
}

describe('attestations canister: near-limit envelopes', () => {
  it('stores, lists, reports and serves a ≈60 KB envelope', async () => {
    const d = await deploy();
    const r = reviewer('big', 'ed25519');
    ok(await d.as(r).register_reviewer(profile(r)));
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

  it('one identity flooding a proposal with ≈60 KB self-superseding statements stops at the limit; everything keeps answering', async (t) => {
    const d = await deploy();
    const honest = reviewer('honest', 'ed25519');
    const flooder = reviewer('flooder', 'ed25519');
    for (const r of [honest, flooder]) ok(await d.as(r).register_reviewer(profile(r)));
    const G = hash('guestos');
    ok(await d.as(honest).submit_attestation(envelope(honest, { proposal: 8n, os: 'guestos', built: G, proposalHash: G })));
    ok(await d.as(honest).submit_attestation(envelope(honest, { proposal: 9n, os: 'guestos', built: G, proposalHash: G })));
    // A small limit keeps the test quick (each ≈60 KB submission is ≈9 B instructions to run);
    // the bench plays the flood at the default limit and past it (bench/sections/attacks.ts).
    const limit = 4;
    ok(await d.controller.set_config({ ...(await d.anonymous.get_config()), max_submissions_per_proposal: [limit] }));
    let maxSubmit = 0n;
    const costs: string[] = [];
    for (let run = 0; run <= limit; run++) {
      const env = envelope(flooder, { proposal: 9n, os: 'guestos', built: hash(`flood ${run}`), proposalHash: G, run: run % 60, manifest });
      const r = await d.raw('submit_attestation', new Uint8Array(IDL.encode([...METHODS.submit_attestation.args], [env])), flooder.principal);
      assert.equal(r.kind, 'replied', r.kind === 'rejected' ? r.message : '');
      const [res] = IDL.decode([METHODS.submit_attestation.ret], r.kind === 'replied' ? r.reply : new Uint8Array()) as unknown as [{ Ok: bigint } | { Err: { kind: string; message: string; field: [] } }];
      if (run < limit) ok(res);
      else assert.equal(errKind(res), 'submission-limit', `submission ${run + 1} of ${limit}`);
      if (r.instructions > maxSubmit) maxSubmit = r.instructions;
      costs.push((Number(r.instructions) / 1e9).toFixed(2));
    }
    t.diagnostic(`flood: ${limit} submissions of ≈60 KB accepted, one refused; B instructions each: ${costs.join(' ')}`);
    assert.ok(maxSubmit < IC_INSTRUCTION_LIMITS.update);
    const [report] = await d.anonymous.proposal_report(9n);
    assert.equal(report?.attestations, limit + 1);
    assert.equal(report?.reviewers, 2, 'the flooder counts once');
    for (const url of ['/', '/proposal/9', '/proposal/9.json', '/badge/9.svg', '/proposal/8', '/badge/8.svg']) {
      const { status, instructions } = await get(d, url);
      assert.equal(status, 200, url);
      assert.ok(instructions < IC_INSTRUCTION_LIMITS.query, `${url}: ${instructions}`);
    }
    const q = await d.rt.query(d.id, 'proposal_report', new Uint8Array(IDL.encode([IDL.Nat64], [9n])), { caller: Principal.anonymous() });
    assert.equal(q.kind, 'replied');
    t.diagnostic(`proposal_report after the flood: ${(Number(q.instructions) / 1e6).toFixed(0)} M instructions`);
  });
});
