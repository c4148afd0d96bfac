/** `doctor` (issue 15): a faked environment for each catalogued cause, through the pure core and the CLI. */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diagnoseMachine } from '../../attestor/doctor/index.js';
import type { EnvironmentV2 } from '../../protocol/environment.js';
import { sampleEnvironmentV2 } from '../fixtures/environment.js';
import { isolatedEnv, runCli } from '../cli/helpers.js';

const COMMIT = 'a'.repeat(40);
const GiB = 2 ** 30;
const base = sampleEnvironmentV2(COMMIT);
const c = base.container!;
const dir = mkdtempSync(join(tmpdir(), 'icos-doctor-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const CASES: [string, Partial<EnvironmentV2>, RegExp][] = [
  ['script-not-at-commit', { files: [{ path: 'ci/container/container-run.sh', sha256: 'd'.repeat(64), atCommit: false }] }, /use the file at the commit: `ci\/container\/container-run\.sh`/],
  ['tmpfs-off', { dirs: [{ role: 'container:/var/sysimage', fsType: 'overlay', blockSize: 4096, tmpfs: false }] }, /keep the tmpfs the commit's container script mounts at `\/var\/sysimage`/],
  ['filesystem', { dirs: [{ role: 'repo', fsType: 'xfs', blockSize: 512, tmpfs: false }] }, /4096-byte blocks/],
  ['non-release', { release: false }, /without `--no-release`/],
  ['dirty-tree', { git: { commit: COMMIT, clean: false } }, /clean checkout/],
  ['podman-too-old', { container: { ...c, version: '3.4.4' } }, /podman ≥ 4\.0/],
  ['container-engine', { container: { ...c, rootful: false } }, /rootful `sudo podman`/],
  ['unpinned-image', { container: { ...c, imagePinned: false } }, /CONTAINER_RUN_ALLOW_UNPINNED/],
  ['low-ram-wsl', { wsl: true, memoryBytes: 16 * GiB }, /≥ 24 GiB/],
  ['low-ram', { memoryBytes: 8 * GiB }, /≥ 16 GiB RAM/],
  ['low-disk', { diskFreeBytes: 40 * GiB }, /≥ 100 GiB/],
  ['not-x86_64', { arch: 'aarch64' }, /x86_64/],
  ['no-podman', { container: null }, /install podman/],
  ['user-container-conf', { container: { ...c, userConfig: true } }, /move ~\/\.container-run\.conf aside/],
];

describe('doctor: one faked environment per catalogued cause', () => {
  it('a good machine: ok, nothing found', () => {
    const r = diagnoseMachine(base);
    assert.deepEqual(r.findings, []);
    assert.equal(r.ok, true);
  });

  for (const [cause, over, fix] of CASES) {
    it(`${cause}: found alone, with its fix`, () => {
      const r = diagnoseMachine({ ...base, ...over });
      assert.equal(r.ok, false);
      assert.deepEqual(r.findings.map((f) => f.cause), [cause]);
      assert.match(r.findings[0].fix, fix);
      assert.ok(r.findings[0].evidence.length > 0);
    });
  }

  it('tmpfs off on a 16 GiB WSL machine: one cause, and the fix says to give the VM more memory', () => {
    const r = diagnoseMachine({ ...base, wsl: true, memoryBytes: 16 * GiB, dirs: [{ role: 'container:/var/sysimage', fsType: 'overlay', blockSize: 4096, tmpfs: false }] });
    assert.deepEqual(r.findings.map((f) => f.cause), ['tmpfs-off', 'low-ram-wsl']);
    assert.match(r.findings[0].fix, /keep the tmpfs.*on WSL give the VM ≥ 24 GiB/);
  });

  it('the CLI: --facts with a faked environment exits 1 and prints the fix; a good one exits 0', async () => {
    const home = mkdtempSync(join(dir, 'home-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ environment: { ...base, wsl: true, memoryBytes: 16 * GiB, dirs: [{ role: 'container:/var/sysimage', fsType: 'overlay', blockSize: 4096, tmpfs: false }] } }));
    const r = await runCli(['doctor', '--facts', bad], { env: isolatedEnv(home) });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /DIFFERS {2}the tmpfs the commit's container script mounts was not a tmpfs: `\/var\/sysimage` was overlay/);
    assert.match(r.stdout, /fix: keep the tmpfs/);
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(base));
    const j = await runCli(['doctor', '--facts', good, '--json'], { env: isolatedEnv(home) });
    assert.equal(j.code, 0, j.stderr);
    const parsed = JSON.parse(j.stdout);
    assert.equal(parsed.schema, 'icos-attest/doctor/v1');
    assert.equal(parsed.ok, true);
    const missing = await runCli(['doctor', '--facts', join(dir, 'nope.json')], { env: isolatedEnv(home) });
    assert.equal(missing.code, 2);
  });
});
