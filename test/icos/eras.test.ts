/**
 * Every era of IC-OS builds, end to end on the synthetic ic repo (demo/ic-repo.ts, one commit per
 * era, shaped like dfinity/ic at that time): `build` runs the commit's own script with its own
 * flags, runtime and terminal needs, the outputs land at that era's paths, and `check` of the
 * CDN tree made from them agrees. Also: the 2022 script really gets a TTY for `docker run -it`,
 * prerequisite failures say what to run, the build gets an allow-listed environment, and a
 * tampered launch-measurements.json is caught.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { comparisonsFromCheck, toArtifactResult } from '../../attestor/icos/build/artifact-result.js';
import { scrubEnv } from '../../attestor/icos/build/env.js';
import { checkEraPrerequisites, evaluateEraPrerequisites } from '../../attestor/icos/build/era-prerequisites.js';
import { detectLayout } from '../../attestor/icos/build/layout.js';
import { prepareRepo } from '../../attestor/icos/build/repo.js';
import type { BuildResultFile } from '../../attestor/icos/build/result.js';
import { layoutAt, runBuild, ttyWrapped } from '../../attestor/icos/build/run.js';
import { checkProposal } from '../../attestor/icos/cdn/check.js';
import { makeCdnTree } from '../../demo/cdn-tree.js';
import { publish, startCdn, type CdnServer } from '../../demo/cdn-server.js';
import { generateIcRepo, type FixtureEra, type FixtureRepo } from '../../demo/ic-repo.js';
import { PREDICATE_TYPE_V2 } from '../../protocol/types.js';
import { validateStatement } from '../../protocol/validate.js';
import { sampleEnvironmentV2 } from '../fixtures/environment.js';
import { stubDocker } from './stub-docker.js';

let base: string;
let fx: FixtureRepo;
const servers: CdnServer[] = [];
before(() => {
  base = mkdtempSync(join(tmpdir(), 'icos-eras-'));
  fx = generateIcRepo(base);
});
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  rmSync(base, { recursive: true, force: true });
});

/** Stub programs (sudo, podman) first on the PATH. */
function stubBin(name: string, scripts: Record<string, string>): string {
  const dir = join(base, `bin-${name}`);
  mkdirSync(dir, { recursive: true });
  for (const [cmd, body] of Object.entries(scripts)) {
    writeFileSync(join(dir, cmd), `#!/usr/bin/env bash\n${body}\n`);
    chmodSync(join(dir, cmd), 0o755);
  }
  return dir;
}

async function build(name: string, era: FixtureEra, env: NodeJS.ProcessEnv, prerequisites?: 'enforce' | 'report') {
  const commit = fx.commits[era];
  const workdir = join(base, name);
  const p = await prepareRepo({ repoUrl: fx.repoDir, workdir, commit });
  assert.ok(p.ok, JSON.stringify(p));
  return { commit, r: await runBuild({ repoDir: p.value.repoDir, workdir, commit, env, tempDirs: [tmpdir()], prerequisites }) };
}

