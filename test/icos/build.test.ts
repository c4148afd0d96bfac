import type { EnvironmentV2 } from '../../protocol/environment.js';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { outcomeOf, toArtifactResult } from '../../attestor/icos/build/artifact-result.js';
import { detectLayout, icosFlag } from '../../attestor/icos/build/layout.js';
import { checkPrerequisites, evaluatePrerequisites, GIB, prerequisiteWarnings } from '../../attestor/icos/build/prerequisites.js';
import { prepareRepo } from '../../attestor/icos/build/repo.js';
import type { BuildResultFile } from '../../attestor/icos/build/result.js';
import { layoutAt, runBuild } from '../../attestor/icos/build/run.js';
import { sha256File } from '../../attestor/hash/sha256-file.js';
import { generateIcRepo, type FixtureRepo } from '../../demo/ic-repo.js';
import { stubDocker } from './stub-docker.js';

/** The 2022 era's script runs docker: a stub that insists on a terminal stands in for it. */
function withStubDocker(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, PATH: `${stubDocker(base).dir}:${env.PATH}` };
}

let fx: FixtureRepo;
let base: string;

before(() => {
  base = mkdtempSync(join(tmpdir(), 'icos-build-'));
  fx = generateIcRepo(base);
});
after(() => rmSync(base, { recursive: true, force: true }));

async function prepared(name: string, commit: string) {
  const workdir = join(base, name);
  const p = await prepareRepo({ repoUrl: fx.repoDir, workdir, commit });
  assert.ok(p.ok, JSON.stringify(p));
  return { workdir, repoDir: p.value.repoDir };
}

async function build(name: string, commit: string, env: NodeJS.ProcessEnv = withStubDocker(), force = false): Promise<BuildResultFile> {
  const { workdir, repoDir } = await prepared(name, commit);
  const r = await runBuild({ repoDir, workdir, commit, env, force, tempDirs: [tmpdir()] });
  assert.ok(r.ok, JSON.stringify(r));
  // The result file on disk is what `attest` reads.
  assert.deepEqual(JSON.parse(readFileSync(r.value.resultPath, 'utf8')), r.value.result);
  return r.value.result;
}

describe('layout detection', () => {
  test('pure: each era from the files present', () => {
    const d = (paths: string[], script: string | null = null) => detectLayout(new Set(paths), script);
    const l2026 = d(['ci/container/build-ic.sh', 'ci/scripts/repro-check'], 'case $1 in --icos) ;; esac');
    assert.ok(!('kind' in l2026));
    assert.deepEqual([l2026.era, l2026.args, l2026.checker], ['2025-26', ['--icos'], 'ci/scripts/repro-check']);
    assert.equal(l2026.outputs.find((o) => o.os === 'guestos')!.paths[0], 'artifacts/icos/guestos/update/update-img.tar.zst');
    const l2024 = d(['ci/container/build-ic.sh', 'ci/tools/repro-check.sh'], 'case $1 in -i) ;; esac');
    assert.ok(!('kind' in l2024));
    assert.deepEqual([l2024.era, l2024.args], ['2024', ['-i']]);
    assert.equal(l2024.outputs.find((o) => o.os === 'hostos')!.paths[0], 'artifacts/icos/hostos/update-img.tar.zst');
    const l2022 = d(['gitlab-ci/tools/docker-build-ic', 'gitlab-ci/tools/repro-check.sh']);
    assert.ok(!('kind' in l2022));
    assert.deepEqual([l2022.era, l2022.script, l2022.checker], ['2022', 'gitlab-ci/tools/docker-build-ic', 'gitlab-ci/tools/repro-check.sh']);
    assert.equal(l2022.outputs[0]!.paths[0], 'artifacts/docker-build-ic/icos/update-img.tar.gz');
    const none = d(['README.md']);
    assert.equal('kind' in none && none.kind, 'unknown-layout');
    // Newest checker path wins when several exist.
    const both = d(['ci/container/build-ic.sh', 'ci/scripts/repro-check', 'ci/tools/repro-check.sh'], '--icos');
    assert.equal(!('kind' in both) && both.checker, 'ci/scripts/repro-check');
  });

  test('--icos vs -i comes from the script text', () => {
    assert.equal(icosFlag('  -i | --icos)\n'), '--icos');
    assert.equal(icosFlag('  -i)\n BUILD_IMAGES=true'), '-i');
    assert.equal(icosFlag('# --icosahedron'), '-i');
  });

  test('each fixture commit is detected from its own files', async () => {
    const expected: Record<string, [string, string, string | null]> = {
      '2022': ['2022', 'gitlab-ci/tools/docker-build-ic', 'gitlab-ci/tools/repro-check.sh'],
      '2023-guestos': ['2023-guestos', '-i', 'gitlab-ci/tools/repro-check.sh'],
      '2023': ['2023', '-i', 'gitlab-ci/tools/repro-check.sh'],
      '2024': ['2024', '-i', 'ci/tools/repro-check.sh'],
      '2025': ['2025', '--icos', 'ci/tools/repro-check'],
      '2025-26': ['2025-26', '--icos', 'ci/scripts/repro-check'],
    };
    for (const [era, commit] of Object.entries(fx.commits)) {
      const l = await layoutAt(fx.repoDir, commit);
      assert.ok(!('kind' in l), era);
      const [e, second, checker] = expected[era]!;
      assert.equal(l.era, e);
      assert.equal(era === '2022' ? l.script : l.args[0], second);
      assert.equal(l.checker, checker);
    }
  });
});

