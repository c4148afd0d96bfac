/**
 * Provenance of SHA256SUMS: real Sigstore bundles from a local CA and log (sigstore-fixture.ts),
 * verified by sigstore-js through our policy; then the real CLI `check` against a local CDN and
 * attestations API: a bundle that does not verify, or is for another workflow or repository,
 * fails the check (exit 1); --skip-provenance is recorded as skipped.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { provenanceSubject, trustMaterialFromJson, verifyAnyBundle, verifyProvenanceBundle } from '../../attestor/icos/cdn/provenance.js';
import { publish, startCdn, type CdnServer } from '../../demo/cdn-server.js';
import { isolatedEnv, runCli, tempDir } from '../cli/helpers.js';
import { attestationsAnswer, LocalSigstore, REPO_URL, releaseIdentity, statementFor } from './sigstore-fixture.js';

const COMMIT = '3'.repeat(40);
const DIR = 'guest-os/update-img';
const SUMS = Buffer.from(`${'ab'.repeat(32)} update-img.tar.zst\n`);
const SUMS_SHA = createHash('sha256').update(SUMS).digest('hex');
const SUBJECT = provenanceSubject(COMMIT, DIR);

let ca: LocalSigstore;
let other: LocalSigstore;
before(() => {
  ca = new LocalSigstore();
  other = new LocalSigstore('other');
});
after(() => {
  rmSync(ca.dir, { recursive: true, force: true });
  rmSync(other.dir, { recursive: true, force: true });
});

const trust = () => trustMaterialFromJson(JSON.parse(readFileSync(ca.trustRootPath, 'utf8')));
const want = { commit: COMMIT, dir: DIR, sha256: SUMS_SHA };
const good = () => statementFor([{ name: SUBJECT, sha256: SUMS_SHA }]);

describe('verifyProvenanceBundle (sigstore-js + the dfinity/ic policy)', () => {
  test('a release-testing.yml attestation of this SHA256SUMS at this commit verifies', () => {
    const r = verifyProvenanceBundle(ca.bundle(good(), releaseIdentity(COMMIT)), want, trust());
    assert.equal(r.status, 'verified', JSON.stringify(r.error));
    assert.equal(r.signer?.commit, COMMIT);
    assert.match(r.signer!.workflow, /release-testing\.yml@refs\/heads\/rc--/);
  });

  test('hotfix branches are release branches too', () => {
    const id = releaseIdentity(COMMIT, { san: `${REPO_URL}/.github/workflows/release-testing.yml@refs/heads/hotfix-nns`, ref: 'refs/heads/hotfix-nns' });
    assert.equal(verifyProvenanceBundle(ca.bundle(good(), id), want, trust()).status, 'verified');
  });

  const cases: [string, () => object, string][] = [
    ['another workflow (ci-kickoff.yml)', () => ca.bundle(good(), releaseIdentity(COMMIT, { san: `${REPO_URL}/.github/workflows/ci-kickoff.yml@refs/heads/master` })), 'wrong-workflow'],
    [
      'another repository',
      () => ca.bundle(good(), releaseIdentity(COMMIT, { san: 'https://github.com/evil/ic/.github/workflows/release-testing.yml@refs/heads/rc--x', repository: 'https://github.com/evil/ic' })),
      'wrong-repository',
    ],
    ['a master build (not rc--/hotfix-)', () => ca.bundle(good(), releaseIdentity(COMMIT, { san: `${REPO_URL}/.github/workflows/release-testing.yml@refs/heads/master`, ref: 'refs/heads/master' })), 'wrong-ref'],
    ['another commit', () => ca.bundle(good(), releaseIdentity('4'.repeat(40))), 'wrong-commit'],
    ['another directory’s SHA256SUMS (subject name)', () => ca.bundle(statementFor([{ name: provenanceSubject(COMMIT, 'guest-os/update-img-dev'), sha256: SUMS_SHA }]), releaseIdentity(COMMIT)), 'wrong-subject'],
    ['another digest', () => ca.bundle(statementFor([{ name: SUBJECT, sha256: 'ff'.repeat(32) }]), releaseIdentity(COMMIT)), 'wrong-subject'],
    ['a payload changed after signing', () => ca.bundle(good(), releaseIdentity(COMMIT), (p) => Buffer.from(p.toString().replace('update-img', 'update-imh'))), 'signature'],
    ['a certificate from an untrusted CA', () => other.bundle(good(), releaseIdentity(COMMIT)), 'signature'],
    ['not a bundle', () => ({ mediaType: 'nope' }), 'bad-bundle'],
  ];
  for (const [what, make, kind] of cases) {
    test(`refused: ${what}`, () => {
      const r = verifyProvenanceBundle(make(), want, trust());
      assert.equal(r.status, 'failed');
      assert.equal(r.error?.kind, kind, r.error?.message);
    });
  }

  test('of several bundles, one that verifies is enough', () => {
    const bad = ca.bundle(good(), releaseIdentity('4'.repeat(40)));
    assert.equal(verifyAnyBundle([bad, ca.bundle(good(), releaseIdentity(COMMIT))], want, trust()).status, 'verified');
    assert.equal(verifyAnyBundle([bad], want, trust()).error?.kind, 'wrong-commit');
  });
});

describe('icos-attest check with provenance (real CLI, local CDN and attestations API)', () => {
  let cdn: CdnServer;
  let home: string;
  const image = Buffer.from('a GuestOS image');
  const imageSha = createHash('sha256').update(image).digest('hex');
  const sums = Buffer.from(`${imageSha} update-img.tar.zst\n`);
  const sumsSha = createHash('sha256').update(sums).digest('hex');
  const attPath = `/repos/dfinity/ic/attestations/sha256:${sumsSha}`;

  before(async () => {
    home = tempDir('icos-provenance-');
    cdn = await startCdn(join(home, 'cdn'));
    publish(cdn.root, `/ic/${COMMIT}/${DIR}/update-img.tar.zst`, image);
    publish(cdn.root, `/ic/${COMMIT}/${DIR}/SHA256SUMS`, sums);
    publish(cdn.root, `/ic/${COMMIT}/${DIR}/launch-measurements.json`, '{"guest_launch_measurements":[]}');
    publish(
      cdn.root,
      '/api/v3/proposals/777',
      JSON.stringify({
        id: 777,
        title: 'Elect new IC/Replica revision',
        summary: '',
        status: 'OPEN',
        action: 'ExecuteNnsFunction',
        action_nns_function: 'ReviseElectedGuestosVersions',
        proposal_timestamp_seconds: 1_760_000_000,
        payload: {
          replica_version_to_elect: COMMIT,
          release_package_sha256_hex: imageSha,
          release_package_urls: [`${cdn.url}/ic/${COMMIT}/${DIR}/update-img.tar.zst`],
          replica_versions_to_unelect: [],
        },
      }),
    );
  });
  after(async () => cdn.close());

  async function check(bundles: object[] | null, extra: string[] = []) {
    if (bundles) publish(cdn.root, attPath, attestationsAnswer(bundles));
    else rmSync(join(cdn.root, attPath), { force: true });
    const env = isolatedEnv(home);
    delete env.ICOS_ATTEST_SKIP_PROVENANCE;
    const args = ['--json', 'check', '777', '--source', 'dashboard', '--dashboard-url', `${cdn.url}/api/v3`, '--mirror', cdn.url];
    const run = await runCli([...args, '--cache-dir', join(home, 'cache'), '--trust-root', ca.trustRootPath, '--attestations-url', cdn.url, ...extra], { env });
    const report = JSON.parse(run.stdout || '{}');
    return { code: run.code, report, stderr: run.stderr };
  }
  const statement = () => statementFor([{ name: SUBJECT, sha256: sumsSha }]);

  test('a verified SHA256SUMS: exit 0, recorded as verified', async () => {
    const r = await check([ca.bundle(statement(), releaseIdentity(COMMIT))]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.report.artifacts[0].provenance.status, 'verified');
    assert.equal(r.report.artifacts[0].provenance.mirrors[0].signer.commit, COMMIT);
  });

  const failing: [string, () => object[] | null][] = [
    ['another workflow', () => [ca.bundle(statement(), releaseIdentity(COMMIT, { san: `${REPO_URL}/.github/workflows/ci-kickoff.yml@refs/heads/master` }))]],
    ['another repository', () => [ca.bundle(statement(), releaseIdentity(COMMIT, { repository: 'https://github.com/evil/ic', san: 'https://github.com/evil/ic/.github/workflows/release-testing.yml@refs/heads/rc--x' }))]],
    ['a bundle that does not verify', () => [other.bundle(statement(), releaseIdentity(COMMIT))]],
    ['no attestation at all', () => null],
  ];
  for (const [what, bundles] of failing) {
    test(`${what}: exit 1 with a provenance-failed finding`, async () => {
      const r = await check(bundles());
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.report.ok, false);
      assert.deepEqual(r.report.findings.map((f: { kind: string }) => f.kind), ['provenance-failed']);
      assert.equal(r.report.artifacts[0].provenance.status, 'failed');
    });
  }

  test('--skip-provenance: exit 0, recorded as skipped', async () => {
    const r = await check(null, ['--skip-provenance']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.report.artifacts[0].provenance.status, 'skipped');
  });
});
