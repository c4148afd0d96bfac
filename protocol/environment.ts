/**
 * The environment record, version 2: what sets the bytes of an IC-OS build, and nothing private.
 *
 * v1 recorded absolute host paths (the reviewer's checkout under /home/<user>/…), so every
 * reviewer "differed" and home paths were signed forever. v2 names build directories by role
 * (`repo`, `tmp`, `var-tmp`, `container:/var/sysimage`), records the build container's mounts as
 * seen inside it, and hashes every file that defines the build with whether it equals the file at
 * the proposal's commit. `normaliseEnvironment` turns a v1 record into this shape (for attesting
 * old result files and for diagnosing v1 attestations with v2 rules).
 */
import type { Environment, HostFacts } from './types.js';

/** One directory the build writes through, by role; the filesystem facts that shape sparse tars. */
export interface BuildDir {
  /** `repo`, `tmp`, `var-tmp`, `cache`, or `container:<path inside the build container>`. */
  role: string;
  fsType: string;
  blockSize: number;
  tmpfs: boolean;
}

/** A file that defines the build (container script, build script, Dockerfile, toolchain pins). */
export interface BuildFile {
  /** Relative to the checkout, e.g. `ci/container/container-run.sh`. */
  path: string;
  sha256: string;
  /** Whether it equals the file at the proposal's commit; null when that could not be checked. */
  atCommit: boolean | null;
}

/** The container engine and the build container, as far as they could be seen. */
export interface ContainerFacts {
  engine: 'podman' | 'docker';
  version: string | null;
  rootful: boolean | null;
  /** Storage driver (`overlay`, `vfs`, `btrfs`…); null when unknown. */
  storageDriver: string | null;
  /** Image the commit's script runs: `ghcr.io/dfinity/ic-build@sha256:…` or `…:<tag>`; null if unknown. */
  image: string | null;
  /** Whether that image is the digest the commit pins (`ci/container/*.digest`); null when it pins none. */
  imagePinned: boolean | null;
  /** How the container facts were learned: a probe run in the image, `inspect` of the build
   *  container, or only read from the commit's script. */
  source: 'probe' | 'inspect' | 'script';
  /** Whether a per-user `~/.container-run.conf` (sourced by the script, can change mounts) exists. */
  userConfig: boolean;
  /** Mount points the commit's container script declares as tmpfs (e.g. `/var/sysimage`). */
  declaredTmpfs: string[];
}

export interface EnvironmentV2 extends HostFacts {
  /** Null when no container engine was found (a check without a build). */
  container: ContainerFacts | null;
  dirs: BuildDir[];
  git: { commit: string; clean: boolean };
  /** Path of the build script that ran, relative to the checkout; null for a check. */
  script: string | null;
  files: BuildFile[];
  /** Arguments with host paths replaced by roles (`<repo>/…`, `~/…`). */
  commandLine: string[];
  release: boolean;
}

/**
 * Home paths and user names: `/home/<x>`, `/Users/<x>`, `/root/`, `C:\Users\<x>`, and `~<user>`.
 * Used by validate (v2 refuses them anywhere in the environment) and by normalisation.
 */
