/**
 * End-to-end helpers: the real CLI (`node bin/icos-attest.js …`) as a child process, under a
 * throwaway HOME, and `icos-attest replica start` as a long-running child that is stopped by a
 * signal the way a person stops it (Ctrl-C).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReplicaStartedJson } from '../../attestor/cli/commands/replica.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = join(ROOT, 'bin', 'icos-attest.js');
export const ATTESTATIONS_WASM = join(ROOT, '.azle', 'attestations', 'attestations.wasm');
export const GOVERNANCE_WASM = join(ROOT, '.azle', 'governance', 'governance.wasm');
export const OUTPUT_DIR = join(ROOT, 'test-output');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A clean environment: no ICOS_ATTEST_* from the developer's shell, no colours, HOME as given. */
export function cliEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('ICOS_ATTEST_') || k.startsWith('ICOS_FAKE_') || k === 'DFX_CONFIG_ROOT' || k === 'XDG_CACHE_HOME') continue;
    env[k] = v;
  }
  return { ...env, HOME: home, NO_COLOR: '1', ICOS_ATTEST_BUILD_ENV: 'ICOS_FAKE_NONDETERMINISTIC', ICOS_ATTEST_SKIP_PROVENANCE: '1', ...extra };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Runs the CLI to completion. Never throws on a non-zero exit: callers assert on `code`. */
export function runCli(args: string[], opts: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number }): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** `--json` output: exactly one JSON document on stdout. */
export function parseJson<T = any>(run: CliRun, what: string): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`${what}: stdout is not one JSON document (exit ${run.code})\nstdout: ${run.stdout.slice(0, 2000)}\nstderr: ${run.stderr.slice(-2000)}`);
  }
}

/** Describes a finished run for assertion messages. */
export function describeRun(run: CliRun): string {
  return `exit ${run.code}${run.signal ? ` (${run.signal})` : ''}\n--- stdout\n${run.stdout.slice(0, 4000)}\n--- stderr\n${run.stderr.slice(-4000)}`;
}

/** What `replica start --json` prints once the replica is up (the CLI's documented shape). */
export type ReplicaStarted = ReplicaStartedJson;

export interface ReplicaProcess {
  child: ChildProcess;
  info: ReplicaStarted;
  /** Everything written so far. */
  output(): { stdout: string; stderr: string };
  /** Sends the signal and waits for the process to exit; resolves to its exit code. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `icos-attest replica start --json …` in a child process; resolves once it printed its JSON
 * (the replica is serving). Rejects with the output when it exits first or takes too long.
 */
export function startReplica(args: string[], opts: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number }): Promise<ReplicaProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '--json', 'replica', 'start', ...args], {
      cwd: opts.cwd ?? ROOT,
      env: opts.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let settled = false;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('exit', (code, signal) => res({ code, signal })));
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`replica start ${why}\n--- stdout\n${stdout.slice(0, 4000)}\n--- stderr\n${stderr.slice(-4000)}`));
    };
    const timer = setTimeout(() => fail(`printed no JSON within ${opts.timeoutMs ?? 30_000} ms`), opts.timeoutMs ?? 30_000);
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (settled) return;
      let info: ReplicaStarted;
      try {
        info = JSON.parse(stdout) as ReplicaStarted;
      } catch {
        return; // not complete yet
      }
      settled = true;
      clearTimeout(timer);
      if (typeof (info as { url?: unknown }).url !== 'string') {
        child.kill('SIGKILL');
        reject(new Error(`replica start printed no url: ${stdout}\n${stderr}`));
        return;
      }
      resolve({
        child,
        info,
        output: () => ({ stdout, stderr }),
        async stop(signal: NodeJS.Signals = 'SIGINT') {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
          const r = await exited;
          clearTimeout(killer);
          return r;
        },
      });
    });
    child.on('exit', (code, signal) => fail(`exited before serving (exit ${code}, signal ${signal})`));
  });
}

/** A temp HOME with its dfx config folder, as a fresh machine would have after `dfx` ran once. */
export function tempHome(base: string, name: string): string {
  const home = join(base, `home-${name}`);
  mkdirSync(join(home, '.config'), { recursive: true });
  return home;
}

export function assertWasm(path: string): void {
  if (!existsSync(path)) throw new Error(`missing ${path}: run \`npm run build\` first`);
}

/** Writes a test artifact (log, screenshot) under test-output/. */
export function saveOutput(name: string, content: string | Uint8Array): string {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const path = join(OUTPUT_DIR, name);
  writeFileSync(path, content);
  return path;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
