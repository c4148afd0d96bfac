/**
 * `icos-attest report`'s table, rendered from a real report (compiled canister Wasm in the
 * in-process runtime): the headline verdict is the elected OS's, reviewers are ordered by name,
 * hashes are short, hint wording is plain.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { renderReport, reportToJson, shortHash, type ReportJson } from '../../attestor/client/report.js';
import { envelope, hash, profile, reviewer } from '../canister/fixtures.js';
import { deploy, type Deployed } from '../canister/harness.js';
import { ok } from '../canister/util.js';

const P = 142_000n;
const G = hash('guestos');
const H = hash('hostos');
const Y = hash('hostos-divergent');

/** Name order (Ann, Zed) is the reverse of principal order. */
const [zed, ann] = [reviewer('q1', 'ed25519'), reviewer('q2', 'secp256k1')].sort((a, b) => (a.principal.toText() < b.principal.toText() ? -1 : 1));

describe('report table', () => {
  let d: Deployed;
  let report: ReportJson;

  before(async () => {
    d = await deploy();
    ok(await d.controller.set_config({ ...(await d.anonymous.get_config()), quorum: 2 }));
    ok(await d.as(zed).register_reviewer(profile(zed, 'Zed')));
    ok(await d.as(ann).register_reviewer(profile(ann, 'Ann')));
    const rootOf = (h: string): [string, string][] => [['root.img', h], ['boot.img', hash('boot')]];
    for (const r of [zed, ann]) {
      ok(await d.controller.endorse_reviewer(r.principal, true));
      ok(await d.as(r).submit_attestation(envelope(r, { proposal: P, os: 'guestos', built: G, proposalHash: G })));
    }
    // HostOS has no proposal hash (a GuestOS election): Zed's build differs from the CDN's.
    ok(await d.as(ann).submit_attestation(envelope(ann, { proposal: P, os: 'hostos', built: H, proposalHash: null, cdn: H, tmpfs: true, manifest: rootOf(hash('a')) })));
    ok(await d.as(zed).submit_attestation(envelope(zed, { proposal: P, os: 'hostos', built: Y, proposalHash: null, cdn: H, tmpfs: false, manifest: rootOf(hash('b')) })));
    const [r] = await d.anonymous.proposal_report(P);
    assert.ok(r);
    report = reportToJson(r);
  });

  it('headlines the OS with a proposal hash; the other OS is "also built"', () => {
    const text = renderReport(report, false);
    const lines = text.split('\n');
    assert.equal(lines[0], 'Proposal 142000: 4 attestations from 2 reviewers, quorum 2');
    assert.ok(lines.includes("Governance: not read from NNS governance; proposal hashes are the reviewers' claims"), text);
    assert.ok(lines.includes('NNS dashboard: https://dashboard.internetcomputer.org/proposal/142000'));
    assert.ok(lines.includes('Verdict: reproduced (guestos, with a proposal hash claimed by reviewers)'), text);
    assert.ok(lines.includes('Also built (no proposal hash): hostos diverged'), text);
    assert.ok(lines.includes('Per OS: guestos reproduced, hostos diverged'), text);
    // The page's headline sentence, for the OS the verdict is about.
    assert.ok(lines.includes('  guestos: Claimed proposal hash reproduced by 2 of 2 endorsed reviewers (quorum 2)'), text);
    assert.ok(lines.includes(`  guestos/update-img.tar.zst: ${G} (claimed by reviewers; not read from governance)`), text);
    assert.ok(lines.includes('  hostos/update-img.tar.zst: - (none: compared with the CDN only)'), text);
  });

  it('orders reviewers by name, shows hashes short, and words the hints plainly', () => {
    const text = renderReport(report, false);
    const row = text.split('\n').find((l) => l.startsWith('guestos '));
    assert.ok(row, text);
    assert.match(row, new RegExp(`^guestos\\s+guestos/update-img\\.tar\\.zst\\s+${shortHash(G)}\\s+Ann, Zed\\s+2\\s+yes\\s+yes\\s+reproduced$`));
    assert.equal(shortHash(G), `${G.slice(0, 8)}…${G.slice(-8)}`);
    assert.ok(text.includes(`  hostos/update-img.tar.zst: 1 build of ${shortHash(Y)} vs the reference: 1 build of ${shortHash(H)} (the CDN hash)`), text);
    assert.ok(text.includes('    update-img.tar.zst › root.img differs first: same size (4096 bytes), different content.'), text);
    assert.match(text, /\n {4}dirs\[host:\/var\/sysimage\]\.tmpfs: true in the reference builds, false here — separates the groups completely\. Whether host:\/var\/sysimage is a tmpfs/);
    assert.doesNotMatch(text, /build\(s\)|attestation\(s\)|reviewer\(s\)|Separates the groups cleanly/);
    assert.doesNotMatch(text, /\x1b\[/, 'no colour when disabled');
    assert.match(renderReport(report, true), /\x1b\[32mreproduced\x1b\[0m \(guestos/);
  });

  it('with governance: the elected OS decides, whatever else was built', () => {
    const synced: ReportJson = {
      ...report,
      governance: { title: 'Elect GuestOS', status: 'open', elects: 'hostos', action: 'ReviseElectedHostosVersions', commit: null, sha256: null, urls: [], fetchedAtNs: '0', governance: 'rrkah-fqaaa-aaaaa-aaaaq-cai', lastError: null }
    };
    const lines = renderReport(synced, false).split('\n');
    assert.ok(lines.includes('Verdict: diverged (hostos, the OS this proposal elects)'));
    assert.ok(lines.includes('Also built (not elected by this proposal): guestos reproduced'));
    assert.ok(lines.includes('  hostos: CDN hash reproduced by only 1 of 2 endorsed reviewers (quorum 2); 1 endorsed build differs'), lines.join('\n'));
  });
});
