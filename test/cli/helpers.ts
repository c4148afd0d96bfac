/** Spawning the real CLI (node bin/icos-attest.js) with an isolated HOME. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'icos-attest.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const made: string[] = [];
process.on('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A temp dir under os.tmpdir(), removed when the test process exits. */
export function tempDir(prefix = 'icos-attest-cli-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** An environment with HOME in a temp dir and no ICOS_ATTEST_* leaking in from the caller. */
export function isolatedEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ICOS_ATTEST_') && k !== 'DFX_CONFIG_ROOT') env[k] = v;
  // Synthetic mirrors publish no GitHub provenance (provenance tests set their own trust root).
  return { ...env, HOME: home, NO_COLOR: '1', ICOS_ATTEST_SKIP_PROVENANCE: '1', ...extra };
}

export function runCli(args: string[], opts: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number }): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: opts.env, cwd: opts.cwd ?? opts.env.HOME, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

export function spawnCli(args: string[], opts: { env: NodeJS.ProcessEnv; cwd?: string }): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { env: opts.env, cwd: opts.cwd ?? opts.env.HOME, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Non-empty stderr lines. */
export function errLines(r: CliRun): string[] {
  return r.stderr.split('\n').filter((l) => l.trim().length > 0);
}

export function openssl(args: string[]): void {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
}

export function hasOpenssl(): boolean {
  return spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;
}

/**
 * A private copy of the built canister Wasm (other processes may rebuild the shared one while a
 * test runs); builds it first when missing.
 */
export function canisterWasmCopy(dir: string): string {
  const built = join(ROOT, '.azle', 'attestations', 'attestations.wasm');
  if (!existsSync(built)) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'build-canister.ts'), 'attestations'], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('canister build failed');
  }
  const copy = join(dir, 'attestations.wasm');
  copyFileSync(built, copy);
  return copy;
}

/** What `replica start --json` prints once it serves. */
export interface Started {
  url: string;
  canisterId: string;
  persistent: boolean;
  rootKeyPath: string;
  dashboardUrl: string;
}

/** `replica start --port 0 --json <args>` as a child process; resolves once it prints where it serves. */
export async function startReplica(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; started: Started; exited: Promise<number | null>; stderr: () => string }> {
  const child = spawnCli(['replica', 'start', '--port', '0', '--json', ...args], { env });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  const started = await new Promise<Started>((resolve, reject) => {
    const timer = setInterval(() => {
      try {
        resolve(JSON.parse(stdout) as Started);
        clearInterval(timer);
      } catch {
        /* not complete yet */
      }
    }, 100);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`replica start exited with ${code}: ${stderr}`));
    });
  });
  return { child, started, exited, stderr: () => stderr };
}
