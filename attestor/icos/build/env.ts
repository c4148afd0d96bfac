/**
 * The environment the commit's own build script gets: an allow-list, never the caller's whole
 * environment (GitHub tokens and other secrets must not reach code we are about to audit;
 * DFINITY's checker strips GH_TOKEN/GITHUB_TOKEN too). Settings known to change what the
 * build does are passed and recorded, so two reviewers can see why their hashes differ.
 * Pure except `containerRunConf`, which reads one file.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Passed when set: what a shell, git, podman and docker need to work. */
export const BASE_ALLOW = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'TERM', 'LANG', 'LANGUAGE', 'TZ', 'TMPDIR', 'XDG_RUNTIME_DIR', 'DOCKER_HOST'] as const;

/** Passed and recorded: each changes what the commit's scripts do (images, runtime, cache). */
export const BUILD_SETTINGS = ['CONTAINER_RUN_ALLOW_UNPINNED', 'CONTAINER_RUNTIME', 'CACHE_DIR'] as const;

/** Names never passed, even when listed by the reviewer. */
export const NEVER_PASS = /TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|_KEY$|^AWS_|^GH_|^GITHUB_|^NPM_|^SSH_AUTH_SOCK$/i;

/** A reviewer's extra names, comma-separated (recorded by name, e.g. a fixture's knobs). */
export const EXTRA_ENV_VAR = 'ICOS_ATTEST_BUILD_ENV';

export interface BuildSettings {
  /** Values of BUILD_SETTINGS that were set (absent = unset). */
  env: Record<string, string>;
  /** Names of every variable handed to the build (values not recorded: they may be private). */
  passed: string[];
  /** How many of the caller's variables were withheld (secrets among them). */
  withheld: number;
  /** `~/.container-run.conf` (read by container-run.sh; it can inject mounts): sha256, or null when absent. */
  containerRunConf: { sha256: string; lines: number } | null;
}

/** Pure: the allowed subset of `source`, and what was passed. */
export function scrubEnv(source: NodeJS.ProcessEnv): { env: Record<string, string>; settings: Omit<BuildSettings, 'containerRunConf'> } {
  const extra = (source[EXTRA_ENV_VAR] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) && !NEVER_PASS.test(s));
  const allowed = new Set<string>([...BASE_ALLOW, ...BUILD_SETTINGS, ...extra]);
  const env: Record<string, string> = {};
  let withheld = 0;
  for (const [k, v] of Object.entries(source)) {
    if (v === undefined) continue;
    if (allowed.has(k) || /^LC_[A-Z]+$/.test(k)) env[k] = v;
    else withheld++;
  }
  const settings: Record<string, string> = {};
  for (const k of BUILD_SETTINGS) if (env[k] !== undefined) settings[k] = env[k]!;
  return { env, settings: { env: settings, passed: Object.keys(env).sort(), withheld } };
}

/** sha256 and line count of `<home>/.container-run.conf`, or null when there is none. */
export async function containerRunConf(home: string | undefined): Promise<BuildSettings['containerRunConf']> {
  if (!home) return null;
  try {
    const bytes = await readFile(join(home, '.container-run.conf'));
    return { sha256: createHash('sha256').update(bytes).digest('hex'), lines: bytes.toString('utf8').split('\n').filter((l) => l.trim() !== '').length };
  } catch {
    return null;
  }
}
