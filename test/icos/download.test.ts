import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cachePathFor, download, parseContentRange } from '../../attestor/download/download.js';
import { sha256File } from '../../attestor/hash/sha256-file.js';
import { hashFiles } from '../../attestor/hash/index.js';
import type { ProgressEvent } from '../../attestor/hash/progress.js';
import { bytes, publish, sha256hex, startCdn, type CdnServer } from '../../demo/cdn-server.js';

const BIG = bytes(7, 300_000);

describe('download', () => {
  let server: CdnServer;
  let base: string;
  before(async () => {
    base = mkdtempSync(join(tmpdir(), 'icos-dl-'));
    server = await startCdn(join(base, 'www'));
    publish(server.root, '/a/big.bin', BIG);
    publish(server.root, '/a/small.txt', 'hello\n');
  });
  after(async () => {
    await server.close();
    rmSync(base, { recursive: true, force: true });
  });

  test('downloads, verifies and reports progress', async () => {
    const events: ProgressEvent[] = [];
    const r = await download(`${server.url}/a/big.bin`, { cacheDir: join(base, 'c1'), onProgress: (e) => events.push(e) });
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.sha256, sha256hex(BIG));
    assert.equal(r.size, BIG.length);
    assert.deepEqual(readFileSync(r.path), BIG);
    const last = events.filter((e) => e.phase === 'download').at(-1)!;
    assert.equal(last.bytesDone, BIG.length);
    assert.equal(last.bytesTotal, BIG.length);
  });

  test('a second call is served from the cache, re-verified; a corrupted cache entry is fetched again', async () => {
    const cacheDir = join(base, 'c2');
    const url = `${server.url}/a/big.bin`;
    const first = await download(url, { cacheDir });
    assert.ok(first.ok);
    const before = server.requests.length;
    const second = await download(url, { cacheDir });
    assert.ok(second.ok && second.fromCache);
    assert.equal(server.requests.length, before, 'no request for a verified cached file');
    const corrupt = Buffer.from(BIG);
    corrupt[10] ^= 0xff;
    writeFileSync(first.path, corrupt);
    const third = await download(url, { cacheDir });
    assert.ok(third.ok && !third.fromCache);
    assert.equal(third.sha256, sha256hex(BIG));
  });

  test('an interrupted download resumes with a Range request', async () => {
    const cacheDir = join(base, 'c3');
    const url = `${server.url}/a/big.bin`;
    server.behaviour.truncateAfter = 100_000;
    server.behaviour.truncateOnce.add('/a/big.bin');
    const cut = await download(url, { cacheDir, attempts: 1 });
    assert.equal(cut.ok, false);
    assert.equal(!cut.ok && cut.kind, 'truncated-download');
    assert.ok(existsSync(`${cachePathFor(cacheDir, url)}.part`), 'partial bytes kept for the resume');
    const mark = server.requests.length;
    const resumed = await download(url, { cacheDir });
    assert.ok(resumed.ok, JSON.stringify(resumed));
    assert.equal(resumed.resumed, true);
    assert.equal(resumed.sha256, sha256hex(BIG));
    const ranges = server.requests.slice(mark).map((r) => r.range);
    assert.ok(ranges.some((r) => r !== null && /^bytes=\d+-$/.test(r) && Number(r.slice(6, -1)) > 0), `ranges: ${ranges}`);
  });

  test('a server that ignores Range makes the download restart from zero, still correct', async () => {
    const base2 = mkdtempSync(join(tmpdir(), 'icos-dl-'));
    const s = await startCdn(join(base2, 'www'), { ignoreRange: true, truncateAfter: 50_000 });
    try {
      publish(s.root, '/f.bin', BIG);
      s.behaviour.truncateOnce.add('/f.bin');
      const r = await download(`${s.url}/f.bin`, { cacheDir: join(base2, 'c'), attempts: 3 });
      assert.ok(r.ok, JSON.stringify(r));
      assert.equal(r.sha256, sha256hex(BIG));
      assert.equal(r.resumed, false, 'the 200 reply restarted the file instead of appending');
    } finally {
      await s.close();
      rmSync(base2, { recursive: true, force: true });
    }
  });

  test('a server that always closes early is a truncated download after every attempt', async () => {
    server.behaviour.truncate.add('/a/small-cut.bin');
    server.behaviour.truncateAfter = 1000;
    publish(server.root, '/a/small-cut.bin', bytes(3, 5000));
    const r = await download(`${server.url}/a/small-cut.bin`, { cacheDir: join(base, 'c4'), attempts: 2 });
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.kind, 'truncated-download');
    assert.equal(!r.ok && r.bytesExpected, 5000);
  });

  test('a stalled connection is cut after the idle timeout, keeping the bytes for a resume', async () => {
    server.behaviour.stall.add('/a/stall.bin');
    server.behaviour.truncateAfter = 1000;
    publish(server.root, '/a/stall.bin', bytes(4, 5000));
    const cacheDir = join(base, 'c7');
    const url = `${server.url}/a/stall.bin`;
    const r = await download(url, { cacheDir, attempts: 1, idleTimeoutMs: 200 });
    assert.equal(!r.ok && r.kind, 'truncated-download');
    assert.equal(!r.ok && r.bytesReceived, 1000);
    server.behaviour.stall.delete('/a/stall.bin');
    const resumed = await download(url, { cacheDir });
    assert.ok(resumed.ok && resumed.resumed && resumed.sha256 === sha256hex(bytes(4, 5000)));
  });

  test('an expected sha256 that does not match refuses the file', async () => {
    const cacheDir = join(base, 'c5');
    const url = `${server.url}/a/small.txt`;
    const r = await download(url, { cacheDir, expectedSha256: '0'.repeat(64) });
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.kind, 'hash-mismatch');
    assert.equal(!r.ok && r.actualSha256, sha256hex('hello\n'));
    assert.equal(existsSync(cachePathFor(cacheDir, url)), false, 'nothing unverified left in the cache');
    const good = await download(url, { cacheDir, expectedSha256: sha256hex('hello\n') });
    assert.ok(good.ok);
  });

  test('404 and bad URLs are error values', async () => {
    const r = await download(`${server.url}/nope`, { cacheDir: join(base, 'c6') });
    assert.equal(!r.ok && r.kind, 'http-status');
    assert.equal(!r.ok && r.status, 404);
    const bad = await download('ftp://example.invalid/x', { cacheDir: join(base, 'c6') });
    assert.equal(!bad.ok && bad.kind, 'bad-url');
  });

  test('parseContentRange', () => {
    assert.deepEqual(parseContentRange('bytes 10-19/20'), { start: 10, end: 19, total: 20 });
    assert.deepEqual(parseContentRange('bytes 0-0/*'), { start: 0, end: 0, total: null });
    assert.equal(parseContentRange('items 1-2/3'), null);
  });
});

describe('hash', () => {
  test('sha256File streams a file and hashFiles keeps going past a bad path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'icos-hash-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const p = join(dir, 'x.bin');
    writeFileSync(p, BIG);
    const h = await sha256File(p);
    assert.ok(h.ok);
    assert.equal(h.sha256, sha256hex(BIG));
    assert.equal(h.size, BIG.length);
    const all = await hashFiles([join(dir, 'missing'), p]);
    assert.equal(all[0]!.error?.kind, 'file-unreadable');
    assert.equal(all[1]!.sha256, sha256hex(BIG));
  });
});