/** Where each era's script writes each image (dfinity/ic at that time; docs/eras.md). */
const EXPECTED: Record<FixtureEra, { era: string; script: string; args: string[]; runtime: string; tty: boolean; kvm: boolean; paths: Record<string, string> }> = {
  '2022': { era: '2022', script: 'gitlab-ci/tools/docker-build-ic', args: [], runtime: 'docker', tty: true, kvm: false, paths: { guestos: 'artifacts/docker-build-ic/icos/update-img.tar.gz' } },
  '2023-guestos': { era: '2023-guestos', script: 'gitlab-ci/container/build-ic.sh', args: ['-i'], runtime: 'podman', tty: false, kvm: false, paths: { guestos: 'artifacts/icos/update-img.tar.zst' } },
  '2023': {
    era: '2023', script: 'gitlab-ci/container/build-ic.sh', args: ['-i'], runtime: 'podman', tty: false, kvm: false,
    paths: { guestos: 'artifacts/icos/guestos/update-img.tar.zst', hostos: 'artifacts/icos/hostos/update-img.tar.zst', setupos: 'artifacts/icos/setupos/disk-img.tar.zst' },
  },
  '2024': {
    era: '2024', script: 'ci/container/build-ic.sh', args: ['-i'], runtime: 'podman', tty: false, kvm: false,
    paths: { guestos: 'artifacts/icos/guestos/update-img.tar.zst', hostos: 'artifacts/icos/hostos/update-img.tar.zst', setupos: 'artifacts/icos/setupos/disk-img.tar.zst' },
  },
  '2025': {
    era: '2025', script: 'ci/container/build-ic.sh', args: ['--icos'], runtime: 'podman', tty: false, kvm: false,
    paths: {
      guestos: 'artifacts/icos/guestos/update/update-img.tar.zst', hostos: 'artifacts/icos/hostos/update/update-img.tar.zst',
      setupos: 'artifacts/icos/setupos/disk-img.tar.zst', recovery: 'artifacts/icos/guestos/update-img-recovery/update-img.tar.zst',
    },
  },
  '2025-26': {
    era: '2025-26', script: 'ci/container/build-ic.sh', args: ['--icos'], runtime: 'podman', tty: false, kvm: true,
    paths: {
      guestos: 'artifacts/icos/guestos/update/update-img.tar.zst', hostos: 'artifacts/icos/hostos/update/update-img.tar.zst',
      setupos: 'artifacts/icos/setupos/disk-img.tar.zst', recovery: 'artifacts/icos/guestos/update-img-recovery/update-img.tar.zst',
    },
  },
};

describe('each era: build with its own script, land in its paths, check against its CDN tree', () => {
  for (const era of Object.keys(EXPECTED) as FixtureEra[]) {
    test(era, async () => {
      const want = EXPECTED[era];
      const docker = stubDocker(base);
      const { commit, r } = await build(`era-${era}`, era, { ...process.env, PATH: `${docker.dir}:${process.env.PATH}` });
      assert.ok(r.ok, JSON.stringify(r));
      const res: BuildResultFile = r.value.result;
      assert.deepEqual(
        { era: res.layout.era, script: res.layout.script, args: res.layout.args, runtime: res.layout.runtime, tty: res.layout.tty, kvm: res.layout.kvm },
        { era: want.era, script: want.script, args: want.args, runtime: want.runtime, tty: want.tty, kvm: want.kvm },
      );
      assert.deepEqual(Object.fromEntries(res.artifacts.map((a) => [a.os, a.repoPath])), want.paths);

      // The CDN publishes what this era built; check of every OS agrees with it.
      const root = join(base, `cdn-${era}`);
      const guest = res.artifacts.find((a) => a.os === 'guestos')!;
      const measurements = guest.launchMeasurements ? readFileSync(join(fx.repoDir, '..', `era-${era}`, 'ic', guest.launchMeasurements.repoPath), 'utf8') : undefined;
      const tree = makeCdnTree({ root, commit, artifacts: res.artifacts, launchMeasurements: measurements });
      const cdn = await startCdn(root);
      servers.push(cdn);
      const check = await checkProposal(
        { id: '1', elects: 'guestos', commit, sha256: tree.sha256[guest.name]!, urls: [`${cdn.url}${tree.urlPaths[guest.name]}`], launchMeasurements: [] },
        { cacheDir: join(base, `cache-${era}`), mirrors: [cdn.url], os: res.artifacts.map((a) => a.os).filter((o) => o !== 'recovery'), provenance: { skip: true } },
      );
      assert.ok(check.ok);
      assert.deepEqual(check.report.findings, []);
      assert.equal(check.report.artifacts[0]!.file, guest.name.split('/')[1]);
      for (const a of res.artifacts.filter((x) => x.os !== 'recovery')) {
        assert.equal(toArtifactResult(a, comparisonsFromCheck(check.report, a.name)).outcome, 'match', `${era} ${a.name}`);
      }
    });
  }
});

