/**
 * The embedded replica as `replica start` and `demo` run it: the in-process runtime with the
 * attestations canister installed (controller = the local identity), served over the IC HTTP
 * interface. State lives in a state dir: the runtime's own snapshot (when the runtime can save),
 * the BLS key (so the root key survives restarts), the root key as hex, and local.json for
 * clients. `replica upgrade` asks a running replica to install a rebuilt Wasm via a request file
 * and SIGUSR2 (the HTTP interface has no admin endpoint).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Principal } from '@dfinity/principal';

import { writeFileAtomic } from '../attest/files.js';
import type { LocalReplicaInfo } from '../network/resolve.js';
import { loadReplicaHttp, loadRuntime } from './cores.js';
import { CliError, inputError, oneLine } from './errors.js';

import { REPO_ROOT } from './repo-root.js';

export { REPO_ROOT };
export const DEFAULT_WASM = join(REPO_ROOT, '.azle', 'attestations', 'attestations.wasm');
export const DEFAULT_REPLICA_PORT = 4943;

export interface StatePaths {
  dir: string;
  runtime: string;
  blsKey: string;
  rootKey: string;
  local: string;
  upgradeRequest: string;
  upgradeResult: string;
  saved: string;
}

export function statePaths(dir: string): StatePaths {
  const d = resolve(dir);
  return {
    dir: d,
    runtime: join(d, 'runtime'),
    blsKey: join(d, 'replica-key.hex'),
    rootKey: join(d, 'root-key.hex'),
    local: join(d, 'local.json'),
    upgradeRequest: join(d, 'upgrade-request.json'),
    upgradeResult: join(d, 'upgrade-result.json'),
    saved: join(d, 'saved.json')
  };
}

/** Runs the project's canister build (skipped by the script itself when nothing changed). */
export function buildCanister(log: (line: string) => void, quiet: boolean): string {
  const script = join(REPO_ROOT, 'scripts', 'build-canister.ts');
  if (!existsSync(script)) throw new CliError('unavailable', `cannot build the canister: ${script} is missing; pass --wasm <file>`);
  log('building the attestations canister (skipped when up to date)…');
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, 'attestations'], { cwd: REPO_ROOT, stdio: ['ignore', quiet ? 'pipe' : 'inherit', quiet ? 'pipe' : 'inherit'], encoding: 'utf8' });
  if (r.status !== 0) {
    const tail = `${r.stderr ?? ''}`.trim().split('\n').slice(-1)[0] ?? '';
    throw inputError(`the canister build failed (exit ${r.status})${tail ? `: ${tail}` : ''}; run \`npm run build\` to see why`);
  }
  if (!existsSync(DEFAULT_WASM)) throw inputError(`the canister build wrote no ${DEFAULT_WASM}`);
  return DEFAULT_WASM;
}

