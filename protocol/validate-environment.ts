/**
 * Validation of the environment record, v1 (types.ts) and v2 (environment.ts), which share the
 * host facts, git state and command line; and the v2 privacy rule: no home path or user name
 * anywhere in the predicate. Manifests are exempt: they are measured from the built image, which
 * is public, and say nothing about the reviewer's machine.
 */
import { findPrivatePath, ROLE } from './environment.js';
import { LIMITS } from './limits.js';
import { arr, bad, bool, hex, HEX40, int, nullable, obj, sha, str } from './validate-fields.js';

const P = 'predicate.environment';
/** Fields both versions share, checked by `checkCommon`. */
const COMMON = ['os', 'kernel', 'wsl', 'arch', 'cpus', 'memoryBytes', 'diskFreeBytes', 'git', 'commandLine', 'release'];

/** Host facts, git state, command line and release flag: the same in v1 and v2. */
function checkCommon(e: Record<string, unknown>): void {
  const os = obj(e.os, `${P}.os`, ['name', 'version']);
  str(os.name, `${P}.os.name`, LIMITS.shortString);
  str(os.version, `${P}.os.version`, LIMITS.shortString, false);
  str(e.kernel, `${P}.kernel`, LIMITS.shortString, false);
  bool(e.wsl, `${P}.wsl`);
  str(e.arch, `${P}.arch`, LIMITS.shortString);
  int(e.cpus, `${P}.cpus`, 1, 1 << 16);
  int(e.memoryBytes, `${P}.memoryBytes`, 0);
  int(e.diskFreeBytes, `${P}.diskFreeBytes`, 0);
  const git = obj(e.git, `${P}.git`, ['commit', 'clean']);
  hex(git.commit, `${P}.git.commit`, HEX40, 'a 40-hex lowercase git commit');
  bool(git.clean, `${P}.git.clean`);
  arr(e.commandLine, `${P}.commandLine`, 0, LIMITS.commandLineArgs).forEach((a, i) => str(a, `${P}.commandLine[${i}]`, LIMITS.longString, false));
  bool(e.release, `${P}.release`);
}

/** A directory's filesystem facts (v1 tempDirs[], v2 dirs[]). */
function checkFs(o: Record<string, unknown>, path: string): void {
  str(o.fsType, `${path}.fsType`, LIMITS.shortString);
  int(o.blockSize, `${path}.blockSize`, 0, 1 << 30);
  bool(o.tmpfs, `${path}.tmpfs`);
}

/** v1: absolute temp dir paths, the build script by path and hash. */
export function checkEnvironment(v: unknown): void {
  const e = obj(v, P, [...COMMON, 'podman', 'docker', 'rootful', 'tempDirs', 'script']);
  checkCommon(e);
  nullable(e.podman, `${P}.podman`, (x, p) => str(x, p, LIMITS.shortString));
  nullable(e.docker, `${P}.docker`, (x, p) => str(x, p, LIMITS.shortString));
  nullable(e.rootful, `${P}.rootful`, bool);
  arr(e.tempDirs, `${P}.tempDirs`, 0, LIMITS.tempDirs).forEach((t, i) => {
    const tp = `${P}.tempDirs[${i}]`;
    const o = obj(t, tp, ['path', 'fsType', 'blockSize', 'tmpfs']);
    str(o.path, `${tp}.path`, LIMITS.longString);
    checkFs(o, tp);
  });
  nullable(e.script, `${P}.script`, (x, p) => {
    const s = obj(x, p, ['path', 'sha256']);
    str(s.path, `${p}.path`, LIMITS.longString);
    sha(s.sha256, `${p}.sha256`);
  });
}

const ENGINES = ['podman', 'docker'];
const SOURCES = ['probe', 'inspect', 'script'];
/** Relative path inside the checkout: no leading slash, no `..`, no drive letter. */
const REL = /^(?![\\/])(?![A-Za-z]:)(?!.*(^|[\\/])\.\.([\\/]|$))[^\0]+$/;

