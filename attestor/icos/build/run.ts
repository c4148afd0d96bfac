/**
 * Runs the commit's own IC-OS build, streams its log, hashes every output, writes the result.
 *
 * State kept in `<workdir>`: `logs/build-<commit12>-<time>.log`, `build-state.json` (what the
 * last successful build produced, for resuming), `result-<commit12>.json` (BuildResultFile).
 * A rerun with the same commit, arguments and a clean tree whose outputs are unchanged
 * (size + mtime) re-hashes them instead of rebuilding, unless `force`.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OsName } from '../../../protocol/types.js';
import { sha256File } from '../../hash/sha256-file.js';
import { measurementsDocument } from '../cdn/launch-measurements.js';
import { parseLaunchMeasurements } from '../cdn/measurements.js';
import type { OnProgress } from '../../hash/progress.js';
import { defaultTempDirs } from '../environment/collect.js';
import { collectEnvironmentV2 } from '../environment/collect-v2.js';
import { containerRunConf, scrubEnv } from './env.js';
import { checkEraPrerequisites, type EraPrerequisite } from './era-prerequisites.js';
import { allOutputPaths, BUILD_SCRIPTS, builtArtifactName, CHECKER_PATHS, CONTAINER_RUN_SCRIPTS, detectLayout, type BuildLayout } from './layout.js';
import { fileAtCommit, headCommit, pathsAtCommit, porcelain } from './repo.js';
import { BUILD_RESULT_SCHEMA, writeJsonAtomic, type BuildResultFile, type BuiltArtifact } from './result.js';
import { spawnLines } from './spawn-lines.js';

export type BuildErrorKind = 'unknown-layout' | 'wrong-commit' | 'dirty-tree' | 'prerequisites' | 'build-failed' | 'no-outputs' | 'io';
export interface BuildError {
  kind: BuildErrorKind;
  message: string;
  log?: string;
  tail?: string[];
  /** For 'prerequisites': each missing thing and what to run. */
  missing?: EraPrerequisite[];
}

export interface RunBuildOptions {
  repoDir: string;
  /** Holds logs, state and the result file. */
  workdir: string;
  commit: string;
  proposal?: string | null;
  /** OSes wanted; default every OS the layout knows (those not produced are listed as missing only when asked for). */
  os?: OsName[];
  /** Rebuild even when the outputs of an identical earlier build are present. */
  force?: boolean;
  /** Extra arguments for the build script (e.g. --no-release, recorded as release=false). */
  extraArgs?: string[];
  /** Environment the build script's allow-list is taken from (default process.env); see env.ts. */
  env?: NodeJS.ProcessEnv;
  /**
   * What this commit's era needs from the machine (sudo, /dev/kvm, docker, a TTY):
   * 'enforce' refuses to start without it; 'report' (default) records what is missing and builds.
   */
  prerequisites?: 'enforce' | 'report';
  tempDirs?: string[];
  onProgress?: OnProgress;
  /** Minimum ms between progress lines (default 1000; 0 = every line). */
  progressEveryMs?: number;
  resultPath?: string;
  now?: () => Date;
}

export type RunBuildResult = { ok: true; value: { result: BuildResultFile; resultPath: string } } | { ok: false; error: BuildError };

interface BuildState {
  commit: string;
  args: string[];
  startedAt: string;
  finishedAt: string;
  log: string;
  exitCode: number | null;
  outputs: { path: string; size: number; mtimeMs: number }[];
}

/** Reads the layout of the checked-out commit from the files present at it. */
export async function layoutAt(repoDir: string, rev = 'HEAD'): Promise<BuildLayout | { kind: 'unknown-layout'; message: string }> {
  const present = await pathsAtCommit(repoDir, rev, [...BUILD_SCRIPTS, ...CHECKER_PATHS, ...CONTAINER_RUN_SCRIPTS]);
  const scriptPath = BUILD_SCRIPTS.find((p) => present.has(p) && p.endsWith('build-ic.sh'));
  const script = scriptPath ? await fileAtCommit(repoDir, rev, scriptPath) : null;
  const runPath = CONTAINER_RUN_SCRIPTS.find((p) => present.has(p));
  const containerRun = runPath ? await fileAtCommit(repoDir, rev, runPath) : null;
  return detectLayout(present, script, containerRun);
}

async function statOrNull(path: string) {
  try {
    return await stat(path);
  } catch {
    return null;
  }
}

async function readState(path: string): Promise<BuildState | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as BuildState;
  } catch {
    return null;
  }
}

async function reusable(state: BuildState | null, commit: string, args: string[], repoDir: string): Promise<boolean> {
  if (!state || state.commit !== commit || JSON.stringify(state.args) !== JSON.stringify(args) || state.exitCode !== 0) return false;
  if (state.outputs.length === 0) return false;
  for (const o of state.outputs) {
    const s = await statOrNull(join(repoDir, o.path));
    if (!s || s.size !== o.size || s.mtimeMs !== o.mtimeMs) return false;
  }
  return true;
}

