/** The `hash` command's core: digests of local files. The manifest comes from attestor/manifest. */
import { sha256File } from './sha256-file.js';
import type { OnProgress } from './progress.js';

export { sha256File, sha256Bytes } from './sha256-file.js';
export type { FileDigest, HashError } from './sha256-file.js';
export type { ProgressEvent, OnProgress } from './progress.js';

export interface HashedFile {
  path: string;
  sha256: string | null;
  size: number | null;
  /** Set when the file could not be read. */
  error: { kind: 'file-unreadable'; message: string } | null;
}

/** Hashes each file in order; one bad path does not stop the others. */
export async function hashFiles(paths: string[], opts: { onProgress?: OnProgress } = {}): Promise<HashedFile[]> {
  const out: HashedFile[] = [];
  for (const path of paths) {
    const r = await sha256File(path, { onProgress: opts.onProgress });
    out.push(
      r.ok
        ? { path, sha256: r.sha256, size: r.size, error: null }
        : { path, sha256: null, size: null, error: { kind: r.kind, message: r.message } },
    );
  }
  return out;
}
