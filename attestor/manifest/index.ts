/**
 * computeManifest: one streaming pass over an artifact. The file is read once; each chunk is
 * hashed (the artifact's sha256) and handed to the decompressor (the Debian `zstd -dc` binary
 * when present, else the pure-JS fzstd; gzip via node:zlib; anything else is read as is), whose
 * output flows through the synchronous level parsers (tar, GPT, nested tar/zstd) in ./content.ts.
 * Backpressure is the pipes' own, so memory stays flat for any artifact size.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, statSync, type ReadStream } from 'node:fs';
import { Writable } from 'node:stream';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import type { ManifestEntry } from '../../protocol/types.js';
import { manifestRoot } from '../../protocol/manifest.js';
import { ContentNode } from './content.js';
import type { PassContext, Sink } from './sink.js';

export { looksLikeTar } from './tar.js';
export { gptSectorSize } from './gpt.js';

export type Compression = 'zstd' | 'gzip' | 'none';

export interface ManifestProgress {
  /** Bytes of the artifact file read so far. */
  bytesRead: number;
  totalBytes: number;
  /** Bytes after decompression so far. */
  contentBytes: number;
}

export interface ManifestOptions {
  onProgress?: (p: ManifestProgress) => void;
  /** Deepest level parsed (top level = 1); deeper components are hashed, not opened. Default 4. */
  maxDepth?: number;
  /** Entries kept per level; the rest become one `(N more entries)` entry. Default 10000. */
  maxEntriesPerLevel?: number;
  /** zstd decompressor: the `zstd` binary, the JS fallback, or auto (binary when present). */
  zstd?: 'auto' | 'binary' | 'js';
  /** Internal (deep diff): copy the bytes of one component as they pass. */
  extract?: PassContext['extract'];
}

export interface ArtifactManifest {
  /** sha256 of the artifact file itself, 64 lowercase hex. */
  sha256: string;
  size: number;
  compression: Compression;
  /** Bytes after decompression (equal to size when not compressed). */
  contentSize: number;
  /** The full manifest (bound it with boundManifest before putting it in a statement). */
  entries: ManifestEntry[];
  /** manifestRoot(entries): over the full manifest. */
  root: string;
  /** Nested content that could not be parsed, by location. */
  notes: string[];
  /** Which zstd decompressor ran, when one did. */
  decompressor?: 'zstd-binary' | 'fzstd';
}

export type ManifestErrorKind = 'not-found' | 'unreadable' | 'decompress-failed';

export class ManifestError extends Error {
  constructor(
    readonly kind: ManifestErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'ManifestError';
  }
}

/** A manifest saved to a file (what `diff` reads back as a manifest input). */
export const MANIFEST_FILE_SCHEMA = 'icos-attest/manifest/v1';
export interface ManifestFile {
  schema: typeof MANIFEST_FILE_SCHEMA;
  /** The artifact's file name (or subject name). */
  name: string;
  sha256: string;
  size: number;
  root: string;
  entries: ManifestEntry[];
  notes: string[];
}

export function toManifestFile(name: string, m: ArtifactManifest): ManifestFile {
  return { schema: MANIFEST_FILE_SCHEMA, name, sha256: m.sha256, size: m.size, root: m.root, entries: m.entries, notes: m.notes };
}

let zstdBinary: boolean | undefined;
/** Whether the `zstd` command can be run (checked once). */
export function hasZstdBinary(): boolean {
  zstdBinary ??= spawnSync('zstd', ['--version'], { stdio: 'ignore' }).status === 0;
  return zstdBinary;
}

async function readMagic(path: string): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const b = new Uint8Array(4);
    const { bytesRead } = await fh.read(b, 0, 4, 0);
    return b.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

function compressionOf(m: Uint8Array): Compression {
  if (m.length >= 4 && m[0] === 0x28 && m[1] === 0xb5 && m[2] === 0x2f && m[3] === 0xfd) return 'zstd';
  if (m.length >= 2 && m[0] === 0x1f && m[1] === 0x8b) return 'gzip';
  return 'none';
}