describe('2022: docker run -it gets a terminal', () => {
  test('the script runs under `script`, and the stub docker saw -it with a TTY', async () => {
    const docker = stubDocker(join(base, 'tty'));
    const { r } = await build('tty-2022', '2022', { ...process.env, PATH: `${docker.dir}:${process.env.PATH}` });
    assert.ok(r.ok, JSON.stringify(r));
    const runs = docker.log().filter((l) => l.includes(' args=run '));
    assert.equal(runs.length, 1);
    assert.match(runs[0]!, /^tty=yes args=run --rm -it /);
    assert.equal(readFileSync(r.value.result.log, 'utf8').includes('the input device is not a TTY'), false);
  });

  test('without the wrapper the same docker refuses (the wrapper is what makes it work)', () => {
    assert.deepEqual(ttyWrapped({ tty: false }, '/x/build', ['-i']), ['/x/build', ['-i']]);
    const [cmd, args] = ttyWrapped({ tty: true }, "/x/it's here/docker-build-ic", []);
    assert.equal(cmd, 'script');
    assert.deepEqual(args, ['-qec', `'/x/it'\\''s here/docker-build-ic'`, '/dev/null']);
  });
});

describe('prerequisites per era', () => {
  test('pure: each missing thing says what to run', () => {
    const l2026 = detectLayout(new Set(['ci/container/build-ic.sh', 'ci/scripts/repro-check']), '--icos', 'podman run --device /dev/kvm');
    assert.ok(!('kind' in l2026));
    const missing = evaluateEraPrerequisites(l2026, { sudoNonInteractive: false, kvmUsable: false, docker: true, podman: false, script: true });
    assert.deepEqual(missing.map((m) => m.kind), ['podman', 'sudo', 'kvm']);
    assert.match(missing.find((m) => m.kind === 'sudo')!.fix, /sudo -v/);
    assert.match(missing.find((m) => m.kind === 'kvm')!.fix, /kvm/);
    const l2022 = detectLayout(new Set(['gitlab-ci/tools/docker-build-ic']), null);
    assert.ok(!('kind' in l2022));
    const m2022 = evaluateEraPrerequisites(l2022, { sudoNonInteractive: false, kvmUsable: false, docker: false, podman: false, script: false });
    assert.deepEqual(m2022.map((m) => m.kind), ['docker', 'tty'], '2022 needs neither sudo, podman nor KVM');
    const l2024 = detectLayout(new Set(['ci/container/build-ic.sh', 'ci/tools/repro-check.sh']), '-i', 'exec sudo podman run');
    assert.ok(!('kind' in l2024) && !l2024.kvm, 'no /dev/kvm in container-run.sh: no KVM needed');
  });

  test('enforced: sudo that needs a password stops a 2025-26 build before it runs, with the fix', async () => {
    const bin = stubBin('nosudo', { sudo: 'echo "sudo: a password is required" >&2; exit 1', podman: 'echo podman version 4.9.3' });
    const { r } = await build('pre-sudo', '2025-26', { ...process.env, PATH: `${bin}:${process.env.PATH}` }, 'enforce');
    assert.equal(!r.ok && r.error.kind, 'prerequisites');
    assert.ok(!r.ok && r.error.missing!.some((m) => m.kind === 'sudo'));
    assert.match(!r.ok ? r.error.message : '', /sudo -v/);
  });

  test('enforced: a 2022 build without docker says to install it', async () => {
    const { r } = await build('pre-docker', '2022', { ...process.env, PATH: '/usr/bin:/bin' }, 'enforce');
    assert.equal(!r.ok && r.error.kind, 'prerequisites');
    assert.match(!r.ok ? r.error.message : '', /install docker/);
  });

  test('reported (default): the build runs and the result names what was missing', async () => {
    const bin = stubBin('nosudo2', { sudo: 'exit 1', podman: 'echo podman version 4.9.3' });
    const { r } = await build('pre-report', '2025-26', { ...process.env, PATH: `${bin}:${process.env.PATH}` });
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.value.result.missingPrerequisites!.map((m) => m.kind), ['sudo']);
  });
});

