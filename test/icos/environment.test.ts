import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { arch, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { collectEnvironment, probeTempDir } from '../../attestor/icos/environment/collect.js';
import {
  detectWsl,
  fsTypeName,
  isTmpfs,
  parseOsRelease,
  parseStatF,
  parseToolVersion,
  unameArch,
} from '../../attestor/icos/environment/probes.js';
import { sha256File } from '../../attestor/hash/sha256-file.js';
import { generateIcRepo } from '../../demo/ic-repo.js';

describe('environment probes (pure)', () => {
  test('os-release', () => {
    assert.deepEqual(parseOsRelease('NAME="Ubuntu"\nVERSION_ID="22.04"\nID=ubuntu\n'), { name: 'Ubuntu', version: '22.04' });
    assert.deepEqual(parseOsRelease('ID=arch\nBUILD_ID=rolling\n'), { name: 'arch', version: 'rolling' });
    assert.deepEqual(parseOsRelease(null), { name: 'unknown', version: 'unknown' });
  });

  test('WSL from /proc/version or its variables', () => {
    assert.equal(detectWsl('Linux version 5.15.153.1-microsoft-standard-WSL2 (root@…)', {}), true);
    assert.equal(detectWsl('Linux version 6.8.0-45-generic (buildd@lcy02)', {}), false);
    assert.equal(detectWsl(null, { WSL_DISTRO_NAME: 'Ubuntu' }), true);
  });

  test('tool versions, stat -f, fs magic, arch', () => {
    assert.equal(parseToolVersion('podman version 4.9.3\n'), '4.9.3');
    assert.equal(parseToolVersion('Docker version 24.0.5, build ced0996\n'), '24.0.5');
    assert.deepEqual(parseStatF('tmpfs 4096\n'), { fsType: 'tmpfs', blockSize: 4096 });
    assert.equal(parseStatF('garbage'), null);
    assert.equal(fsTypeName(0x01021994), 'tmpfs');
    assert.equal(isTmpfs('tmpfs'), true);
    assert.equal(isTmpfs('ext2/ext3'), false);
    assert.equal(unameArch('x64'), 'x86_64');
  });
});

describe('collectEnvironment on this machine', () => {
  test('fields present and sane', async (t) => {
    const base = mkdtempSync(join(tmpdir(), 'icos-env-'));
    const fx = generateIcRepo(base);
    t.after(() => rmSync(base, { recursive: true, force: true }));
    const env = await collectEnvironment({
      repoDir: fx.repoDir,
      tempDirs: [tmpdir(), join(tmpdir(), 'does-not-exist-yet', 'x')],
      script: 'ci/container/build-ic.sh',
      commandLine: ['./ci/container/build-ic.sh', '--icos'],
      release: true,
    });
    assert.ok(env.os.name.length > 0 && env.os.name !== 'unknown', 'this machine has /etc/os-release');
    assert.ok(env.kernel.length > 0);
    assert.equal(env.arch, unameArch(arch()));
    assert.equal(env.cpus, cpus().length);
    assert.ok(env.memoryBytes > 0);
    assert.ok(env.diskFreeBytes > 0);
    assert.equal(typeof env.wsl, 'boolean');
    assert.ok(env.podman === null || /^\d/.test(env.podman));
    assert.ok(env.docker === null || env.docker.length > 0);
    // The fixture's container-run.sh uses `sudo podman`: rootful.
    assert.equal(env.rootful, true);
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: fx.repoDir, encoding: 'utf8' }).trim();
    assert.deepEqual(env.git, { commit: head, clean: true });
    const h = await sha256File(join(fx.repoDir, 'ci/container/build-ic.sh'));
    assert.deepEqual(env.script, { path: 'ci/container/build-ic.sh', sha256: h.ok ? h.sha256 : 'x' });
    assert.deepEqual(env.commandLine, ['./ci/container/build-ic.sh', '--icos']);
    assert.equal(env.release, true);
    // Both temp dirs live on the same filesystem here: the missing one is probed at its nearest parent, once.
    assert.ok(env.tempDirs.length >= 1);
    for (const t of env.tempDirs) {
      assert.ok(t.blockSize > 0 && t.fsType.length > 0);
      assert.equal(t.tmpfs, isTmpfs(t.fsType));
    }
    const own = await probeTempDir(tmpdir());
    assert.deepEqual(env.tempDirs[0], own);
    assert.deepEqual(JSON.parse(JSON.stringify(env)), env, 'plain JSON');
  });

  test('no repo, nothing built: tolerant, never throws', async () => {
    const env = await collectEnvironment({ repoDir: null, script: null, commandLine: [], release: true, commit: 'f'.repeat(40) });
    assert.equal(env.script, null);
    assert.deepEqual(env.git, { commit: 'f'.repeat(40), clean: false });
    assert.ok(env.tempDirs.length >= 1);
  });
});