export function readWasm(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (err) {
    throw inputError(`cannot read canister Wasm ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

export interface LocalReplicaOptions {
  /** null: nothing persisted (demo). */
  stateDir: string | null;
  port: number;
  host?: string;
  controller: Principal;
  wasm: Uint8Array;
  log: (line: string) => void;
  /** Also save every this many ms when an update ran since the last save (0: only on request). */
  autosaveMs?: number;
}

export interface LocalReplica {
  url: string;
  canisterId: string;
  rootKey: Uint8Array;
  rootKeyPath: string | null;
  dashboardUrl: string;
  /** Whether state was restored from the state dir. */
  restored: boolean;
  /** Whether the runtime can persist its state (Runtime#save). */
  persistent: boolean;
  save(): Promise<void>;
  upgrade(wasm: Uint8Array): Promise<string>;
  close(): Promise<void>;
}

interface RuntimeLike {
  update(...args: unknown[]): Promise<unknown>;
  createCanister(opts: { controllers?: Principal[] }): Principal;
  install(id: Principal, wasm: Uint8Array, opts: { mode?: 'install' | 'upgrade'; caller?: Principal }): Promise<void>;
  canisterIds(): Principal[];
  canisterInfo(id: Principal): { moduleHash: Uint8Array | null } | null;
  save?(dir: string): Promise<void> | void;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export function dashboardUrlOf(url: string, canisterId: string): string {
  const u = new URL(url);
  return `${u.protocol}//${canisterId}.localhost:${u.port}/`;
}

export async function startLocalReplica(opts: LocalReplicaOptions): Promise<LocalReplica> {
  const rt = await loadRuntime();
  const httpCore = await loadReplicaHttp();
  const paths = opts.stateDir ? statePaths(opts.stateDir) : null;
  if (paths) mkdirSync(paths.dir, { recursive: true, mode: 0o700 });

  // Runtime: restored from the state dir when the runtime supports it and a snapshot exists.
  const RuntimeClass = rt.Runtime as unknown as { new (): RuntimeLike; load?: (dir: string) => Promise<RuntimeLike> | RuntimeLike };
  let runtime: RuntimeLike;
  let restored = false;
  if (paths && typeof RuntimeClass.load === 'function' && existsSync(paths.runtime)) {
    try {
      runtime = await RuntimeClass.load(paths.runtime);
      restored = true;
    } catch (err) {
      throw inputError(`cannot restore the replica state from ${paths.runtime}: ${oneLine(err)} (move the folder away to start afresh)`);
    }
  } else {
    runtime = new RuntimeClass();
  }
  const persistent = typeof runtime.save === 'function';

  // The canister: the one recorded in local.json if the runtime still has it, else a new one.
  let canister: Principal | null = null;
  if (restored && paths && existsSync(paths.local)) {
    try {
      const info = JSON.parse(readFileSync(paths.local, 'utf8')) as LocalReplicaInfo;
      const id = Principal.fromText(info.canisterId);
      if (runtime.canisterIds().some((c) => c.toText() === id.toText())) canister = id;
    } catch {
      /* fall through: install afresh */
    }
  }
  if (canister === null) {
    canister = runtime.createCanister({ controllers: [opts.controller] });
    await runtime.install(canister, opts.wasm, { mode: 'install', caller: opts.controller });
    opts.log(`installed the attestations canister ${canister.toText()} (controller ${opts.controller.toText()})`);
  } else {
    const installed = runtime.canisterInfo(canister)?.moduleHash;
    const wanted = createHash('sha256').update(opts.wasm).digest();
    if (installed && !Buffer.from(installed).equals(wanted)) {
      await runtime.install(canister, opts.wasm, { mode: 'upgrade', caller: opts.controller });
      opts.log(`upgraded canister ${canister.toText()} to the current Wasm (state kept)`);
    } else {
      opts.log(`restored canister ${canister.toText()} from ${paths!.dir}`);
    }
  }

  // BLS key: kept so the root key, and thus every client's trust, survives restarts.
  let identityKey: Uint8Array | undefined;
  if (paths && existsSync(paths.blsKey)) identityKey = new Uint8Array(Buffer.from(readFileSync(paths.blsKey, 'utf8').trim(), 'hex'));
  let server;
  try {
    server = await httpCore.startReplicaServer({ runtime: runtime as never, port: opts.port, host: opts.host, identityKey });
  } catch (err) {
    const msg = oneLine(err);
    throw new CliError('input', /listen/i.test(msg) || /EADDRINUSE/.test(msg) ? `${msg}; is another replica (or dfx) running? choose another --port` : msg);
  }
  const id = canister;
  const dashboardUrl = dashboardUrlOf(server.url, id.toText());
  if (paths) {
    writeFileAtomic(paths.blsKey, `${hex(server.blsSecretKey)}\n`);
    chmodSync(paths.blsKey, 0o600);
    writeFileAtomic(paths.rootKey, `${hex(server.rootKey)}\n`);
    const info: LocalReplicaInfo = { url: server.url, canisterId: id.toText(), rootKeyHex: hex(server.rootKey), dashboardUrl, pid: process.pid };
    writeFileAtomic(paths.local, `${JSON.stringify(info, null, 2)}\n`);
  }

  // Saves run one after another; an update since the last save marks the state dirty. Each save
  // records in saved.json how many updates had completed before it began (all of them are in it).
  let dirty = false;
  let completedUpdates = 0;
  let saving: Promise<void> = Promise.resolve();
  const save = (): Promise<void> => {
    if (!paths || !persistent) return Promise.resolve();
    saving = saving.catch(() => {}).then(async () => {
      dirty = false;
      const covered = completedUpdates;
      await runtime.save!(paths.runtime);
      writeFileAtomic(paths.saved, `${JSON.stringify({ completedUpdates: covered, savedAt: new Date().toISOString() })}\n`);
    });
    return saving;
  };
  const update = runtime.update.bind(runtime);
  runtime.update = async (...args: unknown[]) => {
    dirty = true;
    try {
      return await update(...args);
    } finally {
      completedUpdates++;
    }
  };
  let autosave: NodeJS.Timeout | null = null;
  if (paths && persistent && opts.autosaveMs && opts.autosaveMs > 0) {
    autosave = setInterval(() => {
      if (dirty) save().catch((err) => opts.log(`autosave failed: ${oneLine(err)}`));
    }, opts.autosaveMs);
    autosave.unref();
  }

  return {
    url: server.url,
    canisterId: id.toText(),
    rootKey: server.rootKey,
    rootKeyPath: paths?.rootKey ?? null,
    dashboardUrl,
    restored,
    persistent,
    save,
    async upgrade(wasm: Uint8Array) {
      await runtime.install(id, wasm, { mode: 'upgrade', caller: opts.controller });
      await save();
      return createHash('sha256').update(wasm).digest('hex');
    },
    async close() {
      if (autosave) clearInterval(autosave);
      await saving.catch(() => {});
      await server.close();
      if (paths && existsSync(paths.local)) {
        // keep local.json (the canister id stays valid across restarts) but mark it stopped
        try {
          const info = JSON.parse(readFileSync(paths.local, 'utf8')) as LocalReplicaInfo;
          delete info.pid;
          writeFileAtomic(paths.local, `${JSON.stringify(info, null, 2)}\n`);
        } catch {
          rmSync(paths.local, { force: true });
        }
      }
    }
  };
}

/** A pid that still runs (signal 0 checks without signalling). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
