/**
 * Synthetic artifacts with the real shapes: GPT disk images (a tiny GPT writer: protective MBR,
 * primary and backup headers and tables with their CRC-32s), tars made by GNU tar (incl. sparse
 * members) and zstd-compressed with the zstd binary, as the IC-OS build does.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, writeSync, closeSync, ftruncateSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from '../../attestor/manifest/crc32.js';

export const SECTOR = 512;
export const TYPE_LINUX = '0FC63DAF-8483-4772-8E79-3D69D8477DE4';
export const TYPE_ESP = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';

const made: string[] = [];

export function tempDir(prefix = 'icos-manifest-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

/** Remove every directory tempDir() made (call from `after`). */
export function cleanupTempDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

export const sha256hex = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

/** Deterministic pseudo-random bytes (xorshift), so fixtures are reproducible. */
export function pseudoRandom(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

export function guidBytes(text: string): Uint8Array {
  const h = text.replace(/-/g, '');
  const b = Uint8Array.from(h.match(/../g)!.map((x) => parseInt(x, 16)));
  const order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
  return Uint8Array.from(order.map((i) => b[i]));
}

export interface FixturePartition {
  name: string;
  type?: string;
  guid?: string;
  data: Uint8Array;
  /** Partition size in sectors; defaults to the data rounded up. */
  sectors?: number;
}

/** A GPT disk image: partitions laid out from LBA 64, each 8-sector aligned; 512- or 4096-byte sectors. */
export function gptDisk(parts: FixturePartition[], diskGuid = '11111111-2222-3333-4444-555555555555', sectorSize = SECTOR): Uint8Array {
  const ss = sectorSize;
  const entriesLba = 2;
  const entryCount = 128;
  const entrySize = 128;
  const tableSectors = Math.ceil((entryCount * entrySize) / ss); // 32 at 512 bytes
  let lba = 64;
  const layout = parts.map((p) => {
    const sectors = p.sectors ?? Math.max(1, Math.ceil(p.data.length / ss));
    const first = lba;
    lba = first + sectors;
    lba = Math.ceil(lba / 8) * 8;
    return { ...p, first, last: first + sectors - 1 };
  });
  const lastUsable = lba + 7;
  const totalSectors = lastUsable + 1 + tableSectors + 1;
  const disk = new Uint8Array(totalSectors * ss);
  const dv = new DataView(disk.buffer);

  // Protective MBR: one partition of type 0xEE over the disk.
  disk[446 + 4] = 0xee;
  dv.setUint32(446 + 8, 1, true);
  dv.setUint32(446 + 12, Math.min(totalSectors - 1, 0xffffffff), true);
  disk[510] = 0x55;
  disk[511] = 0xaa;

  const table = new Uint8Array(entryCount * entrySize);
  const tdv = new DataView(table.buffer);
  layout.forEach((p, i) => {
    const o = i * entrySize;
    table.set(guidBytes(p.type ?? TYPE_LINUX), o);
    table.set(guidBytes(p.guid ?? `AAAAAAAA-0000-0000-0000-${String(i + 1).padStart(12, '0')}`), o + 16);
    tdv.setBigUint64(o + 32, BigInt(p.first), true);
    tdv.setBigUint64(o + 40, BigInt(p.last), true);
    for (let j = 0; j < p.name.length && j < 36; j++) tdv.setUint16(o + 56 + 2 * j, p.name.charCodeAt(j), true);
    disk.set(p.data, p.first * ss);
  });
  const tableCrc = crc32(table);

  const header = (myLba: number, altLba: number, tableLba: number) => {
    const h = new Uint8Array(92);
    const hv = new DataView(h.buffer);
    h.set(new TextEncoder().encode('EFI PART'), 0);
    hv.setUint32(8, 0x00010000, true);
    hv.setUint32(12, 92, true);
    hv.setBigUint64(24, BigInt(myLba), true);
    hv.setBigUint64(32, BigInt(altLba), true);
    hv.setBigUint64(40, BigInt(entriesLba + tableSectors), true);
    hv.setBigUint64(48, BigInt(lastUsable), true);
    h.set(guidBytes(diskGuid), 56);
    hv.setBigUint64(72, BigInt(tableLba), true);
    hv.setUint32(80, entryCount, true);
    hv.setUint32(84, entrySize, true);
    hv.setUint32(88, tableCrc, true);
    hv.setUint32(16, crc32(h), true);
    return h;
  };
  const backupLba = totalSectors - 1;
  disk.set(header(1, backupLba, entriesLba), ss);
  disk.set(table, entriesLba * ss);
  disk.set(table, (lastUsable + 1) * ss);
  disk.set(header(backupLba, 1, lastUsable + 1), backupLba * ss);
  return disk;
}

/** GNU tar with the IC-OS settings (sorted, root-owned, epoch mtime, sparse). */
export function gnuTar(dir: string, names: string[], out: string, extra: string[] = []): void {
  execFileSync('tar', [
    '--sort=name', '--owner=root:0', '--group=root:0', '--mtime=UTC 1970-01-01', '--sparse', '--hole-detection=raw',
    ...extra, '-cf', out, '-C', dir, ...names,
  ]);
}

export function zstdCompress(input: string, out: string): void {
  execFileSync('zstd', ['-q', '-f', '-3', input, '-o', out]);
}

/** Write files into a fresh directory; `sparse` files get data only at the given offsets. */
export function writeFiles(
  dir: string,
  files: Record<string, Uint8Array | { size: number; chunks: [offset: number, data: Uint8Array][] }>,
): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, v] of Object.entries(files)) {
    const p = join(dir, name);
    if (v instanceof Uint8Array) {
      writeFileSync(p, v);
      continue;
    }
    const fd = openSync(p, 'w');
    ftruncateSync(fd, v.size);
    for (const [off, data] of v.chunks) writeSync(fd, data, 0, data.length, off);
    closeSync(fd);
  }
}

