/**
 * The catalogue of known causes of divergent IC-OS hashes: for each, the evidence that points to
 * it (read from one environment record, so one reviewer alone can be told) and the fix to print.
 * Used by the diagnosis (attestations) and by `icos-attest doctor` (this machine, before a build).
 *
 * `scope`: `bytes` causes change the image bytes and explain a divergence; `machine` causes make a
 * build fail or tempt a reviewer into a `bytes` cause (low RAM on WSL → tmpfs turned off), so the
 * doctor reports them and the diagnosis folds them into the fix of the cause they lead to.
 */
import type { EnvironmentV2 } from './environment.js';

export type CauseId =
  | 'script-not-at-commit'
  | 'tmpfs-off'
  | 'filesystem'
  | 'non-release'
  | 'dirty-tree'
  | 'podman-too-old'
  | 'container-engine'
  | 'unpinned-image'
  | 'timestamps'
  | 'sparse-layout'
  | 'low-ram-wsl'
  | 'low-ram'
  | 'low-disk'
  | 'not-x86_64'
  | 'no-podman'
  | 'user-container-conf';

export interface Cause {
  id: CauseId;
  title: string;
  scope: 'bytes' | 'machine';
}

export interface Finding {
  cause: CauseId;
  title: string;
  /** The facts that point to it, for people (`ci/container/build-ic.sh differs from the file at the commit`). */
  evidence: string[];
  /** What to do. */
  fix: string;
}

const GIB = 2 ** 30;
/** Build needs (icos-facts.md): ≥ 16 GiB RAM, ≥ 100 GiB free disk; a tmpfs build on WSL needs more. */
export const MIN_MEMORY = 16 * GIB;
export const MIN_MEMORY_WSL = 24 * GIB;
export const MIN_DISK = 100 * GIB;
export const MIN_PODMAN = [4, 0] as const;
export const BLOCK_SIZE = 4096;

export const CAUSES: Record<CauseId, Cause> = {
  'script-not-at-commit': { id: 'script-not-at-commit', title: 'a file that defines the build is not the one at the commit (outdated or edited script)', scope: 'bytes' },
  'tmpfs-off': { id: 'tmpfs-off', title: 'the tmpfs the commit\'s container script mounts was not a tmpfs', scope: 'bytes' },
  filesystem: { id: 'filesystem', title: 'a build directory is on another filesystem or block size', scope: 'bytes' },
  'non-release': { id: 'non-release', title: 'a non-release build (--no-release)', scope: 'bytes' },
  'dirty-tree': { id: 'dirty-tree', title: 'the checkout was not clean', scope: 'bytes' },
  'podman-too-old': { id: 'podman-too-old', title: 'podman is too old', scope: 'bytes' },
  'container-engine': { id: 'container-engine', title: 'not the rootful podman the commit\'s script runs', scope: 'bytes' },
  'unpinned-image': { id: 'unpinned-image', title: 'the build image is not the one the commit pins', scope: 'bytes' },
  timestamps: { id: 'timestamps', title: 'timestamps differ inside the image', scope: 'bytes' },
  'sparse-layout': { id: 'sparse-layout', title: 'the same content with another sparse layout', scope: 'bytes' },
  'low-ram-wsl': { id: 'low-ram-wsl', title: 'too little RAM for a tmpfs build on WSL', scope: 'machine' },
  'low-ram': { id: 'low-ram', title: 'too little RAM', scope: 'machine' },
  'low-disk': { id: 'low-disk', title: 'too little free disk', scope: 'machine' },
  'not-x86_64': { id: 'not-x86_64', title: 'not an x86_64 machine', scope: 'machine' },
  'no-podman': { id: 'no-podman', title: 'no podman', scope: 'machine' },
  'user-container-conf': { id: 'user-container-conf', title: '~/.container-run.conf can change the build container', scope: 'machine' },
};

const gib = (n: number) => `${Math.round((n / GIB) * 10) / 10} GiB`;
const WSL_FIX = 'on WSL give the VM ≥ 24 GiB (`memory=24GB` under [wsl2] in .wslconfig, then `wsl --shutdown`)';

function finding(cause: CauseId, evidence: string[], fix: string): Finding {
  return { cause, title: CAUSES[cause].title, evidence, fix };
}

/** `4.9.3` → [4, 9, 3]; null when no number leads. */
export function versionParts(v: string | null): number[] | null {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(v ?? '');
  return m ? [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)] : null;
}

function olderThan(v: number[], min: readonly number[]): boolean {
  for (let i = 0; i < min.length; i++) if ((v[i] ?? 0) !== min[i]) return (v[i] ?? 0) < min[i];
  return false;
}

/** The container mount points the commit's script declares as tmpfs and that were not tmpfs. */
function tmpfsOff(env: EnvironmentV2): { target: string; fsType: string }[] {
  const out: { target: string; fsType: string }[] = [];
  for (const t of env.container?.declaredTmpfs ?? []) {
    const d = env.dirs.find((x) => x.role === `container:${t}`);
    if (d && !d.tmpfs) out.push({ target: t, fsType: d.fsType });
  }
  return out;
}

/** The fix for tmpfs-off, with the WSL memory advice when that is what pushed the reviewer there. */
export function tmpfsFix(env: EnvironmentV2, targets: string[]): string {
  const where = targets.length ? targets.map((t) => `\`${t}\``).join(', ') : 'the build container';
  let fix = `keep the tmpfs the commit's container script mounts at ${where} (do not remove it in the script or in ~/.container-run.conf)`;
  if (env.wsl && env.memoryBytes < MIN_MEMORY_WSL) fix += `; ${WSL_FIX}`;
  return `${fix}.`;
}

