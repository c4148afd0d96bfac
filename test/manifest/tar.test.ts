import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createReadStream, readFileSync, symlinkSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import tarStream from 'tar-stream';
import { computeManifest } from '../../attestor/manifest/index.js';
import { gnuTar, pseudoRandom, sha256hex, tempDir, writeFiles, cleanupTempDirs } from './fixtures.js';

after(cleanupTempDirs);

/** Reference listing from tar-stream (plain formats only). */
async function oracle(tarPath: string): Promise<{ name: string; size: number; sha256: string; type: string }[]> {
  const out: { name: string; size: number; sha256: string; type: string }[] = [];
  const ex = tarStream.extract();
  const done = (async () => {
    for await (const entry of ex) {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      out.push({ name: entry.header.name, size: entry.header.size ?? 0, sha256: sha256hex(Buffer.concat(chunks)), type: entry.header.type ?? '' });
    }
  })();
  createReadStream(tarPath).pipe(ex);
  await done;
  return out;
}

const sparseFile = (size: number, at: number[]) => ({ size, chunks: at.map((o, i) => [o, pseudoRandom(4096, 100 + i)] as [number, Uint8Array]) });

describe('tar reader', () => {
  it('lists the same members, sizes and digests as tar-stream (ustar, GNU long names, PAX, dirs, links)', async () => {
    const dir = tempDir();
    const src = join(dir, 'src');
    const long = 'a-very-long-directory-name-that-goes-on-and-on/'.repeat(3) + 'file-with-a-long-name.bin';
    mkdirSync(join(src, long.slice(0, long.lastIndexOf('/'))), { recursive: true });
    writeFiles(src, { 'small.txt': new TextEncoder().encode('hello\n'), 'zero.bin': new Uint8Array(0), [long]: pseudoRandom(3000, 9), 'ünïcödé.txt': pseudoRandom(700, 8) });
    symlinkSync('small.txt', join(src, 'link'));
    for (const format of ['gnu', 'pax', 'ustar']) {
      const tar = join(dir, `${format}.tar`);
      const names = format === 'ustar' ? ['small.txt', 'zero.bin', 'link', long] : ['.'];
      if (format === 'ustar') execFileSync('tar', ['--sort=name', '--owner=root:0', '--group=root:0', '--mtime=UTC 1970-01-01', '--format=ustar', '-cf', tar, '-C', src, ...names]);
      else gnuTar(src, names, tar, [`--format=${format}`]);
      const m = await computeManifest(tar);
      const ref = await oracle(tar);
      assert.deepEqual(m.notes, []);
      assert.equal(m.entries.length, ref.length, format);
      for (const [i, r] of ref.entries()) {
        const e = m.entries[i];
        assert.equal(e.path, r.name, `${format} name`);
        const kind = r.type === 'directory' ? 'dir' : r.type === 'symlink' ? 'symlink' : 'file';
        assert.equal(e.kind, kind);
        if (kind === 'file') {
          assert.equal(e.size, r.size, `${format} ${r.name} size`);
          assert.equal(e.sha256, r.sha256, `${format} ${r.name} sha256`);
        }
        assert.match(e.detail!, /^mode=0[0-7]{3} owner=0:0 mtime=0/);
      }
      const link = m.entries.find((e) => e.kind === 'symlink')!;
      assert.match(link.detail!, /link=small\.txt$/);
      assert.equal(link.sha256, sha256hex('small.txt'));
    }
  });

  for (const variant of [
    { label: 'GNU sparse (type S with extension headers)', args: [] as string[] },
    { label: 'PAX sparse 0.0', args: ['--format=pax', '--sparse-version=0.0'] },
    { label: 'PAX sparse 0.1', args: ['--format=pax', '--sparse-version=0.1'] },
    { label: 'PAX sparse 1.0', args: ['--format=pax', '--sparse-version=1.0'] },
  ]) {
    it(`hashes the expanded content of ${variant.label}, as sha256sum of the extracted file`, async () => {
      const dir = tempDir();
      const src = join(dir, 'src');
      // 12 data regions: more than the 4 of an old-GNU header, so extension blocks are needed.
      const at = Array.from({ length: 12 }, (_, i) => i * 256 * 1024 + (i % 3) * 8192);
      writeFiles(src, { 'root.img': sparseFile(4 << 20, at), 'after.txt': new TextEncoder().encode('after\n') });
      const tar = join(dir, 'x.tar');
      gnuTar(src, ['root.img', 'after.txt'], tar, variant.args);
      const listing = execFileSync('tar', ['-tvf', tar]).toString();
      assert.match(listing, /root\.img/);
      if (variant.args.length === 0) assert.equal(readFileSync(tar)[156], 'S'.charCodeAt(0), 'GNU tar wrote an old-GNU sparse member');
      const m = await computeManifest(tar);
      assert.deepEqual(m.notes, []);
      assert.deepEqual(m.entries.map((e) => e.path), ['root.img', 'after.txt'], 'real names, and the member after the sparse one is aligned');
      const root = m.entries[0];
      assert.equal(root.size, 4 << 20);
      assert.equal(root.sha256, sha256hex(readFileSync(join(src, 'root.img'))));
      assert.match(root.detail!, / sparse=[0-9a-f]{16}$/);
      assert.equal(m.entries[1].sha256, sha256hex('after\n'));
    });
  }

  it('gives the same content digest but a different hole map when only the holes differ', async () => {
    const dir = tempDir();
    const a = join(dir, 'a');
    // The same file stored sparse (holes recorded) and plain (zeros stored).
    writeFiles(a, { 'root.img': sparseFile(1 << 20, [0, 512 * 1024]) });
    gnuTar(a, ['root.img'], join(dir, 'a.tar'));
    execFileSync('tar', ['--sort=name', '--owner=root:0', '--group=root:0', '--mtime=UTC 1970-01-01', '-cf', join(dir, 'c.tar'), '-C', a, 'root.img']);
    const ma = await computeManifest(join(dir, 'a.tar'));
    const mc = await computeManifest(join(dir, 'c.tar'));
    assert.equal(ma.entries[0].sha256, mc.entries[0].sha256, 'same expanded content');
    assert.notEqual(ma.entries[0].detail, mc.entries[0].detail, 'sparse vs non-sparse member');
    assert.ok(!mc.entries[0].detail!.includes('sparse='));
  });

  it('reports a corrupt member as a note and never throws past the pass', async () => {
    const dir = tempDir();
    const src = join(dir, 'src');
    writeFiles(src, { 'a.bin': pseudoRandom(2048, 1), 'b.bin': pseudoRandom(2048, 2) });
    const tar = join(dir, 'x.tar');
    gnuTar(src, ['a.bin', 'b.bin'], tar);
    const bytes = readFileSync(tar);
    bytes[512 + 2048 + 10] ^= 0xff; // second header's name: checksum now wrong
    const broken = join(dir, 'broken.tar');
    writeFiles(dir, { 'broken.tar': bytes });
    const m = await computeManifest(broken);
    assert.equal(m.sha256, sha256hex(bytes));
    assert.equal(m.notes.length, 1);
    assert.match(m.notes[0], /checksum/);
  });
});
