/**
 * One canister: its module, instance, heap, stable memory and system state, and the execution
 * of one message with the IC's all-or-nothing rule (a trap, or any query, leaves heap, globals,
 * stable memory, certified data, timer and cycles exactly as they were).
 */
import { createHash } from 'node:crypto';

import { Principal } from '@dfinity/principal';

import { type CompiledModule } from './module-cache.js';
import type { CanisterImage } from './persist.js';
import { type Closure, type ExecState, Trap } from './execution.js';
import { StableMemory } from './stable-memory.js';
import { systemApi } from './system-api.js';
import { COUNTER_EXPORT, LIMIT_EXPORT, TABLE_EXPORT } from './wasm/prepare.js';

export interface CanisterEnv {
  time(): bigint;
  log(canisterId: string, line: string): void;
  dataCertificate(canisterId: Principal, certifiedData: Uint8Array): Uint8Array | null;
}

/** Everything a rollback restores. */
interface Snapshot {
  heap: Uint8Array;
  globals: (number | bigint)[];
  certifiedData: Uint8Array;
  globalTimer: bigint;
  cycles: bigint;
}

export type Entry = { export: string } | { closure: Closure };

export interface ExecOutcome {
  /** Trap message, or null when the message completed. */
  trap: string | null;
  /** Whether the trap came from ic0.trap (vs. a Wasm fault). */
  explicit: boolean;
  instructions: bigint;
  /** The message hit its instruction limit (reported as IC0522 / out-of-instructions). */
  outOfInstructions: boolean;
}

export const DEFAULT_CYCLES = 100_000_000_000_000n;

export class Canister {
  readonly idBytes: Uint8Array;
  readonly idText: string;
  controllers: Principal[];
  compiled: CompiledModule | null = null;
  stable = new StableMemory();
  certifiedData: Uint8Array = new Uint8Array(0);
  /** Instructions of every message executed (queries and trapped ones included), for the bench. */
  executedInstructions = 0n;
  globalTimer = 0n;
  cycles = DEFAULT_CYCLES;
  version = 0n;
  private instance: WebAssembly.Instance | null = null;
  private current: ExecState | null = null;
  /** Heap-sized buffer reused for the per-message snapshot. */
  private spare: Uint8Array | null = null;
  private readonly imports: WebAssembly.Imports;

  constructor(readonly id: Principal, controllers: Principal[], private readonly env: CanisterEnv) {
    this.idBytes = id.toUint8Array();
    this.idText = id.toText();
    this.controllers = controllers;
    const self = this;
    const api = systemApi({
      memory: () => self.memory(),
      exec: () => {
        if (!self.current) throw new Trap('ic0 called outside of a message');
        return self.current;
      },
      idBytes: this.idBytes,
      get stable() { return self.stable; },
      time: () => env.time(),
      get certifiedData() { return self.certifiedData; },
      set certifiedData(v: Uint8Array) { self.certifiedData = v; },
      get globalTimer() { return self.globalTimer; },
      set globalTimer(v: bigint) { self.globalTimer = v; },
      get cycles() { return self.cycles; },
      set cycles(v: bigint) { self.cycles = v; },
      get version() { return self.version; },
      isController: (p) => self.controllers.some((c) => bytesEqual(c.toUint8Array(), p)),
      dataCertificate: () => env.dataCertificate(self.id, self.certifiedData),
      debugPrint: (line) => env.log(self.idText, line),
      instructionCounter: () => self.counterValue(),
      charge: (n: number) => self.charge(n)
    });
    this.imports = { ic0: api as unknown as WebAssembly.ModuleImports };
  }

  get installed(): boolean { return this.compiled !== null; }

  hasExport(name: string): boolean { return this.compiled?.exports.has(name) ?? false; }

  memory(): WebAssembly.Memory {
    if (!this.instance) throw new Trap('canister has no instance');
    return this.instance.exports.memory as WebAssembly.Memory;
  }

  private globals(): WebAssembly.Global[] {
    if (!this.instance || !this.compiled) return [];
    return this.compiled.globalExports.map((name) => this.instance!.exports[name] as WebAssembly.Global);
  }

