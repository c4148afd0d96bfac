/**
 * The pieces together: build the synthetic repo, publish one build on two mirrors, check a
 * proposal against them, and compare a second (partly non-deterministic) build by hashes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { comparisonsFromCheck, toArtifactResult } from '../../attestor/icos/build/artifact-result.js';
import { prepareRepo } from '../../attestor/icos/build/repo.js';
import { runBuild } from '../../attestor/icos/build/run.js';
import { checkProposal } from '../../attestor/icos/cdn/check.js';
import { parseLaunchMeasurements } from '../../attestor/icos/cdn/measurements.js';
import { makeCdnTree } from '../../demo/cdn-tree.js';
import { generateIcRepo } from '../../demo/ic-repo.js';
import { startCdn, type CdnServer } from '../../demo/cdn-server.js';

const servers: CdnServer[] = [];
const dirs: string[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('published build = proposal = both mirrors; a divergent HostOS build is a mismatch', async () => {
  const base = mkdtempSync(join(tmpdir(), 'icos-bc-'));
  dirs.push(base);
  const fx = generateIcRepo(base);
  const commit = fx.commits['2025-26'];
  const buildIn = async (name: string, env: NodeJS.ProcessEnv) => {
    const workdir = join(base, name);
    const p = await prepareRepo({ repoUrl: fx.repoDir, workdir, commit });
    assert.ok(p.ok);
    const r = await runBuild({ repoDir: p.value.repoDir, workdir, commit, env, tempDirs: [tmpdir()] });
    assert.ok(r.ok, JSON.stringify(r));
    return r.value.result;
  };
  const official = await buildIn('official', process.env);
  const measurementsText = readFileSync(official.extras.find((e) => e.name === 'guestos/launch-measurements.json')!.path, 'utf8');
  const measured = parseLaunchMeasurements(measurementsText);
  assert.ok(measured.ok);

  const mirrors: string[] = [];
  let published: Record<string, string> = {};
  for (const [i, style] of (['plain', 'star'] as const).entries()) {
    const root = join(base, `mirror-${i}`);
    const tree = makeCdnTree({ root, commit, artifacts: official.artifacts, launchMeasurements: measurementsText, sumsStyle: style });
    published = tree.sha256;
    const s = await startCdn(root);
    servers.push(s);
    mirrors.push(s.url);
  }

  const check = await checkProposal(
    {
      id: '42',
      elects: 'hostos',
      commit,
      sha256: published['hostos/update-img.tar.zst']!,
      urls: [`${mirrors[0]}/ic/${commit}/host-os/update-img/update-img.tar.zst`],
      launchMeasurements: [],
    },
    { cacheDir: join(base, 'cache'), mirrors, os: ['setupos', 'guestos'], provenance: { skip: true } },
  );
  assert.ok(check.ok);
  assert.deepEqual(check.report.findings, []);
  assert.deepEqual(check.report.artifacts.map((a) => a.os), ['hostos', 'setupos', 'guestos']);
  const guest = check.report.artifacts.find((a) => a.os === 'guestos')!;
  assert.deepEqual(guest.launchMeasurements!.mirrors[0]!.measurements, measured.measurements);

  const reviewer = await buildIn('reviewer', { ...process.env, ICOS_FAKE_NONDETERMINISTIC: 'hostos', ICOS_ATTEST_BUILD_ENV: 'ICOS_FAKE_NONDETERMINISTIC' });
  const outcomes = Object.fromEntries(
    reviewer.artifacts
      .filter((a) => a.os === 'hostos' || a.os === 'setupos')
      .map((a) => [a.name, toArtifactResult(a, comparisonsFromCheck(check.report, a.name)).outcome]),
  );
  assert.deepEqual(outcomes, { 'hostos/update-img.tar.zst': 'mismatch', 'setupos/disk-img.tar.zst': 'match' });
});
