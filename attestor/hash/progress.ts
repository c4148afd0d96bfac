/**
 * Progress events emitted by every long operation (download, hash, clone, build).
 * The CLI renders them; the core never prints.
 */
export interface ProgressEvent {
  /** What is happening: 'download', 'hash', 'clone', 'fetch', 'checkout', 'build'. */
  phase: string;
  /** What it is happening to: a URL, a file path, an artifact name. */
  label: string;
  /** Bytes processed so far (downloads, hashing). */
  bytesDone?: number;
  /** Total bytes when known; null when the server did not say. */
  bytesTotal?: number | null;
  /** Milliseconds since the operation started (builds). */
  elapsedMs?: number;
  /** The last log line (builds, git). */
  line?: string;
}

export type OnProgress = (event: ProgressEvent) => void;

/** Calls `onProgress` at most every `everyBytes` bytes (plus the final call) to keep rendering cheap. */
export function byteThrottle(onProgress: OnProgress | undefined, everyBytes = 4 * 1024 * 1024) {
  let last = -Infinity;
  return (event: ProgressEvent, final = false): void => {
    if (!onProgress) return;
    const done = event.bytesDone ?? 0;
    if (final || done - last >= everyBytes) {
      last = done;
      onProgress(event);
    }
  };
}
