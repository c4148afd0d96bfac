/**
 * Pure readers for the build container: what the commit's `container-run.sh` declares (tmpfs
 * mounts, image), and what a probe run through that same script saw inside the container.
 * Older scripts mount `--mount type=tmpfs[,tmpfs-size=…],destination=/var/sysimage`; newer ones
 * drop it (scratch in the Bazel working dir) and pin the image by digest (`ci/container/*.digest`).
 */

/** Files that define the build, newest layout first; hashed and compared with the commit. */
export const BUILD_DEFINING_FILES = [
  'ci/container/container-run.sh',
  'ci/container/build-ic.sh',
  'ci/container/Dockerfile',
  'ci/container/TAG',
  'ci/container/ic-build.digest',
  'ci/container/get-image-tag.sh',
  'gitlab-ci/container/container-run.sh',
  'gitlab-ci/container/build-ic.sh',
  'gitlab-ci/container/Dockerfile',
  'gitlab-ci/tools/docker-build-ic',
  'rust-toolchain.toml',
  '.bazelversion',
] as const;

export const CONTAINER_SCRIPTS = ['ci/container/container-run.sh', 'gitlab-ci/container/container-run.sh'] as const;

export interface ContainerScript {
  /** Destinations of tmpfs mounts (`--mount type=tmpfs,…,destination=X` or `--tmpfs X`). */
  declaredTmpfs: string[];
  /** Image repository the script runs (`ghcr.io/dfinity/ic-build`), null when not found. */
  image: string | null;
  /** Whether it runs podman through sudo (rootful). */
  rootful: boolean;
}

export function parseContainerScript(text: string): ContainerScript {
  const tmpfs = new Set<string>();
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line)) continue;
    for (const m of line.matchAll(/type=tmpfs[^\s"']*?(?:destination|dst|target)=([^\s,"']+)/g)) tmpfs.add(m[1]);
    for (const m of line.matchAll(/--tmpfs[= ]+["']?(\/[^\s:"']+)/g)) tmpfs.add(m[1]);
  }
  const image = /["']?((?:ghcr\.io|docker\.io)\/dfinity\/[a-z0-9-]+)/.exec(text)?.[1] ?? null;
  return { declaredTmpfs: [...tmpfs].sort(), image, rootful: /\bsudo\s+(-\S+\s+)*podman\b/.test(text) };
}

/** `stat -f -c '%n %T %S'` lines from inside the container → filesystem per path. */
export function parseProbeStat(out: string): { path: string; fsType: string; blockSize: number }[] {
  const rows: { path: string; fsType: string; blockSize: number }[] = [];
  for (const line of out.split('\n')) {
    const m = /^(\/\S*)\s+(\S+)\s+(\d+)\s*$/.exec(line.trim());
    if (m) rows.push({ path: m[1], fsType: m[2], blockSize: Number(m[3]) });
  }
  return rows;
}
