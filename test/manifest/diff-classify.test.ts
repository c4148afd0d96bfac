/**
 * `diff` classifies each differing entry (issue 15): GNU tar + zstd images that differ in mtime
 * only, mode only, sparse layout only (the same bytes stored dense vs sparse), and content.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { diffInputs, formatDiff } from '../../attestor/diff/index.js';
import { cleanupTempDirs, gnuTar, pseudoRandom, tempDir, writeFiles, zstdCompress } from './fixtures.js';

after(cleanupTempDirs);

/** A small sparse root.img and a version.txt, packed the IC-OS way unless told otherwise. */
function image(opts: { tarArgs?: string[]; dense?: boolean; version?: string } = {}): string {
  const dir = tempDir('icos-classify-');
  const src = join(dir, 'src');
  writeFiles(src, {
    'root.img': { size: 1 << 20, chunks: [[0, pseudoRandom(8192, 2)], [512 * 1024, pseudoRandom(4096, 3)]] },
    'version.txt': new TextEncoder().encode(opts.version ?? 'v1\n'),
  });
  const tar = join(dir, 'update-img.tar');
  if (opts.dense) {
    // The same settings without --sparse: root.img's holes are stored as zero bytes.
    execFileSync('tar', ['--sort=name', '--owner=root:0', '--group=root:0', '--mtime=UTC 1970-01-01', '-cf', tar, '-C', src, 'root.img', 'version.txt']);
  } else {
    gnuTar(src, ['root.img', 'version.txt'], tar, opts.tarArgs ?? []);
  }
  const out = join(dir, 'update-img.tar.zst');
  zstdCompress(tar, out);
  return out;
}

async function classify(b: string) {
  const r = await diffInputs(image(), b);
  assert.equal(r.identical, false);
  const [x] = r.artifacts;
  assert.equal(x.status, 'different');
  return { x, text: formatDiff(r) };
}

describe('diff classifies what differs', () => {
  it('identical packing: nothing to classify', async () => {
    const r = await diffInputs(image(), image());
    assert.equal(r.identical, true);
    assert.equal(r.artifacts[0].summary, '');
  });

  it('mtime only', async () => {
    const { x, text } = await classify(image({ tarArgs: ['--mtime=@1700000000'] }));
    assert.deepEqual(x.differing.map((d) => [d.path.join('/'), d.class]), [['root.img', 'timestamp'], ['version.txt', 'timestamp']]);
    assert.equal(x.summary, '2 entries differ: timestamp only');
    assert.match(text.split('\n')[0], /^update-img\.tar\.zst: different — 2 entries differ: timestamp only$/);
    assert.match(text, /changed {2}update-img\.tar\.zst › version\.txt: detail "[^"]*mtime=0[^"]*" → "[^"]*mtime=1700000000[^"]*" — timestamp only/);
  });

  it('mode only', async () => {
    const { x } = await classify(image({ tarArgs: ['--mode=0600'] }));
    assert.deepEqual(x.differing.map((d) => d.class), ['mode-owner', 'mode-owner']);
    assert.equal(x.summary, '2 entries differ: mode/owner only');
  });

  it('sparse layout only: the same bytes stored dense', async () => {
    const { x, text } = await classify(image({ dense: true }));
    assert.deepEqual(x.differing.map((d) => [d.path.join('/'), d.class]), [['root.img', 'sparse']]);
    assert.equal(x.differing[0].a!.sha256, x.differing[0].b!.sha256, 'same content');
    assert.equal(x.summary, '1 entry differs: sparse layout only');
    assert.match(text, /— sparse layout only/);
  });

  it('content', async () => {
    const { x } = await classify(image({ version: 'v2\n' }));
    assert.deepEqual(x.differing.map((d) => [d.path.join('/'), d.class]), [['version.txt', 'content']]);
    assert.equal(x.summary, '1 entry differs: content');
  });

  it('mixed: counts each kind', async () => {
    const { x } = await classify(image({ version: 'v2\n', tarArgs: ['--mode=0600'] }));
    assert.equal(x.summary, '2 entries differ: 1 content, 1 mode/owner only');
  });
});