describe('prepareRepo', () => {
  test('a malformed commit is refused before anything runs', async () => {
    const r = await prepareRepo({ repoUrl: fx.repoDir, workdir: join(base, 'bad'), commit: 'abc123' });
    assert.equal(!r.ok && r.error.kind, 'bad-commit');
    assert.equal(existsSync(join(base, 'bad')), false);
  });

  test('a dirty tree is refused (untracked and modified files)', async () => {
    const { workdir, repoDir } = await prepared('dirty', fx.commits['2025']);
    writeFileSync(join(repoDir, 'stray.txt'), 'x');
    const untracked = await prepareRepo({ repoUrl: fx.repoDir, workdir, commit: fx.commits['2025-26'] });
    assert.equal(!untracked.ok && untracked.error.kind, 'dirty-tree');
    execFileSync('rm', [join(repoDir, 'stray.txt')]);
    appendFileSync(join(repoDir, 'README.md'), 'local edit\n');
    const modified = await prepareRepo({ repoUrl: fx.repoDir, workdir, commit: fx.commits['2025'] });
    assert.equal(!modified.ok && modified.error.kind, 'dirty-tree');
    const b = await runBuild({ repoDir, workdir, commit: fx.commits['2025'] });
    assert.equal(!b.ok && b.error.kind, 'dirty-tree');
  });

  test('an unknown commit is a fetch error', async () => {
    const r = await prepareRepo({ repoUrl: fx.repoDir, workdir: join(base, 'unknown'), commit: '0'.repeat(40) });
    assert.equal(!r.ok && r.error.kind, 'fetch-failed');
  });
});

describe('runBuild', () => {
  test('every era builds with its own script and its outputs are hashed', async () => {
    const names: Record<string, string[]> = {
      '2022': ['guestos/update-img.tar.gz'],
      '2023-guestos': ['guestos/update-img.tar.zst'],
      '2023': ['guestos/update-img.tar.zst', 'hostos/update-img.tar.zst', 'setupos/disk-img.tar.zst'],
      '2024': ['guestos/update-img.tar.zst', 'hostos/update-img.tar.zst', 'setupos/disk-img.tar.zst'],
      '2025': ['guestos/update-img.tar.zst', 'hostos/update-img.tar.zst', 'setupos/disk-img.tar.zst', 'recovery/update-img.tar.zst'],
      '2025-26': ['guestos/update-img.tar.zst', 'hostos/update-img.tar.zst', 'setupos/disk-img.tar.zst', 'recovery/update-img.tar.zst'],
    };
    for (const [era, commit] of Object.entries(fx.commits)) {
      const r = await build(`era-${era}`, commit);
      assert.deepEqual(r.artifacts.map((a) => a.name), names[era], era);
      for (const a of r.artifacts) {
        const h = await sha256File(a.path);
        assert.ok(h.ok && h.sha256 === a.sha256 && h.size === a.size);
      }
      assert.equal(r.environment.git.commit, commit);
      assert.equal(r.environment.git.clean, true);
      assert.equal((r.environment as EnvironmentV2).script, r.layout.script);
      assert.ok((r.environment as EnvironmentV2).files.some((f) => f.path === r.layout.script && f.atCommit === true), 'the build script is hashed and is the commit\'s');
      assert.equal(r.exitCode, 0);
      assert.ok(readFileSync(r.log, 'utf8').includes(commit), 'the log holds the script output');
    }
  });

  test('deterministic by default; the knob makes only HostOS differ', async () => {
    const c = fx.commits['2025-26'];
    const one = await build('det-1', c);
    const two = await build('det-2', c);
    const three = await build('det-3', c, { ...process.env, ICOS_FAKE_NONDETERMINISTIC: 'hostos', ICOS_ATTEST_BUILD_ENV: 'ICOS_FAKE_NONDETERMINISTIC' });
    const by = (r: BuildResultFile) => Object.fromEntries(r.artifacts.map((a) => [a.name, a.sha256]));
    assert.deepEqual(by(one), by(two));
    assert.equal(by(three)['guestos/update-img.tar.zst'], by(one)['guestos/update-img.tar.zst']);
    assert.notEqual(by(three)['hostos/update-img.tar.zst'], by(one)['hostos/update-img.tar.zst']);
    assert.deepEqual(one.extras.map((e) => e.name), ['guestos/launch-measurements.json', 'recovery/launch-measurements.json']);
  });

  test('a rerun reuses unchanged outputs; force rebuilds', async () => {
    const c = fx.commits['2025-26'];
    const env = { ...process.env, ICOS_FAKE_NONDETERMINISTIC: 'hostos', ICOS_ATTEST_BUILD_ENV: 'ICOS_FAKE_NONDETERMINISTIC' };
    const first = await build('resume', c, env);
    const logs = () => readdirSync(join(base, 'resume', 'logs')).length;
    assert.equal(logs(), 1);
    const again = await build('resume', c, env);
    assert.equal(again.reused, true);
    assert.equal(logs(), 1, 'no new build ran');
    // HostOS is non-deterministic here: an equal hash proves the old output was reused.
    assert.deepEqual(again.artifacts, first.artifacts);
    const forced = await build('resume', c, env, true);
    assert.equal(forced.reused, false);
    assert.equal(logs(), 2);
    assert.notEqual(
      forced.artifacts.find((a) => a.os === 'hostos')!.sha256,
      first.artifacts.find((a) => a.os === 'hostos')!.sha256,
    );
  });

  test('a failing build script is an error with the log, not a result', async () => {
    const c = fx.commits['2025'];
    const { workdir, repoDir } = await prepared('fail', c);
    const r = await runBuild({ repoDir, workdir, commit: c, env: { ...process.env, ICOS_FAKE_FAIL: '1', ICOS_ATTEST_BUILD_ENV: 'ICOS_FAKE_FAIL' } });
    assert.equal(!r.ok && r.error.kind, 'build-failed');
    assert.ok(!r.ok && r.error.log && readFileSync(r.error.log, 'utf8').includes('simulated build failure'));
    assert.equal(existsSync(join(workdir, `result-${c.slice(0, 12)}.json`)), false, 'no result file for a failed build');
    const wrong = await runBuild({ repoDir, workdir, commit: fx.commits['2024'] });
    assert.equal(!wrong.ok && wrong.error.kind, 'wrong-commit');
  });

  test('--os filters and names what is missing', async () => {
    const { workdir, repoDir } = await prepared('os-filter', fx.commits['2023-guestos']);
    const r = await runBuild({ repoDir, workdir, commit: fx.commits['2023-guestos'], os: ['guestos', 'recovery'] });
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.value.result.os, ['guestos']);
    assert.deepEqual(r.value.result.missing.map((m) => m.os), ['recovery']);
  });
});