/** v2: directories by role, the container, every file that defines the build. */
export function checkEnvironmentV2(v: unknown): void {
  const e = obj(v, P, [...COMMON, 'container', 'dirs', 'script', 'files']);
  checkCommon(e);
  nullable(e.container, `${P}.container`, (x, p) => {
    const c = obj(x, p, ['engine', 'version', 'rootful', 'storageDriver', 'image', 'imagePinned', 'source', 'userConfig', 'declaredTmpfs']);
    if (typeof c.engine !== 'string' || !ENGINES.includes(c.engine)) bad(`${p}.engine`, `expected one of ${ENGINES.join(', ')}`);
    nullable(c.version, `${p}.version`, (y, q) => str(y, q, LIMITS.shortString));
    nullable(c.rootful, `${p}.rootful`, bool);
    nullable(c.storageDriver, `${p}.storageDriver`, (y, q) => str(y, q, LIMITS.shortString));
    nullable(c.image, `${p}.image`, (y, q) => str(y, q, LIMITS.shortString));
    nullable(c.imagePinned, `${p}.imagePinned`, bool);
    if (typeof c.source !== 'string' || !SOURCES.includes(c.source)) bad(`${p}.source`, `expected one of ${SOURCES.join(', ')}`);
    bool(c.userConfig, `${p}.userConfig`);
    arr(c.declaredTmpfs, `${p}.declaredTmpfs`, 0, LIMITS.tempDirs).forEach((t, i) => {
      const tp = `${p}.declaredTmpfs[${i}]`;
      if (!str(t, tp, LIMITS.shortString).startsWith('/')) bad(tp, 'expected an absolute path inside the container');
    });
  });
  const roles = new Set<string>();
  arr(e.dirs, `${P}.dirs`, 0, LIMITS.tempDirs).forEach((d, i) => {
    const dp = `${P}.dirs[${i}]`;
    const o = obj(d, dp, ['role', 'fsType', 'blockSize', 'tmpfs']);
    const role = str(o.role, `${dp}.role`, LIMITS.shortString);
    if (!ROLE.test(role)) bad(`${dp}.role`, `expected a role (repo, tmp, var-tmp, cache, container:/path), not a host path: ${JSON.stringify(role.slice(0, 40))}`);
    if (roles.has(role)) bad(`${dp}.role`, `${role} appears twice`);
    roles.add(role);
    checkFs(o, dp);
  });
  nullable(e.script, `${P}.script`, relative);
  const paths = new Set<string>();
  arr(e.files, `${P}.files`, 0, LIMITS.buildFiles).forEach((f, i) => {
    const fp = `${P}.files[${i}]`;
    const o = obj(f, fp, ['path', 'sha256', 'atCommit']);
    const path = relative(o.path, `${fp}.path`);
    if (paths.has(path)) bad(`${fp}.path`, `${path} appears twice`);
    paths.add(path);
    sha(o.sha256, `${fp}.sha256`);
    nullable(o.atCommit, `${fp}.atCommit`, bool);
  });
}

function relative(v: unknown, path: string): string {
  const s = str(v, path, LIMITS.longString);
  if (!REL.test(s)) bad(path, `expected a path relative to the checkout, got ${JSON.stringify(s.slice(0, 40))}`);
  return s;
}

/**
 * v2: no home path or user name in any string of the predicate (manifests excepted, see above).
 * Runs after the shape checks, so it only walks validated, bounded JSON.
 */
export function checkNoPrivatePaths(predicate: Record<string, unknown>): void {
  const walk = (v: unknown, path: string): void => {
    if (typeof v === 'string') {
      const hit = findPrivatePath(v);
      if (hit !== null) bad(path, `holds a home path or user name (${JSON.stringify(hit.slice(0, 40))}); v2 attestations carry roles (<repo>, ~, tmp), never host paths`);
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, `${path}[${i}]`));
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, x] of Object.entries(v)) if (k !== 'manifest') walk(x, `${path}.${k}`);
    }
  };
  walk(predicate, 'predicate');
}