describe('the build environment is an allow-list', () => {
  test('pure: tokens are withheld, build settings are passed and recorded', () => {
    const s = scrubEnv({ PATH: '/bin', HOME: '/h', GH_TOKEN: 'ghp_x', GITHUB_TOKEN: 'y', AWS_SECRET_ACCESS_KEY: 'z', CONTAINER_RUNTIME: 'docker', CACHE_DIR: '/c', LC_ALL: 'C', RANDOM_THING: '1', ICOS_ATTEST_BUILD_ENV: 'FIXTURE_KNOB,GH_TOKEN', FIXTURE_KNOB: 'k' });
    assert.deepEqual(Object.keys(s.env).sort(), ['CACHE_DIR', 'CONTAINER_RUNTIME', 'FIXTURE_KNOB', 'HOME', 'LC_ALL', 'PATH']);
    assert.deepEqual(s.settings.env, { CONTAINER_RUNTIME: 'docker', CACHE_DIR: '/c' });
    assert.equal(s.settings.withheld, 5);
  });

  test('the commit’s scripts never see GH_TOKEN; the result records the settings and ~/.container-run.conf', async () => {
    const home = join(base, 'home-env');
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, '.container-run.conf'), '-v /srv/cache:/cache\n');
    const dump = join(base, 'sudo-env.txt');
    const bin = stubBin('envdump', { sudo: `env > ${dump}; exit 0`, podman: 'echo podman version 4.9.3' });
    const { r } = await build('env', '2025-26', { ...process.env, HOME: home, PATH: `${bin}:${process.env.PATH}`, GH_TOKEN: 'ghp_secret', GITHUB_TOKEN: 'gh_secret', CONTAINER_RUN_ALLOW_UNPINNED: '1' });
    assert.ok(r.ok, JSON.stringify(r));
    const seen = readFileSync(dump, 'utf8');
    assert.equal(seen.includes('ghp_secret') || seen.includes('gh_secret'), false, 'no token reaches the build');
    assert.match(seen, /CONTAINER_RUN_ALLOW_UNPINNED=1/);
    const settings = r.value.result.buildSettings!;
    assert.deepEqual(settings.env, { CONTAINER_RUN_ALLOW_UNPINNED: '1' });
    assert.equal(settings.containerRunConf?.lines, 1);
    assert.ok(!settings.passed.includes('GH_TOKEN'));
  });
});

