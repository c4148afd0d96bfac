import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeManifest, hasZstdBinary, ManifestError } from '../../attestor/manifest/index.js';
import { diffManifests, manifestRoot, OUTSIDE_PARTITIONS } from '../../protocol/manifest.js';
import {
  diskImage,
  gnuTar,
  gptDisk,
  pseudoRandom,
  sha256hex,
  tempDir,
  TYPE_ESP,
  updateImage,
  writeFiles,
  zstdCompress,
  cleanupTempDirs,
} from './fixtures.js';

after(cleanupTempDirs);

describe('computeManifest: update-img.tar.zst', () => {
  it('hashes the file and every member in one pass, with either zstd decompressor', async () => {
    assert.ok(hasZstdBinary(), 'the Debian zstd binary is expected on this machine');
    const dir = tempDir();
    const art = updateImage(dir);
    const progress: number[] = [];
    const bin = await computeManifest(art, { zstd: 'binary', onProgress: (p) => progress.push(p.bytesRead) });
    const js = await computeManifest(art, { zstd: 'js' });
    assert.equal(bin.decompressor, 'zstd-binary');
    assert.equal(js.decompressor, 'fzstd');
    assert.equal(bin.sha256, sha256hex(readFileSync(art)));
    assert.equal(bin.size, readFileSync(art).length);
    assert.equal(bin.compression, 'zstd');
    assert.equal(bin.contentSize, readFileSync(join(dir, 'update-img.tar')).length);
    assert.deepEqual(bin.entries.map((e) => e.path), ['boot.img', 'root.img', 'version.txt']);
    for (const e of bin.entries) assert.equal(e.sha256, sha256hex(readFileSync(join(dir, 'src', e.path))), e.path);
    assert.deepEqual(js.entries, bin.entries);
    assert.equal(bin.root, manifestRoot(bin.entries));
    assert.equal(js.root, bin.root);
    assert.equal(progress[progress.length - 1], bin.size, 'final progress report covers the file');
  });

  it('names the one member that differs between two builds', async () => {
    const a = await computeManifest(updateImage(tempDir()));
    const b = await computeManifest(updateImage(tempDir(), { rootSeed: 77 }));
    assert.notEqual(a.sha256, b.sha256);
    const d = diffManifests(a.entries, b.entries);
    assert.deepEqual(d.firstDivergent, ['root.img']);
    assert.deepEqual(d.differing.map((x) => x.path), [['root.img']]);
  });

  it('reads gzip (2022-era .tar.gz) and plain tars alike', async () => {
    const dir = tempDir();
    updateImage(dir);
    execFileSync('gzip', ['-k', '-n', join(dir, 'update-img.tar')]);
    const gz = await computeManifest(join(dir, 'update-img.tar.gz'));
    const plain = await computeManifest(join(dir, 'update-img.tar'));
    const zst = await computeManifest(join(dir, 'update-img.tar.zst'));
    assert.equal(gz.compression, 'gzip');
    assert.equal(plain.compression, 'none');
    assert.equal(gz.root, zst.root);
    assert.equal(plain.root, zst.root);
  });

  it('fails with a typed error on a corrupt zstd stream and on a missing file', async () => {
    const dir = tempDir();
    const art = updateImage(dir);
    const bytes = readFileSync(art);
    const cut = join(dir, 'cut.tar.zst');
    writeFileSync(cut, bytes.subarray(0, bytes.length >> 1));
    for (const zstd of ['binary', 'js'] as const) {
      await assert.rejects(computeManifest(cut, { zstd }), (e: unknown) => e instanceof ManifestError && e.kind === 'decompress-failed');
    }
    await assert.rejects(computeManifest(join(dir, 'nope.tar.zst')), (e: unknown) => e instanceof ManifestError && e.kind === 'not-found');
  });
});

