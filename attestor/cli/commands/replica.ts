/** replica start|upgrade and demo: the embedded local Internet Computer. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Option, type Command } from 'commander';
import { Principal } from '@dfinity/principal';

import { action } from '../action.js';
import type { Context } from '../context.js';
import { CliError, networkError, usageError } from '../errors.js';
import { writeFileAtomic } from '../../attest/files.js';
import { defaultIdentityName, identityPemPath, newEd25519Pem, writeIdentityPem } from '../../identity/dfx.js';
import type { LocalReplicaInfo } from '../../network/resolve.js';
import { buildCanister, DEFAULT_REPLICA_PORT, DEFAULT_WASM, processAlive, readWasm, startLocalReplica, statePaths, type LocalReplica } from '../local-replica.js';
import { runDemo } from '../demo.js';

interface StartFlags {
  autosave: string;
  port?: string;
  host?: string;
  wasm?: string;
  build?: boolean;
}

export function parsePort(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw usageError(`--port must be a port number (0-65535), got "${text}"`);
  return n;
}

/** The controller: the chosen identity; with none chosen, dfx's default, created on first use as dfx does. */
function controllerOf(ctx: Context): Principal {
  if (!ctx.opts.pem && !ctx.opts.identity) {
    const name = defaultIdentityName(ctx.env);
    if (!existsSync(identityPemPath(name, ctx.env))) {
      const path = writeIdentityPem(name, newEd25519Pem(), ctx.env);
      ctx.out.log(`created the dfx identity "${name}" (${path}) as the canister's controller`);
    }
  }
  return Principal.fromText(ctx.identity().principal);
}

function wasmFor(ctx: Context, flags: { wasm?: string; build?: boolean }): Uint8Array {
  if (flags.wasm) return readWasm(resolve(flags.wasm));
  const path = flags.build === false ? DEFAULT_WASM : buildCanister((l) => ctx.out.log(l), ctx.out.quiet || ctx.out.json);
  return readWasm(path);
}

/** JSON shape printed by `replica start --json` once the replica is up. */
export interface ReplicaStartedJson {
  url: string;
  canisterId: string;
  dashboardUrl: string;
  rootKeyHex: string;
  rootKeyPath: string | null;
  controller: string;
  stateDir: string;
  persistent: boolean;
  restored: boolean;
}

/** local.json of a replica whose process still runs, or null. */
function readRunning(stateDir: string): (LocalReplicaInfo & { pid: number }) | null {
  const path = statePaths(stateDir).local;
  if (!existsSync(path)) return null;
  try {
    const info = JSON.parse(readFileSync(path, 'utf8')) as LocalReplicaInfo;
    return info.pid && info.pid !== process.pid && processAlive(info.pid) ? (info as LocalReplicaInfo & { pid: number }) : null;
  } catch {
    return null;
  }
}

function waitForever(): Promise<never> {
  return new Promise<never>(() => {
    setInterval(() => {}, 1 << 30);
  });
}

function serveSignals(ctx: Context, replica: LocalReplica, stateDir: string): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    ctx.out.log(`${signal}: saving state and stopping…`);
    let code = 0;
    try {
      await replica.save();
      if (!replica.persistent) ctx.out.warn('this runtime cannot save its state yet: canister data is lost on stop');
    } catch (err) {
      ctx.out.warn(`saving state failed: ${(err as Error).message}`);
      code = 1;
    }
    await replica.close();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // replica upgrade: request file + SIGUSR2 (see local-replica.ts)
  const paths = statePaths(stateDir);
  process.on('SIGUSR2', () => {
    void (async () => {
      let nonce = '';
      try {
        const req = JSON.parse(readFileSync(paths.upgradeRequest, 'utf8')) as { wasm: string; nonce: string };
        nonce = req.nonce;
        const moduleHash = await replica.upgrade(readWasm(req.wasm));
        writeFileAtomic(paths.upgradeResult, `${JSON.stringify({ nonce, ok: true, moduleHash, canisterId: replica.canisterId })}\n`);
        ctx.out.log(`upgraded ${replica.canisterId} to module ${moduleHash}`);
      } catch (err) {
        writeFileAtomic(paths.upgradeResult, `${JSON.stringify({ nonce, ok: false, error: (err as Error).message })}\n`);
        ctx.out.warn(`upgrade failed: ${(err as Error).message}`);
      }
    })();
  });
}

