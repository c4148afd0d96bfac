/**
 * Streaming sha256 of a file. Small synchronous reads into one reused 128 KiB buffer: each chunk
 * is hashed while it is still in the CPU cache, which keeps up with `openssl dgst` (larger or
 * asynchronous reads run from a thread-pool core and go through memory twice: about 1.5× slower,
 * measured in `npm run bench`). The event loop gets a turn every 32 MiB, so downloads and
 * timers running next to a long hash are not starved. Memory stays flat for multi-GB images.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { setImmediate as turn } from 'node:timers/promises';

import { fileProblem } from '../cli/errors.js';
import { byteThrottle, type OnProgress } from './progress.js';

export interface FileDigest {
  sha256: string;
  size: number;
}

export type HashError = { kind: 'file-unreadable'; path: string; message: string };

const BUFFER_BYTES = 128 * 1024;
const YIELD_EVERY = 32 * 1024 * 1024;

function unreadable(path: string, err: unknown): { ok: false } & HashError {
  // words, not errno codes: "cannot read nope.bin: no such file or directory"
  const why = fileProblem(err)?.replace(/^.*?: (?=[^:]*$)/, '') ?? (err as Error).message;
  return { ok: false, kind: 'file-unreadable', path, message: `cannot read ${path}: ${why}` };
}

/** sha256 + size of a file; an unreadable file is an error value, never a throw. */
export async function sha256File(
  path: string,
  opts: { onProgress?: OnProgress; label?: string } = {},
): Promise<({ ok: true } & FileDigest) | ({ ok: false } & HashError)> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    return unreadable(path, err);
  }
  try {
    const { size } = fstatSync(fd);
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(BUFFER_BYTES);
    const report = byteThrottle(opts.onProgress);
    const label = opts.label ?? path;
    let done = 0;
    let sinceYield = 0;
    for (;;) {
      const bytesRead = readSync(fd, buffer, 0, BUFFER_BYTES, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      done += bytesRead;
      sinceYield += bytesRead;
      if (sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        report({ phase: 'hash', label, bytesDone: done, bytesTotal: size });
        await turn();
      }
    }
    report({ phase: 'hash', label, bytesDone: done, bytesTotal: size }, true);
    return { ok: true, sha256: hash.digest('hex'), size: done };
  } catch (err) {
    return unreadable(path, err);
  } finally {
    closeSync(fd);
  }
}

/** sha256 of in-memory bytes, lowercase hex. */
export function sha256Bytes(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}
