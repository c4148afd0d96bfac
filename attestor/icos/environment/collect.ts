/**
 * The environment record: the known causes of divergent IC-OS hashes (icos-facts.md,
 * "Known causes"). Every probe is tolerant: a missing tool or file gives null/'unknown',
 * and collectEnvironment never throws.
 */
import { existsSync } from 'node:fs';
import { readFile, statfs } from 'node:fs/promises';
import { arch, cpus, release as kernelRelease, totalmem, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Environment } from '../../../protocol/types.js';
import { sha256File } from '../../hash/sha256-file.js';
import { freeBytes } from '../build/prerequisites.js';
import { run } from './exec.js';
import { detectWsl, fsTypeName, isTmpfs, parseOsRelease, parseStatF, parseToolVersion, unameArch } from './probes.js';

export interface CollectOptions {
  /** The ic checkout; null for a check without a build. */
  repoDir: string | null;
  /** The build's temp dirs; default os.tmpdir() plus the dirs the IC-OS build uses. */
  tempDirs?: string[];
  /** Build script path relative to repoDir; null when nothing was built. */
  script: string | null;
  commandLine: string[];
  /** False for a non-release build (e.g. --no-release). */
  release: boolean;
  /** Used for git.commit when repoDir gives none (a check without a checkout). */
  commit?: string;
}

/** Temp dirs the IC-OS build writes through (container tmpfs mounts, sysimage scratch). */
export function defaultTempDirs(repoDir: string | null): string[] {
  return [tmpdir(), '/var/tmp', '/tmp/containers', '/var/sysimage', ...(repoDir ? [repoDir] : [])];
}

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

function nearestExisting(path: string): string {
  let p = resolve(path);
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}

/** Filesystem type and block size of the filesystem holding `path`. */
export async function probeTempDir(path: string): Promise<Environment['tempDirs'][number] | null> {
  const probed = nearestExisting(path);
  const st = await run('stat', ['-f', '-c', '%T %S', probed]);
  const parsed = st.ok ? parseStatF(st.stdout) : null;
  if (parsed) return { path: probed, fsType: parsed.fsType, blockSize: parsed.blockSize, tmpfs: isTmpfs(parsed.fsType) };
  try {
    const s = await statfs(probed);
    const fsType = fsTypeName(Number(s.type));
    return { path: probed, fsType, blockSize: Number(s.bsize), tmpfs: isTmpfs(fsType) };
  } catch {
    return null;
  }
}

async function rootful(repoDir: string | null): Promise<boolean | null> {
  if (typeof process.getuid === 'function' && process.getuid() === 0) return true;
  // The commit's own container runner decides: `sudo podman` means a rootful engine.
  if (repoDir) {
    const runner = await readText(join(repoDir, 'ci/container/container-run.sh'));
    if (runner && /\bsudo\s+(-\S+\s+)*podman\b/.test(runner)) return true;
  }
  const info = await run('podman', ['info', '--format', '{{.Host.Security.Rootless}}'], { timeoutMs: 20_000 });
  if (info.ok) {
    const v = info.stdout.trim();
    if (v === 'true') return false;
    if (v === 'false') return true;
  }
  return null;
}

export async function collectEnvironment(opts: CollectOptions): Promise<Environment> {
  const repoDir = opts.repoDir;
  const [osRelease, procVersion, podman, docker, diskFree, root] = await Promise.all([
    readText('/etc/os-release'),
    readText('/proc/version'),
    run('podman', ['--version']),
    run('docker', ['--version']),
    freeBytes(repoDir ?? tmpdir()),
    rootful(repoDir),
  ]);

  const seen = new Set<string>();
  const tempDirs: Environment['tempDirs'] = [];
  for (const d of opts.tempDirs ?? defaultTempDirs(repoDir)) {
    const t = await probeTempDir(d);
    if (t && !seen.has(t.path)) {
      seen.add(t.path);
      tempDirs.push(t);
    }
  }

  let git: Environment['git'] = { commit: opts.commit ?? '', clean: false };
  if (repoDir && existsSync(repoDir)) {
    const [head, status] = await Promise.all([
      run('git', ['rev-parse', 'HEAD'], { cwd: repoDir }),
      run('git', ['status', '--porcelain'], { cwd: repoDir, timeoutMs: 120_000 }),
    ]);
    git = {
      commit: head.ok ? head.stdout.trim() : (opts.commit ?? ''),
      clean: status.ok && status.stdout.trim() === '',
    };
  }

  let script: Environment['script'] = null;
  if (opts.script && repoDir) {
    const h = await sha256File(join(repoDir, opts.script));
    script = { path: opts.script, sha256: h.ok ? h.sha256 : '' };
  }

  let cpuCount = 0;
  try {
    cpuCount = cpus().length;
  } catch {
    cpuCount = 0;
  }

  return {
    os: parseOsRelease(osRelease),
    kernel: safe(() => kernelRelease(), 'unknown'),
    wsl: detectWsl(procVersion, process.env),
    arch: unameArch(arch()),
    cpus: cpuCount,
    memoryBytes: safe(() => totalmem(), 0),
    diskFreeBytes: diskFree ?? 0,
    podman: podman.ok ? parseToolVersion(podman.stdout) : null,
    docker: docker.ok ? parseToolVersion(docker.stdout) : null,
    rootful: root,
    tempDirs,
    git,
    script,
    commandLine: [...opts.commandLine],
    release: opts.release,
  };
}

function safe<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch {
    return fallback;
  }
}
