import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computeManifest } from '../../attestor/manifest/index.js';
import { diagnoseDivergence, separationScore } from '../../protocol/diagnosis.js';
import { boundManifest } from '../../protocol/manifest.js';
import type { ManifestEntry, Statement } from '../../protocol/types.js';
import { diskImage, environment, statementWith, tempDir, cleanupTempDirs } from './fixtures.js';

after(cleanupTempDirs);

const GiB = 2 ** 30;
const NAME = 'setupos/disk-img.tar.zst';

async function manifestOf(changed?: string) {
  const m = await computeManifest(diskImage(tempDir(), changed));
  return { sha256: m.sha256, root: m.root, entries: boundManifest(m.entries, 16 * 1024).entries };
}

describe('diagnoseDivergence', () => {
  it('3 match, 2 diverge: names the divergent partition, and tmpfs and the script hash first', async () => {
    const good = await manifestOf();
    const bad = await manifestOf('config');
    const reviewer = (m: typeof good, env: Parameters<typeof environment>[0]): Statement =>
      statementWith({ name: NAME, sha256: m.sha256, manifest: m.entries, manifestRoot: m.root, env });
    const reference = [
      reviewer(good, { memoryBytes: 31.3 * GiB, kernel: '6.8.0-45-generic', cpus: 16 }),
      reviewer(good, { memoryBytes: 62.7 * GiB, kernel: '6.5.0-1-generic', cpus: 32 }),
      reviewer(good, { memoryBytes: 125 * GiB, kernel: '6.8.0-45-generic', cpus: 8 }),
    ];
    const slowTmp = [{ path: '/var/sysimage', fsType: 'ext4', blockSize: 4096, tmpfs: false }];
    const divergent = [
      reviewer(bad, { memoryBytes: 15.6 * GiB, kernel: '5.15.0-1-microsoft', cpus: 8, tempDirs: slowTmp, script: { path: 'ci/container/build-ic.sh', sha256: 'd'.repeat(64) } }),
      reviewer(bad, { memoryBytes: 62.7 * GiB, kernel: '6.1.0-2-amd64', cpus: 16, tempDirs: slowTmp, script: { path: 'ci/container/build-ic.sh', sha256: 'd'.repeat(64) } }),
    ];
    const d = diagnoseDivergence({ statements: reference }, { statements: divergent }, NAME);

    assert.deepEqual(d.firstDivergent, ['disk.img', 'config']);
    assert.equal(d.firstDivergentDisplay, 'disk-img.tar.zst › disk.img › config');
    assert.deepEqual(d.differing.map((x) => x.path.join('/')), ['disk.img', 'disk.img/config']);
    assert.match(d.manifestNote, /disk\.img › config differs first/);
    assert.equal(d.referenceCount, 3);
    assert.equal(d.divergentCount, 2);

    const fields = d.factors.map((f) => f.field);
    const TMPFS = 'dirs[host:/var/sysimage].tmpfs';
    const SCRIPT = 'files[ci/container/build-ic.sh].sha256';
    assert.deepEqual(new Set(fields.slice(0, 2)), new Set([SCRIPT, TMPFS]), fields.join(', '));
    const tmpfs = d.factors.find((f) => f.field === TMPFS)!;
    assert.deepEqual(tmpfs.reference, ['true']);
    assert.deepEqual(tmpfs.divergent, ['false']);
    assert.equal(tmpfs.score, 1);
    assert.match(tmpfs.explanation, /known cause 3/);
    assert.match(d.factors.find((f) => f.field === SCRIPT)!.explanation, /known causes 1-2/);
    // v1 records cannot say whether the script is the commit's: the causes come from comparison, naming both reviewers.
    assert.deepEqual(d.causes.map((c) => [c.cause, c.reviewers, c.basis]), [
      ['script-not-at-commit', ['reviewer 1', 'reviewer 2'], 'comparison'],
      ['tmpfs-off', ['reviewer 1', 'reviewer 2'], 'comparison'],
    ]);
    assert.match(d.causes[0].fix, /use the file at the commit: `ci\/container\/build-ic\.sh`/);
    assert.match(d.causes[1].fix, /keep the tmpfs/);
    assert.match(d.causes[1].fix, /on WSL|^(?!.*WSL)/, 'WSL advice only for WSL reviewers');
    // Explained by catalogued causes: host-only facts (RAM, kernel) are not offered as factors.
    assert.ok(!fields.includes('memoryBytes') && !fields.includes('kernel'), fields.join(', '));
    const fsType = d.factors.find((f) => f.field === 'dirs[host:/var/sysimage].fsType')!;
    assert.ok(fsType.score === 1, 'fsType separates too (tmpfs vs ext4)');
    const kernel = d.factors.find((f) => f.field === 'kernel');
    assert.ok(!kernel || kernel.score < tmpfs.score);
    assert.ok(!fields.includes('cpus'), 'cpus values occur in both groups: no separation');
    assert.ok(!fields.includes('podman'), 'identical everywhere');
    for (let i = 1; i < d.factors.length; i++) assert.ok(d.factors[i - 1].score >= d.factors[i].score, 'ranked');
  });

  it('explains a hole-map-only difference (same content) as the temp filesystem', () => {
    const e = (sparse: string): ManifestEntry[] => [
      { path: 'root.img', kind: 'file', size: 10, sha256: 'a'.repeat(64), detail: `mode=0644 owner=0:0 mtime=0 sparse=${sparse}` },
    ];
    const ref = [statementWith({ manifest: e('1111222233334444') })];
    const div = [statementWith({ sha256: '2'.repeat(64), manifest: e('5555666677778888'), env: { tempDirs: [{ path: '/tmp', fsType: 'ext4', blockSize: 1024, tmpfs: false }] } })];
    const d = diagnoseDivergence({ statements: ref }, { statements: div }, 'guestos/update-img.tar.zst');
    assert.deepEqual(d.firstDivergent, ['root.img']);
    assert.match(d.manifestNote, /same content but a different sparse hole map.*known cause 3/);
    assert.match(d.manifestNote, /In all, 1 entry differs: sparse layout only\.$/);
    assert.deepEqual(d.causes.map((c) => [c.cause, c.basis]), [['filesystem', 'fact']], 'the block size is a fact of the record; sparse layout is its symptom');
    assert.deepEqual(d.causes[0].evidence, ['`tmp` is ext4 with 1024-byte blocks']);
    assert.ok(d.factors.some((f) => f.field === 'dirs[tmp].blockSize'), d.factors.map((f) => f.field).join(', '));
  });

  it('says when every component is equal (container-level) and when there is no manifest', () => {
    const m: ManifestEntry[] = [{ path: 'a', kind: 'file', size: 1, sha256: 'a'.repeat(64) }];
    const same = diagnoseDivergence({ statements: [statementWith({ manifest: m })] }, { statements: [statementWith({ sha256: '3'.repeat(64), manifest: m })] }, 'guestos/update-img.tar.zst');
    assert.equal(same.firstDivergent, null);
    assert.match(same.manifestNote, /container itself.*known cause 5/);
    assert.deepEqual(same.factors, [], 'identical environments: nothing separates the groups');

    const none = diagnoseDivergence({ statements: [statementWith({})] }, { statements: [statementWith({ manifest: m })] }, 'guestos/update-img.tar.zst');
    assert.equal(none.firstDivergent, null);
    assert.match(none.manifestNote, /No manifest in the reference group/);
  });

  it('uses the manifest most of a group agrees on', () => {
    const entry = (c: string): ManifestEntry[] => [{ path: 'root.img', kind: 'file', size: 1, sha256: c.repeat(64) }, { path: 'boot.img', kind: 'file', size: 1, sha256: 'f'.repeat(64) }];
    const odd: ManifestEntry[] = [{ path: 'root.img', kind: 'file', size: 1, sha256: 'a'.repeat(64) }, { path: 'boot.img', kind: 'file', size: 1, sha256: 'e'.repeat(64) }];
    const ref = [statementWith({ manifest: odd, manifestRoot: '1'.repeat(64) }), statementWith({ manifest: entry('a'), manifestRoot: '2'.repeat(64) }), statementWith({ manifest: entry('a'), manifestRoot: '2'.repeat(64) })];
    const div = [statementWith({ sha256: '9'.repeat(64), manifest: entry('b') })];
    const d = diagnoseDivergence({ statements: ref }, { statements: div }, 'guestos/update-img.tar.zst');
    assert.deepEqual(d.differing.map((x) => x.path[0]), ['root.img']);
  });
});

describe('separationScore', () => {
  it('is 1 for a clean split with uniform groups, lower for per-member values, ~0 for none', () => {
    assert.equal(separationScore(['true', 'true', 'true'], ['false', 'false']), 1);
    const unique = separationScore(['16', '32', '64'], ['8', '128']);
    assert.ok(unique < 0.8 && unique > 0.5, String(unique));
    const partial = separationScore(['true', 'true', 'false'], ['false', 'false']);
    assert.ok(partial < unique, String(partial));
    assert.ok(separationScore(['x', 'x'], ['x']) <= 0.1);
  });
});