describe('launch measurements compared in full', () => {
  test('a tampered launch-measurements.json on one mirror is caught (metadata included, against SHA256SUMS)', async () => {
    const { commit, r } = await build('lm', '2025-26', process.env);
    assert.ok(r.ok);
    const res = r.value.result;
    const guest = res.artifacts.find((a) => a.os === 'guestos')!;
    const recovery = res.artifacts.find((a) => a.os === 'recovery')!;
    const text = readFileSync(join(base, 'lm', 'ic', guest.launchMeasurements!.repoPath), 'utf8');
    const recText = readFileSync(join(base, 'lm', 'ic', recovery.launchMeasurements!.repoPath), 'utf8');
    const mirrors: string[] = [];
    for (const i of [0, 1]) {
      const root = join(base, `lm-cdn-${i}`);
      makeCdnTree({ root, commit, artifacts: res.artifacts, launchMeasurements: text });
      // Recovery measurements, listed in the recovery SHA256SUMS like GuestOS's.
      publish(root, `/ic/${commit}/guest-os/update-img-recovery/launch-measurements.json`, recText);
      const s = await startCdn(root);
      servers.push(s);
      mirrors.push(s.url);
    }
    const proposal = { id: '2', elects: 'guestos' as const, commit, sha256: guest.sha256, urls: [], launchMeasurements: guest.launchMeasurements!.measurements! };
    const opts = { cacheDir: join(base, 'lm-cache'), mirrors, os: ['recovery' as const], provenance: { skip: true } };
    const clean = await checkProposal(proposal, opts);
    assert.ok(clean.ok);
    assert.deepEqual(clean.report.findings, []);
    assert.ok(clean.report.artifacts.find((a) => a.os === 'recovery')!.launchMeasurements!.mirrors.every((m) => m.canonicalSha256));

    // Same measurement bytes, different metadata: only a full comparison sees it.
    const tampered = text.replace('"kernel_cmdline":"fake"', '"kernel_cmdline":"fake console=ttyS0"');
    assert.notEqual(tampered, text);
    publish(join(base, 'lm-cdn-1'), `/ic/${commit}/guest-os/update-img/launch-measurements.json`, tampered);
    const bad = await checkProposal(proposal, opts);
    assert.ok(bad.ok);
    assert.equal(bad.report.ok, false);
    const kinds = bad.report.findings.filter((f) => f.name === 'guestos/launch-measurements.json').map((f) => f.kind).sort();
    assert.deepEqual(kinds, ['mirrors-disagree', 'sums-mismatch']);

    // The built file against the CDN: equal to the clean check, different from a tampered one.
    const ok = toArtifactResult(guest, comparisonsFromCheck(clean.report, guest.name));
    assert.equal(ok.launchMeasurements?.outcome, 'match');
    assert.equal(ok.launchMeasurements?.proposalMatch, true);
    const mismatch = toArtifactResult(guest, comparisonsFromCheck(bad.report, guest.name));
    assert.equal(mismatch.launchMeasurements?.outcome, 'mismatch');
    assert.equal(toArtifactResult(recovery, comparisonsFromCheck(clean.report, recovery.name)).launchMeasurements?.outcome, 'match');

    // A statement claiming "match" for the tampered comparison does not validate (a v2 statement,
    // as `attest` signs today, with the shared v2 environment fixture).
    const forged = { ...mismatch, launchMeasurements: { ...mismatch.launchMeasurements!, outcome: 'match' as const } };
    const statement = (a: typeof ok) => ({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: a.name, digest: { sha256: a.sha256 } }],
      predicateType: PREDICATE_TYPE_V2,
      predicate: { proposal: '2', commit, os: 'guestos', artifacts: [a], environment: sampleEnvironmentV2(commit), tool: { name: 'icos-attest', version: '0.1.0' }, startedAt: res.startedAt, finishedAt: res.finishedAt },
    });
    assert.ok(validateStatement(statement(ok)).ok, JSON.stringify(validateStatement(statement(ok))));
    const v = validateStatement(statement(forged));
    assert.equal(v.ok, false);
    assert.match(!v.ok ? v.error.field ?? '' : '', /launchMeasurements\.outcome/);
  });
});

test('layoutAt reads KVM use from the commit’s container-run.sh', async () => {
  const l = await layoutAt(fx.repoDir, fx.commits['2025-26']);
  const e = await layoutAt(fx.repoDir, fx.commits['2025']);
  assert.ok(!('kind' in l) && !('kind' in e));
  assert.equal(l.kvm, true);
  assert.equal(e.kvm, false);
  const bin = stubBin('podman-only', { podman: 'echo podman version 4.9.3' });
  assert.deepEqual(await checkEraPrerequisites({ ...e, sudo: false }, { PATH: `${bin}:/usr/bin:/bin` }), []);
  assert.deepEqual((await checkEraPrerequisites({ ...e, sudo: false }, { PATH: '/nonexistent' })).map((m) => m.kind), ['podman']);
});
