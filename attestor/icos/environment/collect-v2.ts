/**
 * The v2 environment record (protocol/environment.ts) of this machine and a checkout: host facts
 * as in v1, build dirs by role, every file that defines the build hashed and compared with the
 * proposal's commit (`git diff --quiet <commit> -- <path>`), and the build container as seen
 * from inside it: a probe run through the commit's own container script, so the same mounts
 * (and the same ~/.container-run.conf) apply as in the build. Never throws.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { normaliseEnvironment, type BuildDir, type BuildFile, type ContainerFacts, type EnvironmentV2 } from '../../../protocol/environment.js';
import { sha256File } from '../../hash/sha256-file.js';
import { collectEnvironment, type CollectOptions } from './collect.js';
import { BUILD_DEFINING_FILES, CONTAINER_SCRIPTS, parseContainerScript, parseProbeStat } from './container.js';
import { run } from './exec.js';
import { isTmpfs } from './probes.js';

export interface CollectV2Options extends CollectOptions {
  /** Run `stat` inside the build container through the commit's container script (after a build: the image is there). */
  probeContainer?: boolean;
  /** Home directory (for ~/.container-run.conf and redaction); default os.homedir(). */
  home?: string;
}

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

/** Each build-defining file present in the checkout, hashed, and whether it is the commit's. */
export async function buildFiles(repoDir: string, commit: string | null): Promise<BuildFile[]> {
  const out: BuildFile[] = [];
  for (const path of BUILD_DEFINING_FILES) {
    const abs = join(repoDir, path);
    if (!existsSync(abs)) continue;
    const h = await sha256File(abs);
    if (!h.ok) continue;
    let atCommit: boolean | null = null;
    if (commit) {
      const d = await run('git', ['diff', '--quiet', commit, '--', path], { cwd: repoDir, timeoutMs: 60_000 });
      atCommit = d.code === 0 ? true : d.code === 1 ? false : null;
    }
    out.push({ path, sha256: h.sha256, atCommit });
  }
  return out;
}

async function container(repoDir: string | null, home: string, v1: { podman: string | null; docker: string | null; rootful: boolean | null }, probe: boolean): Promise<{ facts: ContainerFacts | null; dirs: BuildDir[] }> {
  const engine = v1.podman !== null ? 'podman' : v1.docker !== null ? 'docker' : null;
  if (engine === null) return { facts: null, dirs: [] };
  const scriptPath = repoDir ? CONTAINER_SCRIPTS.find((p) => existsSync(join(repoDir, p))) : undefined;
  const script = scriptPath ? parseContainerScript((await readText(join(repoDir!, scriptPath))) ?? '') : null;
  const info = engine === 'podman' ? await run('podman', ['info', '--format', '{{.Store.GraphDriverName}}'], { timeoutMs: 20_000 }) : null;
  const digest = repoDir ? (await readText(join(repoDir, 'ci/container/ic-build.digest')))?.trim() : undefined;
  const unpinned = process.env.CONTAINER_RUN_ALLOW_UNPINNED === '1';
  const facts: ContainerFacts = {
    engine,
    version: engine === 'podman' ? v1.podman : v1.docker,
    rootful: script?.rootful ? true : v1.rootful,
    storageDriver: info?.ok ? info.stdout.trim() || null : null,
    image: script?.image ? (digest ? `${script.image}@${digest}` : script.image) : null,
    imagePinned: digest ? (unpinned ? false : true) : null,
    source: 'script',
    userConfig: existsSync(join(home, '.container-run.conf')),
    declaredTmpfs: script?.declaredTmpfs ?? [],
  };
  const dirs: BuildDir[] = [];
  if (probe && repoDir && scriptPath) {
    const targets = [...new Set([...facts.declaredTmpfs, '/tmp', '/ic'])];
    const r = await run(join(repoDir, scriptPath), ['stat', '-f', '-c', '%n %T %S', ...targets], { cwd: repoDir, timeoutMs: 15 * 60_000 });
    const rows = parseProbeStat(r.stdout);
    if (rows.length) {
      facts.source = 'probe';
      for (const row of rows) dirs.push({ role: `container:${row.path}`, fsType: row.fsType, blockSize: row.blockSize, tmpfs: isTmpfs(row.fsType) });
    }
  }
  return { facts, dirs };
}

export async function collectEnvironmentV2(opts: CollectV2Options): Promise<EnvironmentV2> {
  const home = opts.home ?? safeHome();
  const v1 = await collectEnvironment(opts);
  const env = normaliseEnvironment(v1, { repo: opts.repoDir, home, tmp: tmpdir() });
  const c = await container(opts.repoDir, home, v1, opts.probeContainer ?? false);
  env.container = c.facts;
  env.dirs = [...c.dirs, ...env.dirs.filter((d) => !c.dirs.some((x) => x.role === d.role))];
  if (opts.repoDir && existsSync(opts.repoDir)) env.files = await buildFiles(opts.repoDir, opts.commit ?? (v1.git.commit || null));
  return env;
}

function safeHome(): string {
  try {
    return homedir();
  } catch {
    return '';
  }
}