/** `update-img.tar.zst` holding boot.img, root.img (sparse) and version.txt. */
export function updateImage(dir: string, variant: { rootSeed?: number; bootSeed?: number; version?: string } = {}): string {
  const src = join(dir, 'src');
  writeFiles(src, {
    'boot.img': pseudoRandom(64 * 1024, variant.bootSeed ?? 1),
    'root.img': {
      size: 4 << 20,
      chunks: [
        [0, pseudoRandom(8192, variant.rootSeed ?? 2)],
        [1 << 20, pseudoRandom(4096, 3)],
        [2 << 20, pseudoRandom(4096, 4)],
        [3 << 20, pseudoRandom(512, 5)],
        [(3 << 20) + 65536, pseudoRandom(512, 6)],
        [(4 << 20) - 4096, pseudoRandom(4096, 7)],
      ],
    },
    'version.txt': new TextEncoder().encode(variant.version ?? '0123456789abcdef0123456789abcdef01234567\n'),
  });
  const tar = join(dir, 'update-img.tar');
  gnuTar(src, ['boot.img', 'root.img', 'version.txt'], tar);
  const out = join(dir, 'update-img.tar.zst');
  zstdCompress(tar, out);
  return out;
}

/** `disk-img.tar.zst` holding a GPT `disk.img`; `changed` alters one partition's bytes. */
export function diskImage(dir: string, changed?: string): string {
  const parts: FixturePartition[] = [
    { name: 'esp', type: TYPE_ESP, data: pseudoRandom(40 * 1024, 11) },
    { name: 'grub', data: pseudoRandom(20 * 1024, 12) },
    { name: 'config', data: pseudoRandom(10 * 1024, 13) },
    { name: 'data', data: pseudoRandom(30 * 1024, 14) },
  ];
  for (const p of parts) if (p.name === changed) p.data = pseudoRandom(p.data.length, 99);
  const src = join(dir, 'src');
  writeFiles(src, { 'disk.img': gptDisk(parts) });
  const tar = join(dir, 'disk-img.tar');
  gnuTar(src, ['disk.img'], tar);
  const out = join(dir, 'disk-img.tar.zst');
  zstdCompress(tar, out);
  return out;
}

// ------------------------------------------------------------ statements

import { PREDICATE_TYPE, STATEMENT_TYPE, type Environment, type ManifestEntry, type Statement } from '../../protocol/types.js';
import { sampleEnvironment } from '../fixtures/environment.js';

export const COMMIT = 'c'.repeat(40);

export function environment(over: Partial<Environment> = {}): Environment {
  return sampleEnvironment(COMMIT, over);
}

/** A valid statement for one artifact (GuestOS update image unless named otherwise). */
export function statementWith(opts: {
  name?: string;
  sha256?: string;
  size?: number;
  manifest?: ManifestEntry[] | null;
  manifestRoot?: string | null;
  env?: Partial<Environment>;
}): Statement {
  const name = opts.name ?? 'guestos/update-img.tar.zst';
  const sha256 = opts.sha256 ?? '1'.repeat(64);
  const os = name.split('/')[0] as Statement['predicate']['os'];
  return {
    _type: STATEMENT_TYPE,
    subject: [{ name, digest: { sha256 } }],
    predicateType: PREDICATE_TYPE,
    predicate: {
      proposal: '135000',
      commit: COMMIT,
      os,
      artifacts: [{
        name,
        sha256,
        size: opts.size ?? 1000,
        proposalSha256: null,
        cdn: [],
        outcome: 'not-compared',
        manifestRoot: opts.manifestRoot ?? null,
        manifest: opts.manifest ?? null,
      }],
      environment: environment(opts.env),
      tool: { name: 'icos-attest', version: '0.1.0' },
      startedAt: '2026-03-01T10:00:00Z',
      finishedAt: '2026-03-01T11:00:00Z',
    },
  };
}
