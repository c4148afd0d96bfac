/**
 * Divergence diagnosis in the canister's report (issue 8): three reviewers reproduce a SetupOS
 * disk image, two get another hash on machines without a tmpfs and with a different build
 * script. The report must name those environment factors first and the divergent GPT partition,
 * from the attestations alone.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { signEnvelope } from '../../protocol/envelope.js';
import { formatManifestPath } from '../../protocol/manifest.js';
import { toCandidEnvelope, type ProposalReport } from '../../protocol/service.js';
import type { Environment, ManifestEntry } from '../../protocol/types.js';
import { hash, profile, reviewer, statement, type TestReviewer } from './fixtures.js';
import { deploy, type Deployed } from './harness.js';
import { ok } from './util.js';

const P = 141_000n;
const CDN = hash('setupos disk-img, CDN');
const DIVERGENT = hash('setupos disk-img, built without tmpfs');
const OFFICIAL_SCRIPT = hash('ci/container/build-ic.sh at the commit');
const STALE_SCRIPT = hash('a stale copy of build-ic.sh');

/** disk-img.tar.zst › disk.img with three GPT partitions; `root` differs between the groups. */
function diskManifest(rootSha: string): ManifestEntry[] {
  const partition = (path: string, sha256: string, off: number): ManifestEntry => ({
    path,
    kind: 'partition',
    size: 1 << 20,
    sha256,
    detail: `type=0FC63DAF-8483-4772-8E79-3D69D8477DE4 off=${off}`
  });
  return [
    {
      path: 'disk.img',
      kind: 'file',
      size: 3 << 20,
      sha256: hash(`disk.img with root ${rootSha}`),
      children: [partition('esp', hash('esp'), 1 << 20), partition('config', hash('config'), 2 << 20), partition('root', rootSha, 3 << 20)]
    }
  ];
}

function setupEnvelope(r: TestReviewer, divergent: boolean) {
  const st = statement({ proposal: P, os: 'setupos', built: divergent ? DIVERGENT : CDN, proposalHash: null, cdn: CDN, tmpfs: !divergent });
  st.predicate.artifacts[0].manifest = diskManifest(hash(divergent ? 'root, sparse holes recorded on ext4' : 'root, built on tmpfs'));
  (st.predicate.environment as Environment).script = { path: 'ci/container/build-ic.sh', sha256: divergent ? STALE_SCRIPT : OFFICIAL_SCRIPT };
  return toCandidEnvelope(signEnvelope(st, r.signer));
}

describe('attestations canister: divergence diagnosis', () => {
  const matching = [reviewer('alice', 'ed25519'), reviewer('bob', 'secp256k1'), reviewer('carol', 'ed25519')];
  const diverging = [reviewer('dave', 'secp256k1'), reviewer('erin', 'ed25519')];
  let d: Deployed;
  let report: ProposalReport;

  before(async () => {
    d = await deploy();
    for (const r of [...matching, ...diverging]) {
      ok(await d.as(r).register_reviewer(profile(r)));
      ok(await d.controller.endorse_reviewer(r.principal, true));
    }
    for (const r of matching) ok(await d.as(r).submit_attestation(setupEnvelope(r, false)));
    for (const r of diverging) ok(await d.as(r).submit_attestation(setupEnvelope(r, true)));
    const [r] = await d.anonymous.proposal_report(P);
    assert.ok(r, 'a report for the proposal');
    report = r;
  });

  it('groups 3 matching the CDN against 2 divergent, and the verdict is diverged', () => {
    const os = report.oses.find((o) => o.os === 'setupos');
    assert.ok(os);
    assert.equal(os.verdict, 'diverged');
    const [a] = os.artifacts;
    assert.deepEqual(a.groups.map((g) => [g.sha256, g.members.length, g.matches_cdn]), [[CDN, 3, [true]], [DIVERGENT, 2, [false]]]);
  });

  it('names the divergent partition and ranks tmpfs and the script hash first', () => {
    const [a] = report.oses.find((o) => o.os === 'setupos')!.artifacts;
    assert.equal(a.hints.length, 1, 'one hint for the one divergent group');
    const [h] = a.hints;
    assert.deepEqual([h.reference_sha256, h.group_sha256, h.reference_count, h.divergent_count], [CDN, DIVERGENT, 3, 2]);
    assert.deepEqual(h.first_divergent, [formatManifestPath(['disk.img', 'root'], 'setupos/disk-img.tar.zst')]);
    assert.ok(h.differing.some((x) => x.path.endsWith('root') && x.change === 'changed'), 'the root partition is listed as changed');
    assert.ok(!h.differing.some((x) => x.path.endsWith('esp') || x.path.endsWith('config')), 'equal partitions are not listed');

    const fields = h.factors.map((f) => f.field);
    const top = new Set(fields.slice(0, 3));
    const TMPFS = 'dirs[host:/var/sysimage].tmpfs';
    const SCRIPT = 'files[ci/container/build-ic.sh].sha256';
    assert.ok(top.has(TMPFS), `tmpfs among the first factors: ${fields.join(', ')}`);
    assert.ok(top.has(SCRIPT), `script hash among the first factors: ${fields.join(', ')}`);
    const tmpfs = h.factors.find((f) => f.field === TMPFS)!;
    assert.deepEqual([tmpfs.reference, tmpfs.divergent], [['true'], ['false']]);
    assert.match(tmpfs.explanation, /known cause 3/);
    const script = h.factors.find((f) => f.field === SCRIPT)!;
    assert.deepEqual([script.reference, script.divergent], [[OFFICIAL_SCRIPT], [STALE_SCRIPT]]);
    // Fields the two groups share cannot explain anything and must not be offered.
    // The causes name both divergent reviewers (v1 records: inferred by comparison).
    assert.deepEqual(h.causes.map((c) => [c.cause, [...c.reviewers].sort(), c.basis]), [
      ['script-not-at-commit', ['dave', 'erin'], 'comparison'],
      ['tmpfs-off', ['dave', 'erin'], 'comparison'],
    ]);
    for (const same of ['wsl', 'container.version', 'kernel', 'git.clean', 'release']) assert.ok(!fields.includes(same), `${same} is not a factor`);
  });
});
