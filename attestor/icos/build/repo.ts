/**
 * Gets the ic repo to exactly one commit with a clean tree: clone or fetch, detached checkout.
 * The repo lives at `<workdir>/ic`. A dirty tree is refused, never cleaned for the user:
 * a dirty tree is a known cause of divergent hashes and may hold their work.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { OnProgress } from '../../hash/progress.js';
import { run } from '../environment/exec.js';
import { spawnLines } from './spawn-lines.js';

export const DEFAULT_IC_REPO = 'https://github.com/dfinity/ic';

export type RepoErrorKind = 'bad-commit' | 'git-missing' | 'not-a-repo' | 'dirty-tree' | 'fetch-failed' | 'checkout-failed';
export interface RepoError {
  kind: RepoErrorKind;
  message: string;
}

export type RepoResult = { ok: true; value: { repoDir: string; commit: string; fetched: boolean } } | { ok: false; error: RepoError };

export function repoDirFor(workdir: string): string {
  return join(workdir, 'ic');
}

/** `git status --porcelain` lines; empty = clean. null when git could not run. */
export async function porcelain(repoDir: string): Promise<string[] | null> {
  const r = await run('git', ['status', '--porcelain'], { cwd: repoDir, timeoutMs: 120_000 });
  if (!r.ok) return null;
  return r.stdout.split('\n').filter((l) => l.trim() !== '');
}

export async function headCommit(repoDir: string): Promise<string | null> {
  const r = await run('git', ['rev-parse', 'HEAD'], { cwd: repoDir });
  return r.ok ? r.stdout.trim() : null;
}

function dirtyError(lines: string[], repoDir: string, when: string): RepoError {
  const shown = lines.slice(0, 5).join('; ');
  return {
    kind: 'dirty-tree',
    message:
      `the ic tree at ${repoDir} is not clean ${when} (${lines.length} change(s): ${shown}${lines.length > 5 ? '; …' : ''}); ` +
      'a dirty tree changes the image bytes: commit, stash or remove those files, or use a fresh --workdir',
  };
}

export async function prepareRepo(opts: {
  repoUrl?: string;
  workdir: string;
  commit: string;
  onProgress?: OnProgress;
}): Promise<RepoResult> {
  const repoUrl = opts.repoUrl ?? DEFAULT_IC_REPO;
  const commit = opts.commit.toLowerCase();
  if (!/^[0-9a-f]{40}$/.test(commit)) {
    return { ok: false, error: { kind: 'bad-commit', message: `not a full 40-hex commit: ${opts.commit}` } };
  }
  const v = await run('git', ['--version']);
  if (!v.ok) return { ok: false, error: { kind: 'git-missing', message: 'git is not installed: install git (apt-get install git)' } };

  const repoDir = repoDirFor(opts.workdir);
  if (!existsSync(join(repoDir, '.git'))) {
    if (existsSync(repoDir)) {
      return { ok: false, error: { kind: 'not-a-repo', message: `${repoDir} exists but is not a git repo: remove it or choose another --workdir` } };
    }
    await mkdir(repoDir, { recursive: true });
    const init = await run('git', ['init', '-q', repoDir]);
    if (!init.ok) return { ok: false, error: { kind: 'not-a-repo', message: `git init ${repoDir} failed: ${init.stderr.trim()}` } };
  } else {
    const dirty = await porcelain(repoDir);
    if (dirty === null) return { ok: false, error: { kind: 'not-a-repo', message: `git status failed in ${repoDir}` } };
    if (dirty.length > 0) return { ok: false, error: dirtyError(dirty, repoDir, 'before checkout') };
  }

  const label = `${repoUrl}@${commit.slice(0, 12)}`;
  const onLine = (line: string) => opts.onProgress?.({ phase: 'fetch', label, line });
  let fetched = false;
  const has = async () => (await run('git', ['cat-file', '-e', `${commit}^{commit}`], { cwd: repoDir })).ok;
  if (!(await has())) {
    // One commit, shallow: the ic history is large. Servers that refuse fetching by sha get a full fetch.
    const shallow = await spawnLines('git', ['fetch', '--progress', '--depth=1', repoUrl, commit], { cwd: repoDir, onLine });
    if (shallow.code !== 0 || !(await has())) {
      const full = await spawnLines('git', ['fetch', '--progress', '--tags', repoUrl, '+refs/heads/*:refs/remotes/origin/*'], {
        cwd: repoDir,
        onLine,
      });
      if (full.code === 0 && !(await has())) {
        // everything fetched, the commit is not there: bad input, not a network problem
        return { ok: false, error: { kind: 'fetch-failed', message: `commit ${commit} is not in ${repoUrl} (no branch or tag contains it): check the commit or --repo-url` } };
      }
      if (full.code !== 0 || !(await has())) {
        // git's own reason ("fatal: …"), not its progress lines
        const lines = [...full.tail, ...shallow.tail].map((l) => l.trim());
        const why = (lines.find((l) => /^fatal:/.test(l)) ?? lines.find((l) => /error|unable|could not/i.test(l)) ?? '').replace(/^fatal:\s*/, '');
        return {
          ok: false,
          error: { kind: 'fetch-failed', message: `cannot fetch commit ${commit} from ${repoUrl}${why ? `: ${why}` : ''}` },
        };
      }
    }
    fetched = true;
  }

  opts.onProgress?.({ phase: 'checkout', label });
  const co = await run('git', ['-c', 'advice.detachedHead=false', 'checkout', '-q', '--detach', commit], {
    cwd: repoDir,
    timeoutMs: 600_000,
  });
  if (!co.ok) return { ok: false, error: { kind: 'checkout-failed', message: `git checkout ${commit} failed: ${co.stderr.trim()}` } };
  const head = await headCommit(repoDir);
  if (head !== commit) {
    return { ok: false, error: { kind: 'checkout-failed', message: `HEAD is ${head}, expected ${commit}` } };
  }
  const after = await porcelain(repoDir);
  if (after === null || after.length > 0) return { ok: false, error: dirtyError(after ?? ['git status failed'], repoDir, 'after checkout') };
  return { ok: true, value: { repoDir, commit, fetched } };
}

/** Paths among `candidates` that exist in the tree of `rev` (the files present at the commit). */
export async function pathsAtCommit(repoDir: string, rev: string, candidates: readonly string[]): Promise<Set<string>> {
  const r = await run('git', ['ls-tree', '-r', '--name-only', rev, '--', ...candidates], { cwd: repoDir });
  return new Set(r.ok ? r.stdout.split('\n').filter(Boolean) : []);
}

/** A file's content at `rev`, or null. */
export async function fileAtCommit(repoDir: string, rev: string, path: string): Promise<string | null> {
  const r = await run('git', ['show', `${rev}:${path}`], { cwd: repoDir });
  return r.ok ? r.stdout : null;
}