export function scriptFix(paths: string[], commit: string): string {
  const list = paths.map((p) => `\`${p}\``).join(', ');
  return `use the file${paths.length === 1 ? '' : 's'} at the commit: ${list} (a fresh checkout of ${commit.slice(0, 12)}, or \`git checkout ${commit.slice(0, 12)} -- ${paths.join(' ')}\`), then rebuild with the commit's \`ci/container/build-ic.sh\`.`;
}

/**
 * Every catalogued cause the facts of one environment show, `bytes` ones first. Pure.
 * `scope: 'bytes'` limits it to causes that change image bytes (the diagnosis).
 */
export function findingsOf(env: EnvironmentV2, opts: { scope?: 'bytes' | 'all' } = {}): Finding[] {
  const out: Finding[] = [];
  const commit = env.git.commit;
  const changed = env.files.filter((f) => f.atCommit === false).map((f) => f.path);
  if (changed.length) out.push(finding('script-not-at-commit', changed.map((p) => `\`${p}\` differs from the file at the commit`), scriptFix(changed, commit)));

  const off = tmpfsOff(env);
  if (off.length) {
    const ev = off.map((o) => `\`${o.target}\` was ${o.fsType}, not tmpfs, inside the build container`);
    if (env.container?.userConfig) ev.push('~/.container-run.conf was sourced by the container script');
    if (env.wsl && env.memoryBytes < MIN_MEMORY_WSL) ev.push(`WSL with ${gib(env.memoryBytes)} RAM`);
    out.push(finding('tmpfs-off', ev, tmpfsFix(env, off.map((o) => o.target))));
  }

  const offRoles = new Set(off.map((o) => `container:${o.target}`));
  const fs = env.dirs.filter((d) => !offRoles.has(d.role) && d.blockSize !== BLOCK_SIZE && d.blockSize > 0);
  if (fs.length) {
    out.push(
      finding(
        'filesystem',
        fs.map((d) => `\`${d.role}\` is ${d.fsType} with ${d.blockSize}-byte blocks`),
        `build on a filesystem with ${BLOCK_SIZE}-byte blocks (ext4 or tmpfs): the sparse tars record holes as the filesystem reports them.`,
      ),
    );
  }
  if (!env.release) out.push(finding('non-release', ['a non-release build (`--no-release`)'], 'build without `--no-release`: `ci/container/build-ic.sh --icos` (a release build adds `--config=stamped`).'));
  if (!env.git.clean) out.push(finding('dirty-tree', ['`git status --porcelain` was not empty'], `build from a clean checkout of the commit (\`git status --porcelain\` must print nothing).`));

  const c = env.container;
  if (c && c.engine === 'podman') {
    const v = versionParts(c.version);
    if (v && olderThan(v, MIN_PODMAN)) out.push(finding('podman-too-old', [`podman ${c.version}`], `install podman ≥ ${MIN_PODMAN.join('.')} (Ubuntu ≥ 22.04: \`apt-get install podman\`).`));
  }
  if (c && (c.engine === 'docker' || c.rootful === false)) {
    out.push(finding('container-engine', [c.engine === 'docker' ? 'built with docker' : 'podman ran rootless'], 'build with the commit\'s own script, which runs rootful `sudo podman` (needs `sudo -n true` to work).'));
  }
  if (c && c.imagePinned === false) {
    out.push(finding('unpinned-image', [`the build image ${c.image ?? '(unnamed)'} is not the digest the commit pins`], 'unset CONTAINER_RUN_ALLOW_UNPINNED and let the commit\'s script pull the image it pins (`ci/container/*.digest`).'));
  }
  if (opts.scope === 'bytes') return out;

  if (env.wsl && env.memoryBytes < MIN_MEMORY_WSL) {
    out.push(finding('low-ram-wsl', [`WSL with ${gib(env.memoryBytes)} RAM`], `${WSL_FIX}; a tmpfs build does not fit in less, and turning the tmpfs off changes the hashes.`));
  } else if (env.memoryBytes > 0 && env.memoryBytes < MIN_MEMORY) {
    out.push(finding('low-ram', [`${gib(env.memoryBytes)} RAM`], `build on a machine with ≥ ${gib(MIN_MEMORY)} RAM.`));
  }
  if (env.diskFreeBytes < MIN_DISK) out.push(finding('low-disk', [`${gib(env.diskFreeBytes)} free`], `free ≥ ${gib(MIN_DISK)} for the build (the checkout, Bazel's cache and the images).`));
  if (env.arch !== 'x86_64') out.push(finding('not-x86_64', [`arch ${env.arch}`], 'build on an x86_64 machine.'));
  if (!c || c.engine !== 'podman') {
    // One finding for one fact: without podman, "not rootful podman" says nothing more.
    const i = out.findIndex((f) => f.cause === 'container-engine');
    if (i >= 0) out.splice(i, 1);
    out.push(finding('no-podman', [c ? `only ${c.engine} found` : 'podman not found'], 'install podman (Ubuntu ≥ 22.04: `apt-get install podman`).'));
  }
  if (c?.userConfig && !off.length) {
    out.push(finding('user-container-conf', ['~/.container-run.conf exists'], 'move ~/.container-run.conf aside while building a release: the commit\'s script sources it and it can change mounts (the tmpfs) and the image.'));
  }
  return out;
}