  private counterGlobal(): WebAssembly.Global | null {
    return this.compiled?.instrumented && this.instance ? (this.instance.exports[COUNTER_EXPORT] as WebAssembly.Global) : null;
  }

  private counterValue(): bigint {
    const g = this.counterGlobal();
    return g ? (g.value as bigint) : 0n;
  }

  /** System API work billed to the message (base cost plus bytes, roughly as the IC does). */
  private charge(n: number): void {
    const g = this.counterGlobal();
    if (g) g.value = (g.value as bigint) + BigInt(n);
  }

  /** A fresh instance of `compiled` (data segments applied: the state after install). */
  instantiate(compiled: CompiledModule): void {
    this.compiled = compiled;
    this.instance = new WebAssembly.Instance(compiled.module, this.imports);
  }

  /** Drops module and instance (uninstall / failed install of a fresh canister). */
  uninstall(): void {
    this.compiled = null;
    this.instance = null;
  }

  /** `into`: a buffer to reuse when it has the heap's size (saves allocating and GC per message). */
  snapshot(into?: Uint8Array | null): Snapshot {
    return {
      heap: this.instance ? copyOf(new Uint8Array(this.memory().buffer), into) : new Uint8Array(0),
      globals: this.globals().map((g) => g.value as number | bigint),
      certifiedData: this.certifiedData,
      globalTimer: this.globalTimer,
      cycles: this.cycles
    };
  }

  /** Puts heap and globals back; a new instance when the heap grew (Wasm memory cannot shrink). */
  restore(s: Snapshot): void {
    if (this.instance && this.compiled) {
      if (this.memory().buffer.byteLength !== s.heap.length) this.instance = new WebAssembly.Instance(this.compiled.module, this.imports);
      this.loadHeap(s.heap, s.globals);
    }
    this.certifiedData = s.certifiedData;
    this.globalTimer = s.globalTimer;
    this.cycles = s.cycles;
  }

  /** Writes a heap image and global values into the current instance. */
  loadHeap(heap: Uint8Array, globals: (number | bigint)[]): void {
    const memory = this.memory();
    const have = memory.buffer.byteLength;
    if (heap.length > have) memory.grow((heap.length - have) / 65536);
    new Uint8Array(memory.buffer).set(heap);
    this.globals().forEach((g, i) => { g.value = globals[i]; });
  }

  heapImage(): { heap: Uint8Array; globals: (number | bigint)[] } {
    const s = this.snapshot();
    return { heap: s.heap, globals: s.globals };
  }

  /** A consistent copy of everything persistent (taken synchronously, between messages). */
  exportImage(): CanisterImage {
    const { heap, globals } = this.heapImage();
    return {
      meta: {
        id: this.idText,
        controllers: this.controllers.map((p) => p.toText()),
        moduleHash: this.compiled ? this.compiled.hashHex : null,
        cycles: this.cycles.toString(),
        certifiedData: Buffer.from(this.certifiedData).toString('hex'),
        globalTimer: this.globalTimer.toString(),
        version: this.version.toString(),
        globals: globals.map(String),
        stablePages: this.stable.size().toString()
      },
      wasm: this.compiled ? this.compiled.original : null,
      heap,
      stable: this.stable.allocatedPages().map(([idx, page]) => [idx, page.slice()] as [number, Uint8Array])
    };
  }

  /** Restores a saved image; `compiled` is the module of `image.wasm`, or null. */
  importImage(image: CanisterImage, compiled: CompiledModule | null): void {
    const m = image.meta;
    this.cycles = BigInt(m.cycles);
    this.certifiedData = new Uint8Array(Buffer.from(m.certifiedData, 'hex'));
    this.globalTimer = BigInt(m.globalTimer);
    this.version = BigInt(m.version);
    this.stable.restore(BigInt(m.stablePages), image.stable);
    if (!compiled) return;
    this.instantiate(compiled);
    const current = this.globals().map((g) => g.value as number | bigint);
    this.loadHeap(image.heap, m.globals.map((v, i) => (typeof current[i] === 'bigint' ? BigInt(v) : Number(v))));
  }

