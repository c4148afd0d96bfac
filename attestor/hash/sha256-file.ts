/**
 * Streaming sha256 of a file: large reads into one reused buffer, so memory stays flat
 * for multi-GB images and the hash runs near disk speed.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { byteThrottle, type OnProgress } from './progress.js';

export interface FileDigest {
  sha256: string;
  size: number;
}

export type HashError = { kind: 'file-unreadable'; path: string; message: string };

const BUFFER_BYTES = 4 * 1024 * 1024;

/** sha256 + size of a file; an unreadable file is an error value, never a throw. */
export async function sha256File(
  path: string,
  opts: { onProgress?: OnProgress; label?: string } = {},
): Promise<({ ok: true } & FileDigest) | ({ ok: false } & HashError)> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    return { ok: false, kind: 'file-unreadable', path, message: `cannot read ${path}: ${(err as Error).message}` };
  }
  try {
    const { size } = await handle.stat();
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(BUFFER_BYTES);
    const report = byteThrottle(opts.onProgress);
    const label = opts.label ?? path;
    let done = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, BUFFER_BYTES, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      done += bytesRead;
      report({ phase: 'hash', label, bytesDone: done, bytesTotal: size });
    }
    report({ phase: 'hash', label, bytesDone: done, bytesTotal: size }, true);
    return { ok: true, sha256: hash.digest('hex'), size: done };
  } catch (err) {
    return { ok: false, kind: 'file-unreadable', path, message: `cannot read ${path}: ${(err as Error).message}` };
  } finally {
    await handle.close();
  }
}

/** sha256 of in-memory bytes, lowercase hex. */
export function sha256Bytes(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}
