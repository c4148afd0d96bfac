/**
 * One demo reviewer running the real CLI (`node bin/icos-attest.js run <proposal>`) as a child
 * process, the way a person runs it in their own shell: their own HOME (so their cache, build
 * workdir and envelopes are theirs, and ~/.config/dfx is never touched), their own key file, the
 * endpoints of the demo's "internet" in ICOS_ATTEST_* variables. The run's step lines are
 * echoed with the reviewer's name; the whole output is kept in a log file.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI = join(REPO_ROOT, 'bin', 'icos-attest.js');

export interface ReviewerRun {
  args: string[];
  exitCode: number | null;
  /** The `--json` document the run printed, or null when it printed none. */
  json: RunJson | null;
  stderr: string;
  log: string;
}

/** The parts of `run --json` (docs/cli.md) the demo reads. */
export interface RunJson {
  ok: boolean;
  envelopes: { os: string; path: string; artifacts: { name: string; sha256: string; outcome: string }[] }[];
  submitted: { submitted: { id: string; os: string; path: string }[] };
}

/** The caller's environment minus anything that would point the CLI elsewhere. */
export function cleanEnv(base: NodeJS.ProcessEnv, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) {
    if (k.startsWith('ICOS_ATTEST_') || k.startsWith('ICOS_FAKE_') || k === 'DFX_CONFIG_ROOT' || k === 'XDG_CACHE_HOME') continue;
    env[k] = v;
  }
  // The fixture's knob reaches the build only by name: builds get an allow-listed environment.
  return { ...env, NO_COLOR: '1', ICOS_ATTEST_BUILD_ENV: 'ICOS_FAKE_NONDETERMINISTIC', ICOS_ATTEST_SKIP_PROVENANCE: '1', ...extra };
}

/** Step lines worth showing live ("[2/5] build", errors); downloads and warnings go to the log only. */
const SHOWN = /^(\[\d\/\d\]|icos-attest:)/;

export function runReviewerCli(opts: {
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  logPath: string;
  onLine: (line: string) => void;
  timeoutMs: number;
}): Promise<ReviewerRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...opts.args], { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      const lines = (partial + d).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) if (SHOWN.test(l)) opts.onLine(l);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (partial && SHOWN.test(partial)) opts.onLine(partial);
      writeFileSync(opts.logPath, `$ icos-attest ${opts.args.join(' ')}\nexit ${code}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`);
      let json: RunJson | null = null;
      try {
        json = JSON.parse(stdout) as RunJson;
      } catch {
        /* no JSON: the caller reports the exit code and the log */
      }
      resolvePromise({ args: opts.args, exitCode: code, json, stderr, log: opts.logPath });
    });
  });
}