  /** sha256 over everything a message may change: heap, globals, stable memory, system state. */
  stateDigest(): string {
    const h = createHash('sha256');
    const s = this.snapshot();
    h.update(s.heap).update(JSON.stringify(s.globals.map(String)));
    h.update(`stable:${this.stable.size()}`);
    for (const [idx, page] of this.stable.allocatedPages()) h.update(`page:${idx}`).update(page);
    h.update(this.certifiedData).update(`timer:${this.globalTimer} cycles:${this.cycles} version:${this.version}`);
    return h.digest('hex');
  }

  /** Runs one entry point without any rollback; throws nothing, reports a trap. */
  private invoke(entry: Entry, state: ExecState): ExecOutcome {
    const done = (trap: string | null, explicit = false): ExecOutcome => {
      const instructions = this.counterValue();
      const outOfInstructions = this.counterGlobal() !== null && state.instructionLimit > 0n && instructions > state.instructionLimit;
      if (outOfInstructions) {
        return { trap: `Canister exceeded the limit of ${state.instructionLimit} instructions for ${state.kind} (${instructions} counted)`, explicit: false, instructions, outOfInstructions };
      }
      return { trap, explicit, instructions, outOfInstructions: false };
    };
    if (!this.instance) return done('canister has no Wasm module');
    const counter = this.counterGlobal();
    if (counter) {
      counter.value = 0n;
      (this.instance.exports[LIMIT_EXPORT] as WebAssembly.Global).value = state.instructionLimit > 0n ? state.instructionLimit : -1n;
    }
    this.current = state;
    try {
      if ('export' in entry) {
        const fn = this.instance.exports[entry.export] as (() => void) | undefined;
        if (!fn) return done(`canister has no export ${entry.export}`);
        fn();
      } else {
        const table = this.instance.exports[TABLE_EXPORT] as WebAssembly.Table | undefined;
        const fn = table?.get(entry.closure.fun) as ((env: number) => void) | null | undefined;
        if (!fn) return done(`callback ${entry.closure.fun} is not in the function table`);
        fn(entry.closure.env);
      }
      return done(null);
    } catch (e) {
      if (e instanceof Trap) return done(e.message, e.explicit);
      if (e instanceof WebAssembly.RuntimeError || e instanceof RangeError) return done(e.message);
      if (e instanceof Error) return done(`${e.name}: ${e.message}`);
      return done(String(e));
    } finally {
      this.current = null;
    }
  }

  /**
   * Executes one message. `persist` false (queries, inspect) always restores; a trap always
   * restores. Returns the outcome; the caller commits `state.calls` / `state.response` only
   * when `trap` is null.
   */
  execute(entry: Entry, state: ExecState, persist: boolean): ExecOutcome {
    const before = this.snapshot(this.spare);
    this.spare = null;
    this.stable.begin();
    const outcome = this.invoke(entry, state);
    this.executedInstructions += outcome.instructions;
    if (outcome.trap !== null || !persist) {
      this.stable.rollback();
      this.restore(before);
    } else {
      this.stable.commit();
      // A call built but never performed gives its cycles back.
      if (state.pending) this.cycles += state.pending.cycles;
    }
    this.spare = before.heap;
    return outcome;
  }

  /** Runs an entry point inside an install/upgrade, whose rollback the caller handles. */
  executeRaw(entry: Entry, state: ExecState): ExecOutcome {
    return this.invoke(entry, state);
  }

  /** Everything install_code may need to put back. */
  saveForInstall(): { compiled: CompiledModule | null; instance: WebAssembly.Instance | null; snapshot: Snapshot; stable: StableMemory; version: bigint } {
    return { compiled: this.compiled, instance: this.instance, snapshot: this.snapshot(), stable: this.stable, version: this.version };
  }

  restoreFromInstall(saved: ReturnType<Canister['saveForInstall']>): void {
    this.compiled = saved.compiled;
    this.instance = saved.instance;
    this.stable = saved.stable;
    this.version = saved.version;
    this.restore(saved.snapshot);
  }
}

/** A copy via allocate + set: several times faster than slice() for a multi-MB heap. */
function copyOf(src: Uint8Array, into?: Uint8Array | null): Uint8Array {
  const out = into && into.length === src.length ? into : new Uint8Array(src.length);
  out.set(src);
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