describe('computeManifest: GPT disk images', () => {
  it('lists each partition of disk.img (name, type GUID, offset, size, sha256) and the bytes outside them', async () => {
    const dir = tempDir();
    const art = diskImage(dir);
    const m = await computeManifest(art);
    assert.deepEqual(m.notes, []);
    assert.equal(m.entries.length, 1);
    const diskEntry = m.entries[0];
    assert.equal(diskEntry.path, 'disk.img');
    assert.equal(diskEntry.sha256, sha256hex(readFileSync(join(dir, 'src', 'disk.img'))));
    const parts = diskEntry.children!;
    assert.deepEqual(parts.map((p) => p.path), ['esp', 'grub', 'config', 'data', OUTSIDE_PARTITIONS]);
    assert.deepEqual(parts.map((p) => p.kind), ['partition', 'partition', 'partition', 'partition', 'other']);
    assert.equal(parts[0].sha256, sha256hex(pseudoRandom(40 * 1024, 11)));
    assert.equal(parts[3].sha256, sha256hex(pseudoRandom(30 * 1024, 14)));
    assert.equal(parts[0].detail, `type=${TYPE_ESP} guid=AAAAAAAA-0000-0000-0000-000000000001 off=${64 * 512}`);
    const total = parts.reduce((n, p) => n + p.size, 0);
    assert.equal(total, diskEntry.size, 'partitions and the outside cover every byte once');
  });

  it('names the one partition that differs', async () => {
    const a = await computeManifest(diskImage(tempDir()));
    const b = await computeManifest(diskImage(tempDir(), 'config'));
    const d = diffManifests(a.entries, b.entries);
    assert.deepEqual(d.firstDivergent, ['disk.img', 'config']);
    assert.deepEqual(d.differing.map((x) => x.path.join(' › ')), ['disk.img', 'disk.img › config']);
  });

  it('opens a tar inside a partition, and stops at maxDepth', async () => {
    const dir = tempDir();
    const inner = join(dir, 'inner');
    writeFiles(inner, { 'guestos.bin': pseudoRandom(5000, 5), 'VERSION.TXT': new TextEncoder().encode('v1\n') });
    const innerTar = join(dir, 'inner.tar');
    gnuTar(inner, ['VERSION.TXT', 'guestos.bin'], innerTar);
    const disk = gptDisk([
      { name: 'esp', data: pseudoRandom(8192, 1) },
      { name: 'data', data: readFileSync(innerTar), sectors: 64 },
      { name: 'data', data: pseudoRandom(4096, 2) },
      { name: '', data: pseudoRandom(4096, 3) },
    ]);
    writeFiles(join(dir, 'src'), { 'disk.img': disk });
    gnuTar(join(dir, 'src'), ['disk.img'], join(dir, 'disk-img.tar'));
    zstdCompress(join(dir, 'disk-img.tar'), join(dir, 'disk-img.tar.zst'));

    const m = await computeManifest(join(dir, 'disk-img.tar.zst'));
    const parts = m.entries[0].children!;
    assert.deepEqual(parts.map((p) => p.path), ['esp', 'data#2', 'data#3', '#4', OUTSIDE_PARTITIONS], 'duplicate and empty names get entry numbers');
    assert.deepEqual(parts[1].children!.map((c) => [c.path, c.sha256]), [
      ['VERSION.TXT', sha256hex('v1\n')],
      ['guestos.bin', sha256hex(pseudoRandom(5000, 5))],
    ]);
    const shallow = await computeManifest(join(dir, 'disk-img.tar.zst'), { maxDepth: 2 });
    assert.equal(shallow.entries[0].children![1].children, undefined, 'level 3 not opened at maxDepth 2');
    assert.equal(shallow.entries[0].children![1].sha256, parts[1].sha256, 'but still hashed');
    const flat = await computeManifest(join(dir, 'disk-img.tar.zst'), { maxDepth: 1 });
    assert.equal(flat.entries[0].children, undefined);
  });

  it('leaves a disk with a broken partition table unopened (hashed, no children)', async () => {
    const dir = tempDir();
    const disk = gptDisk([{ name: 'a', data: pseudoRandom(4096, 1) }]);
    disk[2 * 512 + 100] ^= 1; // partition table byte: table CRC no longer matches
    writeFiles(join(dir, 'src'), { 'disk.img': disk });
    gnuTar(join(dir, 'src'), ['disk.img'], join(dir, 'd.tar'));
    const m = await computeManifest(join(dir, 'd.tar'));
    assert.equal(m.entries[0].sha256, sha256hex(disk));
    assert.equal(m.entries[0].children, undefined);
    assert.match(m.notes.join('\n'), /disk\.img: GPT partition table CRC mismatch/);
  });

  it('caps entries per level with a summary entry', async () => {
    const dir = tempDir();
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < 12; i++) files[`f${String(i).padStart(2, '0')}`] = pseudoRandom(100, i + 1);
    writeFiles(join(dir, 'src'), files);
    gnuTar(join(dir, 'src'), Object.keys(files), join(dir, 'many.tar'));
    const m = await computeManifest(join(dir, 'many.tar'), { maxEntriesPerLevel: 10 });
    assert.equal(m.entries.length, 11);
    assert.equal(m.entries[10].path, '(2 more entries)');
    assert.equal(m.entries[10].truncated, true);
    assert.equal(m.entries[10].size, 200);
  });
});

describe('computeManifest: more shapes', () => {
  it('reads a GPT disk with 4096-byte sectors', async () => {
    const dir = tempDir();
    const disk = gptDisk([{ name: 'A_boot', data: pseudoRandom(8192, 1) }, { name: 'A_root', data: pseudoRandom(12288, 2) }], undefined, 4096);
    writeFiles(join(dir, 'src'), { 'disk.img': disk });
    gnuTar(join(dir, 'src'), ['disk.img'], join(dir, 'd.tar'));
    const m = await computeManifest(join(dir, 'd.tar'));
    const parts = m.entries[0].children!;
    assert.deepEqual(parts.map((p) => [p.path, p.size]), [['A_boot', 8192], ['A_root', 12288], [OUTSIDE_PARTITIONS, disk.length - 8192 - 12288]]);
    assert.equal(parts[1].sha256, sha256hex(pseudoRandom(12288, 2)));
    assert.match(parts[0].detail!, new RegExp(`off=${64 * 4096}$`));
  });

  it('opens a zstd-compressed tar inside a tar (fzstd, in-process)', async () => {
    const dir = tempDir();
    const inner = join(dir, 'inner');
    writeFiles(inner, { 'a.bin': pseudoRandom(3000, 1), 'b.bin': pseudoRandom(3000, 2) });
    gnuTar(inner, ['a.bin', 'b.bin'], join(dir, 'inner.tar'));
    const outer = join(dir, 'outer');
    writeFiles(outer, {});
    zstdCompress(join(dir, 'inner.tar'), join(outer, 'guest-os.img.tar.zst'));
    gnuTar(outer, ['guest-os.img.tar.zst'], join(dir, 'outer.tar'));
    const m = await computeManifest(join(dir, 'outer.tar'));
    const member = m.entries[0];
    assert.equal(member.sha256, sha256hex(readFileSync(join(outer, 'guest-os.img.tar.zst'))), 'the member is hashed as stored (compressed)');
    assert.deepEqual(member.children!.map((c) => [c.path, c.sha256]), [
      ['a.bin', sha256hex(pseudoRandom(3000, 1))],
      ['b.bin', sha256hex(pseudoRandom(3000, 2))],
    ]);
  });
});