describe('prerequisites', () => {
  test('pure: each missing thing says what to do', () => {
    const ok = evaluatePrerequisites({ arch: 'x64', memoryBytes: 32 * GIB, diskFreeBytes: 500 * GIB, podman: true, git: true }, '/w');
    assert.deepEqual(ok, []);
    const bad = evaluatePrerequisites({ arch: 'arm64', memoryBytes: 8 * GIB, diskFreeBytes: 20 * GIB, podman: false, git: false }, '/w');
    assert.deepEqual(bad.map((m) => m.kind), ['arch', 'memory', 'disk', 'podman', 'git']);
    assert.ok(bad.every((m) => m.fix.length > 0 && m.message.length > 0));
  });

  test('pure: warnings for hosts other than Ubuntu ≥ 22.04 and for WSL', () => {
    assert.deepEqual(prerequisiteWarnings({ name: 'Ubuntu', version: '24.04' }, false), []);
    assert.deepEqual(prerequisiteWarnings({ name: 'Ubuntu', version: '20.04' }, false).map((w) => w.kind), ['os']);
    assert.deepEqual(prerequisiteWarnings({ name: 'Debian GNU/Linux', version: '12' }, true).map((w) => w.kind), ['os', 'wsl']);
  });

  test('override lets a build go ahead but still lists what is missing', async () => {
    const plain = await checkPrerequisites({ workdir: base });
    const over = await checkPrerequisites({ workdir: base, override: true });
    assert.equal(over.ok, true);
    assert.deepEqual(over.missing, plain.missing);
    assert.equal(over.overridden, plain.missing.length > 0);
    // This machine has no podman: the real check must say so.
    const hasPodman = (() => {
      try {
        execFileSync('podman', ['--version'], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    })();
    assert.equal(plain.missing.some((m) => m.kind === 'podman'), !hasPodman);
  });
});

describe('artifact results', () => {
  test('outcome compares hashes, never an exit code', () => {
    const h = 'c'.repeat(64);
    assert.equal(outcomeOf(h, h, [{ sha256: h }, { sha256: h.toUpperCase() }]), 'match');
    assert.equal(outcomeOf(h, h, [{ sha256: 'd'.repeat(64) }]), 'mismatch');
    assert.equal(outcomeOf(h, 'd'.repeat(64), []), 'mismatch');
    assert.equal(outcomeOf(h, null, []), 'not-compared');
    const r = toArtifactResult(
      { os: 'setupos', name: 'setupos/disk-img.tar.zst', path: '/x', repoPath: 'x', sha256: h, size: 3 },
      { proposalSha256: null, cdn: [{ mirror: 'download.dfinity.systems', sha256: h }] },
    );
    assert.deepEqual(r, {
      name: 'setupos/disk-img.tar.zst',
      sha256: h,
      size: 3,
      proposalSha256: null,
      cdn: [{ mirror: 'download.dfinity.systems', sha256: h }],
      outcome: 'match',
      manifestRoot: null,
      manifest: null,
    });
  });
});
