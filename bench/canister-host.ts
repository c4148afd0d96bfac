/**
 * Running the `attestations` canister (and the bench seeder, its bulk-loading twin) in the
 * in-process runtime: raw calls that return the decoded value, the instruction count and the
 * wall time; the seeder build; the stable memory size.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { EnvelopeIdl, METHODS, ReviewerProfileIdl, type CandidEnvelope } from '../protocol/service.js';
import type { Runtime } from '../replica/runtime/index.js';
import { profile, type BenchReviewer } from './fixtures.js';
import { NotAvailable } from './section.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const REAL_WASM = join(ROOT, '.azle/attestations/attestations.wasm');
const SEEDER_ROOT = join(ROOT, 'bench/seeder');
export const SEEDER_WASM = join(SEEDER_ROOT, '.azle/bench_seeder/bench_seeder.wasm');

export const CONTROLLER = Principal.fromText('rwlgt-iiaaa-aaaaa-aaaaa-cai');
export const ANONYMOUS = Principal.anonymous();
export const START_TIME_NS = 1_764_000_000_000_000_000n;
/** The IC's per-message limits (instructions). */
export const IC_UPDATE_LIMIT = 40_000_000_000;
export const IC_QUERY_LIMIT = 5_000_000_000;
/** Limits high enough that the runtime measures what a message really costs, even past the IC's. */
export const MEASURE_LIMITS = { update: 10n ** 13n, query: 10n ** 13n, install: 10n ** 13n };

let realWasmCache: Uint8Array | null = null;

/** The built canister (npm run build); read once per run so a rebuild mid-run cannot mix versions. */
export function realWasm(): Uint8Array {
  if (realWasmCache) return realWasmCache;
  if (!existsSync(REAL_WASM)) throw new NotAvailable(`the canister Wasm ${relative(ROOT, REAL_WASM)} does not exist (npm run build makes it)`);
  realWasmCache = new Uint8Array(readFileSync(REAL_WASM));
  return realWasmCache;
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      if (name === '.azle' || name === 'node_modules') return [];
      const path = join(dir, name);
      return statSync(path).isDirectory() ? listFiles(path) : [path];
    });
}

let seederThisRun: { wasm: Uint8Array; built: boolean; ms: number } | null = null;

/**
 * Builds the seeder with azle unless its inputs are unchanged since the last build. Once per
 * run: sections share one build even if sources change while the bench runs.
 */
export function buildSeeder(log: (m: string) => void): { wasm: Uint8Array; built: boolean; ms: number } {
  if (seederThisRun) return { ...seederThisRun, built: false, ms: 0 };
  const t = performance.now();
  const hash = createHash('sha256');
  for (const f of [...listFiles(SEEDER_ROOT), ...listFiles(join(ROOT, 'canister')), ...listFiles(join(ROOT, 'protocol')), join(ROOT, 'package-lock.json')]) {
    hash.update(relative(ROOT, f)).update('\0').update(readFileSync(f)).update('\0');
  }
  const digest = hash.digest('hex');
  const stamp = `${SEEDER_WASM}.inputs`;
  let built = false;
  if (!(existsSync(SEEDER_WASM) && existsSync(stamp) && readFileSync(stamp, 'utf8') === digest)) {
    log('building the bench seeder canister with azle (bench/seeder)');
    const did = join(SEEDER_ROOT, '.azle', 'bench_seeder.emitted.did');
    mkdirSync(dirname(did), { recursive: true });
    try {
      execFileSync(join(ROOT, 'node_modules/.bin/azle'), ['build', 'bench_seeder'], {
        cwd: SEEDER_ROOT,
        env: { ...process.env, CANISTER_CANDID_PATH: did },
        stdio: ['ignore', 'pipe', 'pipe']
      });
    } catch (err) {
      const e = err as { stderr?: Buffer; stdout?: Buffer; message: string };
      throw new Error(`azle build of bench/seeder failed: ${(e.stderr?.toString() || e.stdout?.toString() || e.message).trim().slice(-800)}`);
    }
    writeFileSync(stamp, digest);
    built = true;
  }
  seederThisRun = { wasm: new Uint8Array(readFileSync(SEEDER_WASM)), built, ms: performance.now() - t };
  return seederThisRun;
}

type MethodName = keyof typeof METHODS;

export interface Called<T> {
  value: T;
  instructions: number;
  /** Instructions of the timers the call left due (an update's report refresh); 0 for queries. */
  timerInstructions: number;
  ms: number;
}

