/**
 * Generated inputs: a big pseudo-random file, and an IC-OS-like `.tar.zst` (a tar of a few
 * partition-like images, random + compressible, compressed by the Debian `zstd` binary).
 * Written in chunks with backpressure, so generating never holds a file in memory.
 */
import { spawn } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { open } from 'node:fs/promises';
import { once } from 'node:events';
import type { Writable } from 'node:stream';

const CHUNK = 8 << 20;

/** `size` bytes of random data at `path`. */
export async function writeRandomFile(path: string, size: number, onProgress?: (done: number) => void): Promise<void> {
  const fh = await open(path, 'w');
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let done = 0;
    while (done < size) {
      const n = Math.min(CHUNK, size - done);
      randomFillSync(buf, 0, n);
      await fh.write(buf, 0, n);
      done += n;
      onProgress?.(done);
    }
  } finally {
    await fh.close();
  }
}

/** A partition-like image: `randomShare` of each MiB is random, the rest log-like text and zeros. */
export interface ImageSpec {
  name: string;
  sizeMiB: number;
  randomShare: number;
}

/** The default artifact: ≈ 1.35 GiB of content that zstd -3 leaves at ≈ 1.05 GiB. */
export const IMAGE_SPECS: ImageSpec[] = [
  { name: 'VERSION.TXT', sizeMiB: 0, randomShare: 0 },
  { name: 'boot.img', sizeMiB: 192, randomShare: 0.5 },
  { name: 'root.img', sizeMiB: 1088, randomShare: 0.9 },
  { name: 'var.img', sizeMiB: 64, randomShare: 0.05 }
];

const TEXT = Buffer.from(
  Array.from({ length: 4096 }, (_, i) => `Nov 25 10:00:${String(i % 60).padStart(2, '0')} guestos systemd[1]: Started unit ${i % 97}.service\n`).join('')
);

function fillMiB(buf: Buffer, mib: number, randomShare: number): void {
  const cut = Math.floor(buf.length * randomShare);
  randomFillSync(buf, 0, cut);
  // Compressible remainder: half text, half zeros (sparse-ish regions of a filesystem image).
  const half = cut + Math.floor((buf.length - cut) / 2);
  for (let at = cut; at < half; at += TEXT.length) TEXT.copy(buf, at, 0, Math.min(TEXT.length, half - at));
  buf.fill(0, half);
  buf.writeUInt32LE(mib, Math.max(0, cut - 4));
}

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, '0')}\0`;
}

function tarHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(0o644, 8), 100);
  h.write(octal(0, 8), 108);
  h.write(octal(0, 8), 116);
  h.write(octal(size, 12), 124);
  h.write(octal(0, 12), 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  h.write('root', 265);
  h.write('root', 297);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

async function put(out: Writable, b: Buffer, count: { bytes: number }): Promise<void> {
  count.bytes += b.length;
  if (!out.write(b)) await once(out, 'drain');
}

/** Streams a tar of `specs` into `zstd -3 -T0` writing `path`; returns the tar's size (headers, data, padding, end blocks). */
export async function writeTarZst(path: string, specs: ImageSpec[] = IMAGE_SPECS, onProgress?: (done: number, total: number) => void): Promise<number> {
  const child = spawn('zstd', ['-3', '-T0', '-q', '-f', '-o', path], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const total = specs.reduce((s, x) => s + x.sizeMiB * 2 ** 20, 0);
  let written = 0;
  const tar = { bytes: 0 };
  const buf = Buffer.allocUnsafe(1 << 20);
  try {
    for (const spec of specs) {
      const body = spec.sizeMiB === 0 ? Buffer.from('a'.repeat(40) + '\n') : null;
      const size = body ? body.length : spec.sizeMiB * 2 ** 20;
      await put(child.stdin, tarHeader(spec.name, size), tar);
      if (body) {
        await put(child.stdin, Buffer.concat([body, Buffer.alloc(512 - body.length)]), tar);
        continue;
      }
      for (let mib = 0; mib < spec.sizeMiB; mib++) {
        fillMiB(buf, mib, spec.randomShare);
        await put(child.stdin, Buffer.from(buf), tar);
        written += buf.length;
        onProgress?.(written, total);
      }
    }
    await put(child.stdin, Buffer.alloc(1024), tar);
    child.stdin.end();
  } catch (err) {
    child.kill();
    throw err;
  }
  const code = await exited;
  if (code !== 0) throw new Error(`zstd failed with exit code ${code}: ${stderr.trim()}`);
  return tar.bytes;
}