export function registerReplica(program: Command): void {
  const replica = program.command('replica').description('the embedded local replica (no dfx needed)');

  replica
    .command('start')
    .option('--port <n>', `port to listen on (0: any free port)`, String(DEFAULT_REPLICA_PORT))
    .addOption(new Option('--host <addr>', 'interface to listen on').default('127.0.0.1'))
    .option('--wasm <file>', 'install this canister Wasm instead of building the project’s')
    .option('--no-build', 'do not run the canister build; use the Wasm already built')
    .option('--autosave <seconds>', 'also save the state this often after changes (0: only on stop and upgrade)', '30')
    .description('start the local replica with the attestations canister and run until stopped (state kept in --state-dir)')
    .action(
      action(async (ctx, flags: StartFlags) => {
        const port = parsePort(flags.port, DEFAULT_REPLICA_PORT);
        const autosave = Number(flags.autosave);
        if (!Number.isFinite(autosave) || autosave < 0) throw usageError(`--autosave takes a number of seconds, got "${flags.autosave}"`);
        const stateDir = resolve(ctx.opts.stateDir ?? '.icos-attest');
        const running = readRunning(stateDir);
        if (running) throw usageError(`a replica is already running from ${stateDir} (pid ${running.pid}, ${running.url}); stop it first or use another --state-dir`);
        const controller = controllerOf(ctx);
        const wasm = wasmFor(ctx, flags);
        const r = await startLocalReplica({ stateDir, port, host: flags.host, controller, wasm, log: (l) => ctx.out.log(l), autosaveMs: autosave * 1000 });
        serveSignals(ctx, r, stateDir);
        const j: ReplicaStartedJson = {
          url: r.url,
          canisterId: r.canisterId,
          dashboardUrl: r.dashboardUrl,
          rootKeyHex: Buffer.from(r.rootKey).toString('hex'),
          rootKeyPath: r.rootKeyPath,
          controller: controller.toText(),
          stateDir,
          persistent: r.persistent,
          restored: r.restored
        };
        ctx.out.result(j, () =>
          [
            `replica:    ${r.url}`,
            `canister:   ${r.canisterId}`,
            `dashboard:  ${r.dashboardUrl}`,
            `candid ui:  ${r.url}/_/candid?id=${r.canisterId}`,
            `root key:   ${r.rootKeyPath}`,
            `controller: ${j.controller}`,
            `state:      ${stateDir}${r.persistent ? '' : ' (this runtime cannot persist canister state yet)'}`,
            '',
            // the state dir holds the canister id and root key: the hint works from any directory
            `From another shell: icos-attest report <proposal> --network ${r.url} --state-dir ${shellWord(resolve(stateDir))}`,
            'Stop with Ctrl-C (state is saved).'
          ].join('\n')
        );
        if (!r.persistent) ctx.out.warn('the runtime has no save(): canister state will not survive a restart');
        await waitForever();
      })
    );

  replica
    .command('upgrade')
    .option('--wasm <file>', 'install this Wasm instead of rebuilding the project’s')
    .option('--no-build', 'do not run the canister build; use the Wasm already built')
    .option('--timeout <seconds>', 'how long to wait for the replica', '120')
    .description('install a rebuilt canister Wasm into the running replica, keeping its state')
    .action(
      action(async (ctx, flags: { wasm?: string; build?: boolean; timeout: string }) => {
        const stateDir = resolve(ctx.opts.stateDir ?? '.icos-attest');
        const paths = statePaths(stateDir);
        const info = readRunning(stateDir);
        if (!info) throw networkError(`no replica is running from ${stateDir}: start one with \`icos-attest replica start\``);
        let wasmPath: string;
        if (flags.wasm) wasmPath = resolve(flags.wasm);
        else if (flags.build === false) wasmPath = DEFAULT_WASM;
        else wasmPath = buildCanister((l) => ctx.out.log(l), ctx.out.quiet || ctx.out.json);
        readWasm(wasmPath); // readable before we ask
        const nonce = randomBytes(8).toString('hex');
        rmSync(paths.upgradeResult, { force: true });
        writeFileAtomic(paths.upgradeRequest, `${JSON.stringify({ wasm: wasmPath, nonce })}\n`);
        process.kill(info.pid, 'SIGUSR2');
        const deadline = Date.now() + Number(flags.timeout) * 1000;
        for (;;) {
          if (existsSync(paths.upgradeResult)) {
            const r = JSON.parse(readFileSync(paths.upgradeResult, 'utf8')) as { nonce: string; ok: boolean; moduleHash?: string; error?: string };
            if (r.nonce === nonce) {
              if (!r.ok) throw new CliError('canister', `the upgrade failed: ${r.error}`);
              ctx.out.result({ canisterId: info.canisterId, url: info.url, moduleHash: r.moduleHash, wasm: wasmPath }, () => `upgraded ${info.canisterId} at ${info.url} to module ${r.moduleHash}`);
              return;
            }
          }
          if (Date.now() > deadline) throw networkError(`the replica (pid ${info.pid}) did not answer the upgrade request within ${flags.timeout} s`);
          await new Promise((res) => setTimeout(res, 200));
        }
      })
    );

  program
    .command('demo')
    .option('--port <n>', 'port for the demo replica (0: any free port)', '0')
    .option('--exit', 'stop after printing the report instead of serving the dashboard until Ctrl-C')
    .option('--wasm <file>', 'canister Wasm to install (default: build the project’s)')
    .option('--no-build', 'do not run the canister build; use the Wasm already built')
    .description('the whole reviewer flow on this machine: a throwaway replica with NNS governance, a synthetic ic repo on two CDN mirrors, three reviewers running `run` (one diverges); print the reports')
    .action(
      action(async (ctx, flags: { port: string; exit?: boolean; wasm?: string; build?: boolean }) => {
        const port = parsePort(flags.port, 0);
        const wasm = wasmFor(ctx, flags);
        const work = mkdtempSync(join(tmpdir(), 'icos-attest-demo-'));
        const result = await runDemo(ctx, { port, wasm, work, keepRunning: !flags.exit, build: flags.build !== false });
        if (flags.exit) {
          await result.replica.close();
          rmSync(work, { recursive: true, force: true });
          return result.ok ? 0 : 1;
        }
        ctx.out.log(`\nThe demo replica keeps running at ${result.replica.url} (canister ${result.replica.canisterId}); stop with Ctrl-C.`);
        const stop = async () => {
          await result.replica.close();
          rmSync(work, { recursive: true, force: true });
          process.exit(0);
        };
        process.on('SIGINT', () => void stop());
        process.on('SIGTERM', () => void stop());
        await waitForever();
      })
    );
}

/** A path as one shell word (quoted only when it needs to be). */
function shellWord(s: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