/** Compute the manifest of the artifact at `path` in one pass. Throws ManifestError. */
export async function computeManifest(path: string, opts: ManifestOptions = {}): Promise<ArtifactManifest> {
  let total: number;
  let compression: Compression;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new ManifestError('unreadable', `${path} is not a regular file`);
    total = st.size;
    compression = compressionOf(await readMagic(path));
  } catch (err) {
    if (err instanceof ManifestError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new ManifestError(code === 'ENOENT' ? 'not-found' : 'unreadable', `cannot read ${path}: ${(err as Error).message}`);
  }
  const ctx: PassContext = {
    maxDepth: opts.maxDepth ?? 4,
    maxEntriesPerLevel: opts.maxEntriesPerLevel ?? 10000,
    notes: [],
    extract: opts.extract,
  };
  const root = new ContentNode([], ctx);
  const fileHash = createHash('sha256');
  let bytesRead = 0;
  let lastReport = 0;
  const report = (force = false) => {
    if (!opts.onProgress) return;
    if (!force && bytesRead - lastReport < 16 << 20) return;
    lastReport = bytesRead;
    opts.onProgress({ bytesRead, totalBytes: total, contentBytes: root.size });
  };
  const source = async function* (src: AsyncIterable<Buffer>) {
    for await (const chunk of src) {
      fileHash.update(chunk);
      bytesRead += chunk.length;
      report();
      yield chunk;
    }
  };
  const into = (sink: Sink) =>
    new Writable({
      highWaterMark: 1 << 20,
      write(chunk: Buffer, _enc, cb) {
        try {
          sink.write(chunk);
          cb();
        } catch (err) {
          cb(err as Error);
        }
      },
    });
  const read = () => createReadStream(path, { highWaterMark: 1 << 20 });

  let decompressor: ArtifactManifest['decompressor'];
  try {
    if (compression === 'zstd') {
      const useBinary = opts.zstd === 'binary' || (opts.zstd !== 'js' && hasZstdBinary());
      if (useBinary) {
        decompressor = 'zstd-binary';
        await viaZstdBinary(read(), source, into(root), path);
      } else {
        decompressor = 'fzstd';
        const z = new Decompress((data) => root.write(data));
        await pipeline(read(), source, new Writable({
          write(chunk: Buffer, _e, cb) {
            try {
              z.push(chunk);
              cb();
            } catch (err) {
              cb(err as Error);
            }
          },
          final(cb) {
            try {
              z.push(new Uint8Array(0), true);
              cb();
            } catch (err) {
              cb(err as Error);
            }
          },
        }));
      }
    } else if (compression === 'gzip') {
      await pipeline(read(), source, createGunzip(), into(root));
    } else {
      await pipeline(read(), source, into(root));
    }
  } catch (err) {
    if (err instanceof ManifestError) throw err;
    const sys = (err as NodeJS.ErrnoException).syscall;
    if (sys === 'read' || sys === 'open') throw new ManifestError('unreadable', `cannot read ${path}: ${(err as Error).message}`);
    throw new ManifestError('decompress-failed', `cannot decompress ${path} (${compression}): ${(err as Error).message}`);
  }
  root.end();
  report(true);
  const entries = root.entries();
  const result: ArtifactManifest = {
    sha256: fileHash.digest('hex'),
    size: bytesRead,
    compression,
    contentSize: root.size,
    entries,
    root: manifestRoot(entries),
    notes: ctx.notes,
  };
  if (decompressor) result.decompressor = decompressor;
  return result;
}

async function viaZstdBinary(
  input: ReadStream,
  source: (src: AsyncIterable<Buffer>) => AsyncGenerator<Buffer>,
  out: Writable,
  path: string,
): Promise<void> {
  const child = spawn('zstd', ['-dc', '-q'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    if (stderr.length < 4096) stderr += d;
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  const feeding = pipeline(input, source, child.stdin).catch((err: NodeJS.ErrnoException) => {
    // zstd stopping early (corrupt input) closes its stdin: its exit code says why.
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_PREMATURE_CLOSE') throw err;
  });
  const draining = pipeline(child.stdout, out).catch((err) => {
    child.kill();
    throw err;
  });
  const [code] = await Promise.all([exited, feeding, draining]);
  if (code !== 0) {
    throw new ManifestError('decompress-failed', `zstd could not decompress ${path}: ${stderr.trim() || `exit code ${code}`}`);
  }
}
