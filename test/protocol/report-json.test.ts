/**
 * One conversion of a report to JSON (protocol/report-json.ts), shared by the canister and the
 * CLI: the canonical form round-trips, the certified bytes are that canonical form, and the CLI
 * view of a Candid report equals the view of the certified text.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import { canonicalJson } from '../../protocol/canonical.js';
import { reportFromJson, reportJson, reportToJson, reportView } from '../../protocol/report-json.js';
import type { ProposalReport } from '../../protocol/service.js';
import { certifiedReportView } from '../../attestor/verify/report-json.js';
import { TrustError } from '../../attestor/verify/trust-error.js';
import { envelope, hash, profile, reviewer } from '../canister/fixtures.js';
import { deploy, type Deployed } from '../canister/harness.js';
import { ok } from '../canister/util.js';

const P = 143_000n;
const G = hash('guestos');
const [ann, bob] = [reviewer('rj1', 'ed25519'), reviewer('rj2', 'secp256k1')];

describe('report JSON, one module', () => {
  let d: Deployed;
  let report: ProposalReport;
  let certified: string;

  before(async () => {
    d = await deploy();
    for (const r of [ann, bob]) {
      ok(await d.as(r).register_reviewer(profile(r)));
      ok(await d.controller.endorse_reviewer(r.principal, true));
    }
    ok(await d.as(ann).submit_attestation(envelope(ann, { proposal: P, os: 'guestos', built: G, proposalHash: G })));
    // a divergent build: the report carries a hint with factors
    ok(await d.as(bob).submit_attestation(envelope(bob, { proposal: P, os: 'guestos', built: hash('other'), proposalHash: G, tmpfs: false })));
    const [r] = await d.anonymous.proposal_report(P);
    assert.ok(r);
    report = r;
    const c = await d.anonymous.certified_report(P, 0n, 10);
    assert.equal(c.report_json.length, 1);
    certified = c.report_json[0]!;
  });

  it('the certified bytes are the canonical JSON of proposal_report, and decode back to it', () => {
    assert.equal(canonicalJson(reportJson(report)), certified);
    assert.deepEqual(reportFromJson(JSON.parse(certified)), report);
  });

  it('the CLI view of the Candid report is the view of the certified text', () => {
    const view = reportToJson(report);
    assert.deepEqual(certifiedReportView(certified), view);
    assert.equal(view.attestations, 2);
    assert.equal(view.oses[0]!.artifacts[0]!.groups.length, 2);
    assert.ok(view.oses[0]!.artifacts[0]!.hints.length > 0, 'a divergence hint is carried over');
    assert.equal(view.oses[0]!.artifacts[0]!.proposalSha256, G);
  });

  it('certified text that is not a JSON object is a trust failure; odd fields read leniently', () => {
    for (const bad of ['', 'null', '[1]', '{"proposal"']) assert.throws(() => certifiedReportView(bad), TrustError, bad);
    const v = reportView({ proposal: 7, oses: [{ os: 'guestos', artifacts: [{ name: 'x', proposal_sha256: null, groups: 'no' }] }] });
    assert.equal(v.proposal, '7');
    assert.deepEqual(v.oses[0]!.artifacts[0]!.groups, []);
    assert.equal(v.governance, null);
  });
});