const PRIVATE = /(^|[^A-Za-z0-9_.-])(\/home\/[^/\s]+|\/Users\/[^/\s]+|\/root(?=\/|$|[\s:=,;"'])|[A-Za-z]:[\\/]+Users[\\/]+[^\\/\s]+|~[A-Za-z_][A-Za-z0-9_.-]*)/i;

/** The first home path or user-naming fragment in `text`, or null. */
export function findPrivatePath(text: string): string | null {
  const m = PRIVATE.exec(text);
  return m ? m[2] : null;
}

/** Host paths the normalisation knows, each replaced by its role. */
export interface PathContext {
  repo?: string | null;
  home?: string | null;
  tmp?: string | null;
}

const trimSlash = (p: string) => (p.length > 1 ? p.replace(/[\\/]+$/, '') : p);

/**
 * A host path as a role: the checkout → `<repo>`, the home dir → `~`, any other home path →
 * `~user` stripped to `~`, temp dir → `<tmp>`. Paths outside these are kept (system paths like
 * /var/tmp say nothing about a person).
 */
export function redactPath(text: string, ctx: PathContext = {}): string {
  let out = text;
  const pairs: [string | null | undefined, string][] = [
    [ctx.repo, '<repo>'],
    [ctx.home, '~'],
    [ctx.tmp, '<tmp>'],
  ];
  for (const [p, role] of pairs.sort((a, b) => (b[0]?.length ?? 0) - (a[0]?.length ?? 0))) {
    if (!p || p === '/') continue;
    const base = trimSlash(p);
    out = out.split(base).join(role);
  }
  // Any home path left (another user's, or a path the context did not name) loses its owner.
  return out
    .replace(/\/home\/[^/\s]+/g, '~')
    .replace(/\/Users\/[^/\s]+/g, '~')
    .replace(/\/root(?=\/|$|[\s:=,;"'])/g, '~')
    .replace(/[A-Za-z]:[\\/]+Users[\\/]+[^\\/\s]+/gi, '~')
    .replace(/~[A-Za-z_][A-Za-z0-9_.-]*/g, '~');
}

/** The role of a directory the build wrote through (v1 records named absolute paths). */
export function roleOfDir(path: string, ctx: PathContext = {}): string {
  const p = trimSlash(path);
  if (ctx.repo && p === trimSlash(ctx.repo)) return 'repo';
  if (ctx.tmp && p === trimSlash(ctx.tmp)) return 'tmp';
  if (p === '/tmp') return 'tmp';
  if (p === '/var/tmp') return 'var-tmp';
  if (p === '/tmp/containers') return 'tmp-containers';
  // v1 probed /var/sysimage on the host: that is the host's dir, not the container's tmpfs.
  if (p === '/var/sysimage') return 'host:/var/sysimage';
  if (p === '/var' || p === '/') return `host:${p}`;
  // Anything else is where the reviewer keeps the checkout (v1 added repoDir last).
  return 'repo';
}

/** Roles are short names or container paths; never host paths of a person. */
export const ROLE = /^(repo|tmp|var-tmp|tmp-containers|cache|bazel-out|host:\/[A-Za-z0-9._/-]*|container:\/[A-Za-z0-9._/~-]*)$/;

/** Container paths under a home dir (`/home/ubuntu/.cache`) become `~/.cache`. */
export function containerRole(target: string): string {
  return `container:${redactPath(target).replace(/^~/, '/~')}`;
}

/** A v1 record in v2 shape: roles instead of paths, the build script as the one known file. */
export function upgradeEnvironment(v1: Environment, ctx: PathContext = {}): EnvironmentV2 {
  const dirs: BuildDir[] = [];
  for (const d of v1.tempDirs ?? []) {
    const role = roleOfDir(d.path, ctx);
    if (dirs.some((x) => x.role === role)) continue;
    dirs.push({ role, fsType: d.fsType, blockSize: d.blockSize, tmpfs: d.tmpfs });
  }
  const engine = v1.podman !== null ? 'podman' : v1.docker !== null ? 'docker' : null;
  return {
    os: { ...v1.os },
    kernel: v1.kernel,
    wsl: v1.wsl,
    arch: v1.arch,
    cpus: v1.cpus,
    memoryBytes: v1.memoryBytes,
    diskFreeBytes: v1.diskFreeBytes,
    container:
      engine === null
        ? null
        : { engine, version: engine === 'podman' ? v1.podman : v1.docker, rootful: v1.rootful, storageDriver: null, image: null, imagePinned: null, source: 'script', userConfig: false, declaredTmpfs: [] },
    dirs,
    git: { ...v1.git },
    script: v1.script ? redactPath(v1.script.path, ctx) : null,
    files: v1.script && /^[0-9a-f]{64}$/.test(v1.script.sha256) ? [{ path: redactPath(v1.script.path, ctx), sha256: v1.script.sha256, atCommit: null }] : [],
    commandLine: (v1.commandLine ?? []).map((a) => redactPath(a, ctx)),
    release: v1.release,
  };
}

export function isEnvironmentV2(e: unknown): e is EnvironmentV2 {
  return typeof e === 'object' && e !== null && Array.isArray((e as EnvironmentV2).dirs) && Array.isArray((e as EnvironmentV2).files);
}

/** Either version, as v2 (v2 records pass through with paths redacted again, defensively). */
export function normaliseEnvironment(e: Environment | EnvironmentV2, ctx: PathContext = {}): EnvironmentV2 {
  if (!isEnvironmentV2(e)) return upgradeEnvironment(e, ctx);
  return {
    ...e,
    script: e.script === null ? null : redactPath(e.script, ctx),
    files: e.files.map((f) => ({ ...f, path: redactPath(f.path, ctx) })),
    commandLine: e.commandLine.map((a) => redactPath(a, ctx)),
  };
}