export async function runBuild(opts: RunBuildOptions): Promise<RunBuildResult> {
  const now = opts.now ?? (() => new Date());
  const { repoDir, workdir, commit } = opts;

  // The tree must be exactly the commit, clean, before anything runs.
  const head = await headCommit(repoDir);
  if (head !== commit) {
    return { ok: false, error: { kind: 'wrong-commit', message: `${repoDir} is at ${head ?? 'no commit'}, expected ${commit}: run prepareRepo first` } };
  }
  const dirty = await porcelain(repoDir);
  if (dirty === null || dirty.length > 0) {
    return {
      ok: false,
      error: { kind: 'dirty-tree', message: `the ic tree at ${repoDir} is not clean (${(dirty ?? ['git status failed']).slice(0, 5).join('; ')}): commit or remove the changes, or use a fresh --workdir` },
    };
  }
  const layout = await layoutAt(repoDir);
  if ('kind' in layout) return { ok: false, error: layout };

  const args = [...layout.args, ...(opts.extraArgs ?? [])];
  const commandLine = [`./${layout.script}`, ...args];
  const source = opts.env ?? process.env;
  const scrubbed = scrubEnv(source);
  const buildSettings = { ...scrubbed.settings, containerRunConf: await containerRunConf(scrubbed.env.HOME) };
  const missingPrerequisites = await checkEraPrerequisites(layout, scrubbed.env);
  if (missingPrerequisites.length > 0 && opts.prerequisites === 'enforce') {
    return {
      ok: false,
      error: {
        kind: 'prerequisites',
        message: `this machine cannot run the ${layout.era} build (${layout.script}): ${missingPrerequisites.map((m) => `${m.message}: ${m.fix}`).join('; ')}`,
        missing: missingPrerequisites,
      },
    };
  }
  const statePath = join(workdir, 'build-state.json');
  try {
    await mkdir(join(workdir, 'logs'), { recursive: true });
  } catch (err) {
    return { ok: false, error: { kind: 'io', message: `cannot create ${workdir}/logs: ${(err as Error).message}` } };
  }

  const previous = await readState(statePath);
  const reuse = !opts.force && (await reusable(previous, commit, args, repoDir));
  let startedAt: string;
  let finishedAt: string;
  let logPath: string;
  let exitCode: number | null;

  if (reuse) {
    startedAt = previous!.startedAt;
    finishedAt = previous!.finishedAt;
    logPath = previous!.log;
    exitCode = previous!.exitCode;
    opts.onProgress?.({ phase: 'build', label: layout.script, line: 'outputs of an identical earlier build found; re-hashing them' });
  } else {
    // Stale outputs of another commit or era must not be mistaken for this build's.
    for (const p of allOutputPaths(layout)) await rm(join(repoDir, p), { force: true });
    await rm(statePath, { force: true });

    const start = now();
    startedAt = start.toISOString();
    logPath = join(workdir, 'logs', `build-${commit.slice(0, 12)}-${startedAt.replace(/[:.]/g, '-')}.log`);
    const every = opts.progressEveryMs ?? 1000;
    let lastEmit = -Infinity;
    const onLine = (line: string) => {
      const t = Date.now();
      if (t - lastEmit < every) return;
      lastEmit = t;
      opts.onProgress?.({ phase: 'build', label: layout.script, elapsedMs: t - start.getTime(), line });
    };
    try {
      await writeFile(logPath, `# icos-attest build of ${commit} (${layout.era} layout)\n# ${commandLine.join(' ')}\n# started ${startedAt}\n`);
    } catch (err) {
      return { ok: false, error: { kind: 'io', message: `cannot write the log ${logPath}: ${(err as Error).message}` } };
    }
    const [cmd, cmdArgs] = ttyWrapped(layout, join(repoDir, layout.script), args);
    const outcome = await spawnLines(cmd, cmdArgs, {
      cwd: repoDir,
      env: scrubbed.env,
      logPath,
      onLine,
    });
    finishedAt = now().toISOString();
    exitCode = outcome.code;
    opts.onProgress?.({
      phase: 'build',
      label: layout.script,
      elapsedMs: Date.now() - start.getTime(),
      line: outcome.tail.at(-1) ?? `exited with ${outcome.code ?? outcome.signal ?? outcome.spawnError}`,
    });
    if (outcome.spawnError || outcome.code !== 0) {
      return {
        ok: false,
        error: {
          kind: 'build-failed',
          message: outcome.spawnError
            ? `cannot start ${layout.script}: ${outcome.spawnError}`
            : `${layout.script} exited with ${outcome.code ?? outcome.signal}; see the log ${logPath}`,
          log: logPath,
          tail: outcome.tail,
        },
      };
    }
  }

  // Hash what the build produced, at this commit's paths.
  const wanted = new Set<OsName>(opts.os ?? layout.outputs.map((o) => o.os));
  const artifacts: BuiltArtifact[] = [];
  const missing: { os: OsName; tried: string[] }[] = [];
  const stateOutputs: BuildState['outputs'] = [];
  for (const spec of layout.outputs) {
    if (!wanted.has(spec.os)) continue;
    const found = spec.paths.find((p) => existsSync(join(repoDir, p)));
    if (!found) {
      if (opts.os?.includes(spec.os)) missing.push({ os: spec.os, tried: spec.paths });
      continue;
    }
    const abs = join(repoDir, found);
    const h = await sha256File(abs, { onProgress: opts.onProgress, label: builtArtifactName(spec.os, found) });
    if (!h.ok) return { ok: false, error: { kind: 'io', message: h.message } };
    artifacts.push({ os: spec.os, name: builtArtifactName(spec.os, found), path: abs, repoPath: found, sha256: h.sha256, size: h.size });
  }
  for (const os of opts.os ?? []) {
    if (!layout.outputs.some((o) => o.os === os)) missing.push({ os, tried: [] });
  }
  const extras: BuiltArtifact[] = [];
  for (const e of layout.extras) {
    if (!wanted.has(e.os) || extras.some((x) => x.os === e.os)) continue;
    const abs = join(repoDir, e.path);
    if (!existsSync(abs)) continue;
    const h = await sha256File(abs);
    if (h.ok) extras.push({ os: e.os, name: builtArtifactName(e.os, e.path), path: abs, repoPath: e.path, sha256: h.sha256, size: h.size });
  }
  await attachMeasurements(artifacts, extras);
  if (artifacts.length === 0) {
    return {
      ok: false,
      error: {
        kind: 'no-outputs',
        message: `the build finished but none of the expected outputs exist (looked for ${layout.outputs.flatMap((o) => o.paths).join(', ')}); see ${logPath}`,
        log: logPath,
      },
    };
  }
  for (const a of [...artifacts, ...extras]) {
    const s = await statOrNull(a.path);
    if (s) stateOutputs.push({ path: a.repoPath, size: s.size, mtimeMs: s.mtimeMs });
  }

  const environment = await collectEnvironmentV2({
    probeContainer: true,
    repoDir,
    tempDirs: opts.tempDirs ?? defaultTempDirs(repoDir),
    script: layout.script,
    commandLine,
    release: !args.includes('--no-release'),
    commit,
  });

  const result: BuildResultFile = {
    schema: BUILD_RESULT_SCHEMA,
    proposal: opts.proposal ?? null,
    commit,
    os: artifacts.map((a) => a.os),
    artifacts,
    extras,
    missing,
    layout: { era: layout.era, script: layout.script, args, checker: layout.checker, runtime: layout.runtime, tty: layout.tty, kvm: layout.kvm },
    buildSettings,
    missingPrerequisites,
    environment,
    startedAt,
    finishedAt,
    log: logPath,
    exitCode,
    reused: reuse,
  };
  const resultPath = opts.resultPath ?? join(workdir, `result-${commit.slice(0, 12)}.json`);
  try {
    if (!reuse) {
      const state: BuildState = { commit, args, startedAt, finishedAt, log: logPath, exitCode, outputs: stateOutputs };
      await writeJsonAtomic(statePath, state);
    }
    await writeJsonAtomic(resultPath, result);
  } catch (err) {
    return { ok: false, error: { kind: 'io', message: `cannot write ${resultPath}: ${(err as Error).message}` } };
  }
  return { ok: true, value: { result, resultPath } };
}

/** Quotes one word for a POSIX shell. */
function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./=:,+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command that runs the script: as is, or, for eras whose script runs `docker run -it`,
 * under `script -qec` so it gets a pseudo-terminal (the output still streams to our log).
 */
export function ttyWrapped(layout: Pick<BuildLayout, 'tty'>, script: string, args: string[]): [string, string[]] {
  if (!layout.tty) return [script, args];
  return ['script', ['-qec', [script, ...args].map(shellQuote).join(' '), '/dev/null']];
}

/** Each GuestOS/recovery artifact gets the launch measurements built next to it (compared in full later). */
async function attachMeasurements(artifacts: BuiltArtifact[], extras: BuiltArtifact[]): Promise<void> {
  for (const a of artifacts) {
    const e = extras.find((x) => x.os === a.os && x.name.endsWith('/launch-measurements.json'));
    if (!e) continue;
    try {
      const bytes = await readFile(e.path);
      const parsed = parseLaunchMeasurements(bytes.toString('utf8'));
      a.launchMeasurements = { repoPath: e.repoPath, ...measurementsDocument(bytes), measurements: parsed.ok ? parsed.measurements : null };
    } catch {
      // Unreadable: recorded as extras only; nothing to compare.
    }
  }
}