/** One call of a canister method with Candid in and out; a reject throws with its message. */
export async function call<T>(rt: Runtime, id: Principal, method: MethodName, args: unknown[], caller: Principal = ANONYMOUS): Promise<Called<T>> {
  const spec = METHODS[method];
  const arg = new Uint8Array(IDL.encode([...spec.args], args));
  const t = performance.now();
  const r = spec.query ? await rt.query(id, method, arg, { caller }) : await rt.update(id, method, arg, { caller, ingress: true });
  const ms = performance.now() - t;
  if (r.kind !== 'replied') throw new Error(`${method} was rejected (${r.errorCode}, ${r.instructions} instructions): ${r.message.slice(0, 300)}`);
  const [value] = IDL.decode([spec.ret], r.reply) as [T];
  // An update's 0 s timers (the report refresh; Azle runs each callback as a self-call) run in
  // the next round: run them, count them apart.
  const before = rt.executedInstructions(id);
  if (!spec.query) await rt.tick();
  return { value, instructions: Number(r.instructions), timerInstructions: Number(rt.executedInstructions(id) - before), ms };
}

export function unwrap<T>(r: { Ok: T } | { Err: { kind: string; message: string } }, what: string): T {
  if ('Err' in r) throw new Error(`${what}: ${r.Err.kind}: ${r.Err.message}`);
  return r.Ok;
}

// ---- seeder methods (bench/seeder/index.ts)

const ReviewerSeed = IDL.Record({ principal: IDL.Principal, profile: ReviewerProfileIdl, endorsed: IDL.Bool });
const AppendSeed = IDL.Record({ reviewer: IDL.Principal, envelope: EnvelopeIdl });
const FillSpec = IDL.Record({
  templates: IDL.Vec(EnvelopeIdl),
  reviewers: IDL.Vec(IDL.Principal),
  first_proposal: IDL.Nat64,
  start: IDL.Nat64,
  count: IDL.Nat32
});

async function seederCall(rt: Runtime, id: Principal, method: string, types: IDL.Type[], args: unknown[]): Promise<number> {
  const r = await rt.update(id, method, new Uint8Array(IDL.encode(types, args)), { caller: CONTROLLER });
  if (r.kind !== 'replied') throw new Error(`seeder ${method} was rejected (${r.errorCode}): ${r.message.slice(0, 300)}`);
  return Number(r.instructions);
}

export async function seedReviewers(rt: Runtime, id: Principal, reviewers: BenchReviewer[], endorsed: (r: BenchReviewer) => boolean, batch = 50): Promise<void> {
  for (let i = 0; i < reviewers.length; i += batch) {
    const part = reviewers.slice(i, i + batch).map((r) => ({ principal: r.principal, profile: profile(r), endorsed: endorsed(r) }));
    await seederCall(rt, id, 'bench_reviewers', [IDL.Vec(ReviewerSeed)], [part]);
  }
}

/** Appends signed envelopes as submit_attestation would store them (signature not re-checked). */
export async function seedAppend(rt: Runtime, id: Principal, list: { reviewer: Principal; envelope: CandidEnvelope }[], batch = 100): Promise<void> {
  for (let i = 0; i < list.length; i += batch) {
    await seederCall(rt, id, 'bench_append', [IDL.Vec(AppendSeed)], [list.slice(i, i + batch)]);
  }
}

export async function seedFill(
  rt: Runtime,
  id: Principal,
  spec: { templates: CandidEnvelope[]; reviewers: Principal[]; firstProposal: bigint; start: number; count: number }
): Promise<void> {
  await seederCall(rt, id, 'bench_fill', [FillSpec], [
    { templates: spec.templates, reviewers: spec.reviewers, first_proposal: spec.firstProposal, start: BigInt(spec.start), count: spec.count }
  ]);
}

// ---- stable memory

export interface StableSize {
  /** Pages the canister has grown to (what the IC bills), in bytes. */
  sizeBytes: number;
  /** Pages actually written, in bytes. */
  writtenBytes: number;
}

const PAGE = 65536;

/**
 * The canister's stable memory size. The runtime has no public accessor for it yet, so this
 * reads its internals (Runtime.canisters → Canister.stable); null when that shape changes.
 */
export function stableSize(rt: Runtime, id: Principal): StableSize | null {
  const stable = (rt as unknown as { canisters?: Map<string, { stable?: { size(): bigint; allocatedPages(): unknown[] } }> }).canisters?.get(id.toText())?.stable;
  if (!stable || typeof stable.size !== 'function' || typeof stable.allocatedPages !== 'function') return null;
  return { sizeBytes: Number(stable.size()) * PAGE, writtenBytes: stable.allocatedPages().length * PAGE };
}
