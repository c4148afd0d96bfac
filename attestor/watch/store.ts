/**
 * The state file of `watch` (the shell around state.ts): read and checked once, written whole
 * after every transition (temp file + fsync + rename + fsync of the directory, so a crash leaves
 * the old state or the new one, never a mix), and guarded by a lock file so two watchers never
 * share one state file. A lock left by a watch that no longer runs (or ran before a reboot) is
 * taken over.
 */
import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

import { emptyState, parseWatchState, type WatchState } from './state.js';

export class WatchStoreError extends Error {
  constructor(
    readonly kind: 'locked' | 'bad-state' | 'io',
    message: string,
    options?: { cause?: unknown }
  ) {
    super(message, options);
    this.name = 'WatchStoreError';
  }
}

export const lockPathOf = (statePath: string): string => `${statePath}.lock`;

/** Writes `text` to `path` so that a reader (or a crash) sees the old file or the whole new one. */
export function writeDurably(path: string, text: string): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  fsyncDir(dir);
}

function fsyncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // some file systems refuse fsync on a directory; the rename is still atomic
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** This boot of the machine (Linux): a lock from an earlier boot is stale whatever its pid. */
function bootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
  } catch {
    return null;
  }
}

/** Whether the lock's holder still runs: same boot (where known), and the process id is live. */
function holderAlive(lock: { pid: number; boot: string | null }): boolean {
  const boot = bootId();
  if (lock.boot !== null && boot !== null && lock.boot !== boot) return false;
  try {
    process.kill(lock.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // it runs, as another user
  }
}

function readLock(lockPath: string): { pid: number; boot: string | null } | null {
  try {
    const j = JSON.parse(readFileSync(lockPath, 'utf8')) as { pid?: unknown; boot?: unknown };
    if (!Number.isInteger(j.pid) || (j.pid as number) <= 0) return null;
    return { pid: j.pid as number, boot: typeof j.boot === 'string' ? j.boot : null };
  } catch {
    return null;
  }
}

/**
 * Takes the lock: a file created whole in one step (written aside, then hard-linked into place,
 * which fails if the lock exists). Returns a function that releases it.
 */
export function acquireLock(statePath: string, pid = process.pid): () => void {
  const lockPath = lockPathOf(statePath);
  mkdirSync(dirname(lockPath), { recursive: true });
  const tmp = `${lockPath}.${randomBytes(6).toString('hex')}.tmp`;
  writeDurably(tmp, `${JSON.stringify({ pid, boot: bootId(), since: new Date().toISOString() })}\n`);
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        linkSync(tmp, lockPath);
        return () => {
          // only our own lock is removed
          if (readLock(lockPath)?.pid === pid) rmSync(lockPath, { force: true });
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new WatchStoreError('io', `cannot create the lock ${lockPath}: ${(err as Error).message}`, { cause: err });
      }
      const holder = readLock(lockPath);
      if (holder !== null && holder.pid !== pid && holderAlive(holder)) {
        throw new WatchStoreError('locked', `another watch (pid ${holder.pid}) is using ${statePath}; stop it first, or give this one its own --state-file`);
      }
      // left behind by a watch that was killed: take it over
      rmSync(lockPath, { force: true });
    }
    throw new WatchStoreError('locked', `could not take the lock ${lockPath}: another watch took it at the same moment`);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Reads the state file (an absent file is an empty state); a damaged one is refused as it is. */
export function loadState(statePath: string): WatchState {
  if (!existsSync(statePath)) return emptyState();
  let text: string;
  try {
    text = readFileSync(statePath, 'utf8');
  } catch (err) {
    throw new WatchStoreError('io', `cannot read ${statePath}: ${(err as Error).message}`, { cause: err });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new WatchStoreError('bad-state', `${statePath} is not JSON: the watch state is damaged; move it aside to start afresh (every proposal in it would then be seen as new)`);
  }
  try {
    return parseWatchState(raw, statePath);
  } catch (err) {
    throw new WatchStoreError('bad-state', `${(err as Error).message}; move it aside to start afresh`, { cause: err });
  }
}

export function saveState(statePath: string, state: WatchState): void {
  mkdirSync(dirname(statePath), { recursive: true });
  writeDurably(statePath, `${JSON.stringify(state, null, 2)}\n`);
}
