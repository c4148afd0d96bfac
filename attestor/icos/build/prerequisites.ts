/**
 * What an IC-OS build needs (x86_64, ≥ 16 GiB RAM, ≥ 100 GiB free disk, podman, git) and,
 * for each thing missing, what to do about it. `override` (tests, or a reviewer who knows
 * better) reports the same list but lets the build go ahead.
 */
import { readFile, statfs } from 'node:fs/promises';
import { arch, totalmem } from 'node:os';
import { run } from '../environment/exec.js';
import { detectWsl, parseOsRelease } from '../environment/probes.js';

export const GIB = 1024 ** 3;
export const MIN_RAM_BYTES = 16 * GIB;
export const MIN_DISK_BYTES = 100 * GIB;

export interface MissingPrerequisite {
  kind: 'arch' | 'memory' | 'disk' | 'podman' | 'git';
  message: string;
  /** What to do about it. */
  fix: string;
}

export interface PrerequisiteReport {
  /** True when nothing is missing, or when overridden. */
  ok: boolean;
  overridden: boolean;
  missing: MissingPrerequisite[];
  /** Not blocking, but known to matter for the hashes (non-Ubuntu or old Ubuntu, WSL). */
  warnings: { kind: 'os' | 'wsl'; message: string }[];
}

/** Pure: soft warnings from /etc/os-release and WSL detection. */
export function prerequisiteWarnings(os: { name: string; version: string }, wsl: boolean): PrerequisiteReport['warnings'] {
  const out: PrerequisiteReport['warnings'] = [];
  const v = /^(\d+)\.(\d+)/.exec(os.version);
  const ubuntuOk = /ubuntu/i.test(os.name) && v !== null && (Number(v[1]) > 22 || (Number(v[1]) === 22 && Number(v[2]) >= 4));
  if (!ubuntuOk) {
    out.push({ kind: 'os', message: `${os.name} ${os.version}: DFINITY builds on Ubuntu ≥ 22.04; other hosts are less tested` });
  }
  if (wsl) {
    out.push({ kind: 'wsl', message: 'WSL2: keep the build temp dirs on a 4096-byte-block filesystem and give the VM ≥ 16 GiB; WSL builds have diverged before' });
  }
  return out;
}

export interface Facts {
  arch: string;
  memoryBytes: number;
  diskFreeBytes: number | null;
  podman: boolean;
  git: boolean;
}

/** Pure: the missing list from measured facts. */
export function evaluatePrerequisites(f: Facts, dir: string): MissingPrerequisite[] {
  const out: MissingPrerequisite[] = [];
  if (f.arch !== 'x64' && f.arch !== 'x86_64') {
    out.push({ kind: 'arch', message: `CPU architecture is ${f.arch}; IC-OS builds need x86_64`, fix: 'run on an x86_64 Linux machine' });
  }
  if (f.memoryBytes < MIN_RAM_BYTES) {
    out.push({
      kind: 'memory',
      message: `${(f.memoryBytes / GIB).toFixed(1)} GiB RAM; the build needs at least 16 GiB (less risks an out-of-memory or a wrong image)`,
      fix: 'use a machine (or WSL2 VM setting) with 16 GiB RAM or more',
    });
  }
  if (f.diskFreeBytes === null || f.diskFreeBytes < MIN_DISK_BYTES) {
    out.push({
      kind: 'disk',
      message:
        f.diskFreeBytes === null
          ? `cannot tell the free disk space at ${dir}`
          : `${(f.diskFreeBytes / GIB).toFixed(1)} GiB free at ${dir}; the build needs at least 100 GiB`,
      fix: 'free disk space or choose a --workdir on a larger disk',
    });
  }
  if (!f.podman) out.push({ kind: 'podman', message: 'podman is not installed', fix: 'install podman (Ubuntu: sudo apt-get install podman)' });
  if (!f.git) out.push({ kind: 'git', message: 'git is not installed', fix: 'install git (Ubuntu: sudo apt-get install git)' });
  return out;
}

/** Free bytes on the filesystem holding `dir` (or its nearest existing parent). */
export async function freeBytes(dir: string): Promise<number | null> {
  let d = dir;
  for (let i = 0; i < 64; i++) {
    try {
      const s = await statfs(d);
      return Number(s.bavail) * Number(s.bsize);
    } catch {
      const parent = d.replace(/\/[^/]*\/?$/, '') || '/';
      if (parent === d) return null;
      d = parent;
    }
  }
  return null;
}

export async function checkPrerequisites(opts: { workdir: string; override?: boolean }): Promise<PrerequisiteReport> {
  const [podman, git, disk] = await Promise.all([run('podman', ['--version']), run('git', ['--version']), freeBytes(opts.workdir)]);
  const missing = evaluatePrerequisites(
    { arch: arch(), memoryBytes: totalmem(), diskFreeBytes: disk, podman: podman.ok, git: git.ok },
    opts.workdir,
  );
  const overridden = Boolean(opts.override) && missing.length > 0;
  let osRelease: string | null = null;
  let procVersion: string | null = null;
  try {
    osRelease = await readFile('/etc/os-release', 'utf8');
  } catch {
    osRelease = null;
  }
  try {
    procVersion = await readFile('/proc/version', 'utf8');
  } catch {
    procVersion = null;
  }
  const warnings = prerequisiteWarnings(parseOsRelease(osRelease), detectWsl(procVersion, process.env));
  return { ok: missing.length === 0 || Boolean(opts.override), overridden, missing, warnings };
}
