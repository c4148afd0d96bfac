/**
 * The in-process Internet Computer: canisters, ingress and inter-canister messages, the
 * management canister, time and global timers. Every message runs to completion on its own;
 * responses travel back as separate messages, so `call_perform` → callback is asynchronous
 * as on the IC, and each callback is its own unit of rollback.
 */
import { randomBytes } from 'node:crypto';

import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';

import { Canister, type ExecOutcome } from './canister.js';
import { type CallResult, ErrorCodes, RejectCode, RuntimeError, rejected } from './errors.js';
import { type EntryKind, type ExecState, type OutgoingCall, newExecState } from './execution.js';
import { FIRST_LOCAL_CANISTER_INDEX, MANAGEMENT_CANISTER, canisterIdFromIndex } from './ids.js';
import { compileModule, customSection, customSectionNames } from './module-cache.js';
import { readState, writeState } from './persist.js';
import { StableMemory } from './stable-memory.js';

export interface RuntimeOptions {
  /** Start time in ns since the epoch (default: now). Time only moves by setTime/advanceTime. */
  timeNs?: bigint;
  /** Receives `ic0.debug_print` lines and trap reports. Default: stderr when ICOS_ATTEST_CANISTER_LOG is set. */
  log?: (canisterId: string, line: string) => void;
  /**
   * Follow the wall clock: before each replicated message time becomes max(last + 1 ns, now),
   * as on a live replica (for a long-running server; call tick() periodically to fire timers).
   * Default false: time only moves by setTime/advanceTime (deterministic tests).
   */
  wallClock?: boolean;
  /** Count Wasm instructions (instrumented modules; default true). */
  countInstructions?: boolean;
  /** Per-message limits (defaults: the IC's 40 B update, 5 B query, 300 B install, 200 M inspect). */
  instructionLimits?: Partial<InstructionLimits>;
}

export interface InstructionLimits {
  update: bigint;
  query: bigint;
  install: bigint;
  inspect: bigint;
}

export const IC_INSTRUCTION_LIMITS: InstructionLimits = {
  update: 40_000_000_000n,
  query: 5_000_000_000n,
  install: 300_000_000_000n,
  inspect: 200_000_000n
};

export type DataCertificateProvider = (canisterId: Principal, certifiedData: Uint8Array) => Uint8Array | null;

export interface CanisterInfo {
  moduleHash: Uint8Array | null;
  controllers: Principal[];
  /** 'candid:service' (no prefix) finds 'icp:public candid:service' or 'icp:private candid:service'. */
  customSection(name: string): Uint8Array | null;
  /** Names of the `icp:public` sections, without the prefix (e.g. 'candid:service'). */
  publicCustomSectionNames: string[];
}

type Origin =
  | { kind: 'ingress'; resolve: (r: CallResult) => void }
  | { kind: 'canister'; callbackId: number }
  | { kind: 'system' };

type ResponsePayload =
  | { kind: 'reply'; data: Uint8Array }
  | { kind: 'reject'; code: RejectCode; message: string; errorCode: string };

interface CallContext {
  id: number;
  canister: Canister;
  origin: Origin;
  caller: Uint8Array;
  responded: boolean;
  outstanding: number;
  cyclesAvailable: bigint;
  cyclesAccepted: bigint;
  instructions: bigint;
}

interface Callback {
  id: number;
  canister: Canister;
  /** Module version that registered it: table indices mean nothing to another module. */
  version: bigint;
  contextId: number;
  call: OutgoingCall;
}

type Message =
  | { kind: 'request'; callee: Principal; method: string; arg: Uint8Array; caller: Uint8Array; cycles: bigint; origin: Origin }
  | { kind: 'response'; callbackId: number; response: ResponsePayload; refund: bigint }
  | { kind: 'timer'; canister: Canister };

type Target = { canister: Canister; kind: EntryKind; exportName: string } | { error: CallResult };

const MAX_TIMER_FIRINGS = 1000;

const PLACEHOLDER_CERTIFICATE = new TextEncoder().encode('icos-attest runtime: no data certificate provider set');

export class Runtime {
  protected canisters = new Map<string, Canister>();
  protected now: bigint;
  protected nextIndex = FIRST_LOCAL_CANISTER_INDEX;
  private readonly log: (canisterId: string, line: string) => void;
  private readonly countInstructions: boolean;
  private readonly limits: InstructionLimits;
  private readonly options: RuntimeOptions;
  private certificateProvider: DataCertificateProvider | null = null;
  /** Instructions of the last install's canister_init or canister_post_upgrade (for the bench). */
  lastInstallInstructions = 0n;
  private queue: Message[] = [];
  private contexts = new Map<number, CallContext>();
  private callbacks = new Map<number, Callback>();
  private nextId = 1;
  private draining = false;
  private drainPromise: Promise<void> = Promise.resolve();

  constructor(opts: RuntimeOptions = {}) {
    this.now = opts.timeNs ?? BigInt(Date.now()) * 1_000_000n;
    this.options = opts;
    this.countInstructions = opts.countInstructions ?? true;
    this.limits = { ...IC_INSTRUCTION_LIMITS, ...opts.instructionLimits };
    this.log = opts.log ?? ((id, line) => { if (process.env.ICOS_ATTEST_CANISTER_LOG) process.stderr.write(`[${id}] ${line}\n`); });
  }

  // ---- canisters -------------------------------------------------------------------------

  createCanister(opts: { canisterId?: Principal; controllers?: Principal[] } = {}): Principal {
    let id = opts.canisterId;
    if (id) {
      if (this.canisters.has(id.toText())) throw new RuntimeError('canister-exists', `canister ${id.toText()} already exists`);
    } else {
      do id = canisterIdFromIndex(this.nextIndex++);
      while (this.canisters.has(id.toText()));
    }
    this.canisters.set(id.toText(), this.newCanister(id, opts.controllers ?? []));
    return id;
  }

  protected newCanister(id: Principal, controllers: Principal[]): Canister {
    return new Canister(id, controllers, {
      time: () => this.now,
      log: (cid, line) => this.log(cid, line),
      dataCertificate: (cid, data) => (this.certificateProvider ? this.certificateProvider(cid, data) : PLACEHOLDER_CERTIFICATE)
    });
  }

  canisterIds(): Principal[] {
    return [...this.canisters.values()].map((c) => c.id);
  }

  setControllers(canisterId: Principal, controllers: Principal[]): void {
    this.mustGet(canisterId).controllers = [...controllers];
  }

  /** Sets what `ic0.data_certificate_copy` returns in queries (the HTTP layer signs real ones). */
  setDataCertificateProvider(provider: DataCertificateProvider | null): void {
    this.certificateProvider = provider;
  }

  /** Instructions of every message the canister executed so far, summed (for the bench: timers and their self-calls). */
  executedInstructions(canisterId: Principal): bigint {
    return this.mustGet(canisterId).executedInstructions;
  }

  /** The canister's certified data (what the HTTP layer puts in the state tree). */
  certifiedData(canisterId: Principal): Uint8Array {
    return this.mustGet(canisterId).certifiedData.slice();
  }

  /** sha256 of the canister's whole state (heap, globals, stable memory, system state), for tests. */
  stateHash(canisterId: Principal): string {
    return this.mustGet(canisterId).stateDigest();
  }

  canisterInfo(canisterId: Principal): CanisterInfo | null {
    const c = this.canisters.get(canisterId.toText());
    if (!c) return null;
    const compiled = c.compiled;
    return {
      moduleHash: compiled ? compiled.hash.slice() : null,
      controllers: [...c.controllers],
      customSection: (name: string) => {
        if (!compiled) return null;
        if (name.startsWith('icp:')) return customSection(compiled.module, name);
        return customSection(compiled.module, `icp:public ${name}`) ?? customSection(compiled.module, `icp:private ${name}`);
      },
      publicCustomSectionNames: compiled
        ? customSectionNames(compiled.original).filter((n) => n.startsWith('icp:public ')).map((n) => n.slice('icp:public '.length))
        : []
    };
  }

  protected mustGet(canisterId: Principal): Canister {
    const c = this.canisters.get(canisterId.toText());
    if (!c) throw new RuntimeError('canister-not-found', `canister ${canisterId.toText()} not found`);
    return c;
  }

  /**
   * install_code. `install` needs an empty canister, `upgrade` an installed one. A trap in
   * pre_upgrade, init or post_upgrade throws RuntimeError('trapped') and leaves the old state.
   * Then runs pending work (Azle's 0 s init timer fetches raw_rand) before resolving.
   */
  async install(
    canisterId: Principal,
    wasm: Uint8Array,
    opts: { arg?: Uint8Array; mode?: 'install' | 'reinstall' | 'upgrade'; caller?: Principal } = {}
  ): Promise<void> {
    const canister = this.mustGet(canisterId);
    const mode = opts.mode ?? 'install';
    const compiled = await compileModule(wasm, { instrument: this.countInstructions });
    if (mode === 'install' && canister.installed) {
      throw new RuntimeError('already-installed', `canister ${canister.idText} already has a module; use mode 'reinstall' or 'upgrade'`);
    }
    if (mode === 'upgrade' && !canister.installed) {
      throw new RuntimeError('not-installed', `canister ${canister.idText} has no module to upgrade; use mode 'install'`);
    }
    const caller = (opts.caller ?? canister.controllers[0] ?? Principal.anonymous()).toUint8Array();
    const arg = opts.arg ?? new Uint8Array(IDL.encode([], []));
    const saved = canister.saveForInstall();
    const fail = (what: string, outcome: ExecOutcome): never => {
      if (mode === 'upgrade') canister.stable.rollback();
      canister.restoreFromInstall(saved);
      if (outcome.outOfInstructions) throw new RuntimeError('out-of-instructions', `${what} of canister ${canister.idText}: ${outcome.trap}`);
      throw new RuntimeError('trapped', `${what} of canister ${canister.idText} trapped: ${outcome.trap}`);
    };
    if (mode === 'upgrade') {
      canister.stable.begin();
      if (canister.hasExport('canister_pre_upgrade')) {
        const o = canister.executeRaw({ export: 'canister_pre_upgrade' }, this.state('pre_upgrade', { caller }));
        if (o.trap !== null) fail('pre_upgrade', o);
      }
    } else {
      canister.stable = new StableMemory();
      canister.certifiedData = new Uint8Array(0);
    }
    canister.globalTimer = 0n;
    canister.instantiate(compiled);
    canister.version += 1n;
    const entry = mode === 'upgrade' ? 'canister_post_upgrade' : 'canister_init';
    if (canister.hasExport(entry)) {
      const o = canister.executeRaw({ export: entry }, this.state(mode === 'upgrade' ? 'post_upgrade' : 'init', { caller, arg }));
      if (o.trap !== null) fail(mode === 'upgrade' ? 'post_upgrade' : 'init', o);
      this.lastInstallInstructions = o.instructions;
    }
    if (mode === 'upgrade') canister.stable.commit();
    await this.tick();
  }

  uninstall(canisterId: Principal): void {
    const c = this.mustGet(canisterId);
    c.uninstall();
    c.stable = new StableMemory();
    c.globalTimer = 0n;
    c.certifiedData = new Uint8Array(0);
  }

  // ---- persistence -----------------------------------------------------------------------

  /**
   * Saves canister ids, modules, heaps, stable memory, controllers, timers and time to `dir`
   * after running pending work (so no call is in flight). The snapshot is taken in one
   * synchronous step; an interrupted save leaves the previous save loadable.
   */
  async save(dir: string): Promise<void> {
    await this.tick();
    const images = [...this.canisters.values()].map((c) => c.exportImage());
    try {
      await writeState(dir, { time: this.now.toString(), nextIndex: this.nextIndex.toString() }, images);
    } catch (e) {
      throw new RuntimeError('persistence', `cannot save runtime state to ${dir}: ${(e as Error).message}`);
    }
  }

  /** A runtime with the state saved in `dir` (time as saved unless `opts.timeNs` is given). */
  static async load(dir: string, opts: RuntimeOptions = {}): Promise<Runtime> {
    let state: Awaited<ReturnType<typeof readState>>;
    try {
      state = await readState(dir);
    } catch (e) {
      throw new RuntimeError('persistence', `cannot load runtime state from ${dir}: ${(e as Error).message}`);
    }
    const rt = new Runtime({ ...opts, timeNs: opts.timeNs ?? BigInt(state.saved.time) });
    rt.nextIndex = BigInt(state.saved.nextIndex);
    for (const image of state.images) {
      const id = Principal.fromText(image.meta.id);
      const canister = rt.newCanister(id, image.meta.controllers.map((p) => Principal.fromText(p)));
      canister.importImage(image, image.wasm ? await compileModule(image.wasm, { instrument: opts.countInstructions ?? true }) : null);
      rt.canisters.set(id.toText(), canister);
    }
    return rt;
  }

  // ---- calls -----------------------------------------------------------------------------

  private precheck(canisterId: Principal, method: string, kinds: ('update' | 'query')[]): Target {
    const canister = this.canisters.get(canisterId.toText());
    if (!canister) return { error: rejected(RejectCode.DestinationInvalid, ErrorCodes.canisterNotFound, `Canister ${canisterId.toText()} not found`) };
    if (!canister.installed) {
      return { error: rejected(RejectCode.DestinationInvalid, ErrorCodes.wasmModuleNotFound, `Error from Canister ${canister.idText}: Attempted to execute a message, but the canister contains no Wasm module.`) };
    }
    for (const kind of kinds) {
      if (kind === 'update' && canister.hasExport(`canister_update ${method}`)) return { canister, kind: 'update', exportName: `canister_update ${method}` };
      if (kind === 'query') {
        for (const prefix of ['canister_query', 'canister_composite_query']) {
          if (canister.hasExport(`${prefix} ${method}`)) {
            return { canister, kind: kinds[0] === 'update' ? 'replicated_query' : 'query', exportName: `${prefix} ${method}` };
          }
        }
      }
    }
    const what = kinds[0] === 'update' ? 'update' : 'query';
    return { error: rejected(RejectCode.DestinationInvalid, ErrorCodes.methodNotFound, `Error from Canister ${canister.idText}: Canister has no ${what} method '${method}'.`) };
  }

  /**
   * An update call (ingress when `ingress` is set: canister_inspect_message runs first).
   * Resolves when the call context is answered, after any inter-canister calls it makes.
   */
  async update(canisterId: Principal, method: string, arg: Uint8Array, opts: { caller: Principal; ingress?: boolean }): Promise<CallResult> {
    const target = this.precheck(canisterId, method, ['update', 'query']);
    if ('error' in target) return target.error;
    const { canister } = target;
    const caller = opts.caller.toUint8Array();
    if (opts.ingress && canister.hasExport('canister_inspect_message')) {
      const state = this.state('inspect', { arg, caller, methodName: method });
      const o = canister.execute({ export: 'canister_inspect_message' }, state, false);
      if (o.trap !== null) { const r = this.trapReject(canister, o); return rejected(r.code, r.errorCode, r.message, o.instructions); }
      if (!state.accepted) {
        return rejected(RejectCode.CanisterReject, ErrorCodes.rejectedByInspect, `Error from Canister ${canister.idText}: Canister rejected the message`, o.instructions);
      }
    }
    return new Promise<CallResult>((resolve) => {
      this.queue.push({ kind: 'request', callee: canisterId, method, arg: arg.slice(), caller, cycles: 0n, origin: { kind: 'ingress', resolve } });
      void this.drain();
    });
  }

  /** A query call: runs now on the current state and never persists anything. */
  async query(canisterId: Principal, method: string, arg: Uint8Array, opts: { caller: Principal }): Promise<CallResult> {
    const target = this.precheck(canisterId, method, ['query']);
    if ('error' in target) return target.error;
    const { canister, exportName } = target;
    const state = this.state('query', { arg: arg.slice(), caller: opts.caller.toUint8Array(), methodName: method });
    const o = canister.execute({ export: exportName }, state, false);
    if (o.trap !== null) { const r = this.trapReject(canister, o); return rejected(r.code, r.errorCode, r.message, o.instructions); }
    return this.toCallResult(canister, state, o.instructions);
  }

  private toCallResult(canister: Canister, state: ExecState, instructions: bigint): CallResult {
    const r = state.response;
    if (!r) return rejected(RejectCode.CanisterError, ErrorCodes.didNotReply, `Error from Canister ${canister.idText}: Canister did not reply to the call`, instructions);
    if (r.kind === 'reply') return { kind: 'replied', reply: r.data, instructions };
    return rejected(RejectCode.CanisterReject, ErrorCodes.canisterRejected, r.message, instructions);
  }

  private state(kind: EntryKind, init: Partial<ExecState> = {}): ExecState {
    const l = this.limits;
    const limit = kind === 'query' ? l.query
      : kind === 'inspect' ? l.inspect
      : kind === 'init' || kind === 'post_upgrade' || kind === 'pre_upgrade' ? l.install
      : l.update;
    return newExecState(kind, { instructionLimit: limit, ...init });
  }

  /** The reject for a trapped message: IC0522 when it ran out of instructions, else IC0503. */
  private trapReject(canister: Canister, o: ExecOutcome): Extract<ResponsePayload, { kind: 'reject' }> {
    if (o.outOfInstructions) {
      return { kind: 'reject', code: RejectCode.CanisterError, errorCode: ErrorCodes.outOfInstructions, message: `Error from Canister ${canister.idText}: Canister exceeded the instruction limit for single message execution. ${o.trap}` };
    }
    return { kind: 'reject', code: RejectCode.CanisterError, errorCode: ErrorCodes.canisterTrapped, message: this.trapMessage(canister, o) };
  }

  private trapMessage(canister: Canister, o: ExecOutcome): string {
    return o.explicit
      ? `Error from Canister ${canister.idText}: Canister called \`ic0.trap\` with message: '${o.trap}'`
      : `Error from Canister ${canister.idText}: Canister trapped: ${o.trap}`;
  }

  // ---- time and scheduling ----------------------------------------------------------------

  time(): bigint { return this.now; }

  setTime(ns: bigint): void { this.now = ns; }

  /** Moves time forward and runs the timers that became due. */
  async advanceTime(ns: bigint): Promise<void> {
    this.now += ns;
    await this.tick();
  }

  /** Runs due timers and queued messages until nothing is left to do. */
  async tick(): Promise<void> {
    await this.drain();
  }

  private drain(): Promise<void> {
    // `draining` is set and cleared synchronously around the loop, so a message queued while
    // the loop is finishing always either joins it or starts a new one.
    if (this.draining) return this.drainPromise;
    this.draining = true;
    this.drainPromise = (async () => {
      const firings = new Map<Canister, number>();
      try {
        for (;;) {
          if (this.queue.length === 0) this.enqueueDueTimers(firings);
          const m = this.queue.shift();
          if (!m) break;
          this.process(m);
          // Let other work (HTTP requests, awaiting callers) run between messages.
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      } finally {
        this.draining = false;
      }
    })();
    return this.drainPromise;
  }

  /**
   * Time stands still between setTime/advanceTime, so a timer that keeps re-arming itself for
   * "now" would fire forever: at most MAX_TIMER_FIRINGS per canister per drain.
   */
  private enqueueDueTimers(firings: Map<Canister, number>): void {
    if (this.options.wallClock) {
      const wall = BigInt(Date.now()) * 1_000_000n;
      if (wall > this.now) this.now = wall;
    }
    for (const c of this.canisters.values()) {
      if (c.installed && c.globalTimer !== 0n && c.globalTimer <= this.now && c.hasExport('canister_global_timer')) {
        const n = firings.get(c) ?? 0;
        if (n >= MAX_TIMER_FIRINGS) continue;
        firings.set(c, n + 1);
        c.globalTimer = 0n; // deactivated before it runs, as on the IC
        this.queue.push({ kind: 'timer', canister: c });
      }
    }
  }

  private process(m: Message): void {
    if (this.options.wallClock) {
      const wall = BigInt(Date.now()) * 1_000_000n;
      this.now = wall > this.now ? wall : this.now + 1n;
    }
    try {
      if (m.kind === 'request') this.processRequest(m);
      else if (m.kind === 'response') this.processResponse(m);
      else this.processTimer(m.canister);
    } catch (e) {
      // A runtime bug must not wedge the queue: report it and answer the origin if possible.
      this.log('runtime', `internal error: ${(e as Error).stack ?? e}`);
      if (m.kind === 'request') {
        this.deliver(m.origin, { kind: 'reject', code: RejectCode.SysFatal, errorCode: 'IC0000', message: `runtime internal error: ${(e as Error).message}` }, m.cycles, 0n);
      }
    }
  }

  private newContext(canister: Canister, origin: Origin, caller: Uint8Array, cycles: bigint): CallContext {
    const ctx: CallContext = { id: this.nextId++, canister, origin, caller, responded: false, outstanding: 0, cyclesAvailable: cycles, cyclesAccepted: 0n, instructions: 0n };
    this.contexts.set(ctx.id, ctx);
    return ctx;
  }

  private processRequest(m: Extract<Message, { kind: 'request' }>): void {
    if (m.callee.toText() === MANAGEMENT_CANISTER.toText()) {
      this.deliver(m.origin, this.management(m.method, m.arg, m.caller), m.cycles, 0n);
      return;
    }
    const target = this.precheck(m.callee, m.method, ['update', 'query']);
    if ('error' in target) {
      const e = target.error as Extract<CallResult, { kind: 'rejected' }>;
      this.deliver(m.origin, { kind: 'reject', code: e.code, message: e.message, errorCode: e.errorCode }, m.cycles, 0n);
      return;
    }
    const { canister, kind, exportName } = target;
    const ctx = this.newContext(canister, m.origin, m.caller, m.cycles);
    const state = this.state(kind, { arg: m.arg, caller: m.caller, methodName: m.method, cyclesAvailable: m.cycles });
    const o = canister.execute({ export: exportName }, state, kind === 'update');
    this.finish(ctx, state, o);
  }

  private processResponse(m: Extract<Message, { kind: 'response' }>): void {
    const cb = this.callbacks.get(m.callbackId);
    if (!cb) return;
    this.callbacks.delete(m.callbackId);
    const ctx = this.contexts.get(cb.contextId);
    const canister = cb.canister;
    if (!ctx) return;
    canister.cycles += m.refund;
    ctx.outstanding -= 1;
    if (!canister.installed || canister.version !== cb.version) {
      // The module changed since the call was made: its callback cannot run.
      this.settle(ctx, { kind: 'reject', code: RejectCode.CanisterError, errorCode: ErrorCodes.canisterTrapped, message: `Error from Canister ${canister.idText}: the response arrived after the canister's module changed; its callback was dropped` });
      return;
    }
    const r = m.response;
    const state = this.state(r.kind === 'reply' ? 'reply' : 'reject', {
      arg: r.kind === 'reply' ? r.data : new Uint8Array(0),
      caller: ctx.caller,
      rejectCode: r.kind === 'reply' ? 0 : r.code,
      rejectMessage: r.kind === 'reply' ? '' : r.message,
      alreadyResponded: ctx.responded,
      cyclesAvailable: ctx.cyclesAvailable - ctx.cyclesAccepted,
      cyclesRefunded: m.refund,
      callContextInstructions: ctx.instructions
    });
    const o = canister.execute({ closure: r.kind === 'reply' ? cb.call.reply : cb.call.reject }, state, true);
    if (o.trap !== null) {
      this.log(canister.idText, `callback trapped${cb.call.cleanup ? ", running its cleanup" : ""}: ${o.trap}`);
      if (cb.call.cleanup) {
        const cleanup = this.state('cleanup', { caller: ctx.caller, alreadyResponded: true });
        const c = canister.execute({ closure: cb.call.cleanup }, cleanup, true);
        if (c.trap !== null) this.log(canister.idText, `cleanup callback trapped: ${c.trap}`);
      }
    }
    this.finish(ctx, state, o);
  }

  private processTimer(canister: Canister): void {
    if (!canister.installed) return;
    const ctx = this.newContext(canister, { kind: 'system' }, canister.idBytes, 0n);
    const state = this.state('timer', { caller: canister.idBytes });
    const o = canister.execute({ export: 'canister_global_timer' }, state, true);
    if (o.trap !== null) this.log(canister.idText, `global timer trapped: ${o.trap}`);
    this.finish(ctx, state, o);
  }

  /** Commits what a completed message produced (calls, response) and closes the context if done. */
  private finish(ctx: CallContext, state: ExecState, o: ExecOutcome): void {
    ctx.instructions += o.instructions;
    const canister = ctx.canister;
    if (o.trap === null) {
      ctx.cyclesAccepted += state.cyclesAccepted;
      for (const call of state.calls) {
        const cb: Callback = { id: this.nextId++, canister, version: canister.version, contextId: ctx.id, call };
        this.callbacks.set(cb.id, cb);
        ctx.outstanding += 1;
        let callee: Principal;
        try {
          callee = Principal.fromUint8Array(call.callee);
        } catch {
          callee = Principal.fromUint8Array(new Uint8Array(0));
        }
        const argLen = call.argChunks.reduce((n, c) => n + c.length, 0);
        const arg = new Uint8Array(argLen);
        let pos = 0;
        for (const c of call.argChunks) { arg.set(c, pos); pos += c.length; }
        this.queue.push({ kind: 'request', callee, method: call.method, arg, caller: canister.idBytes, cycles: call.cycles, origin: { kind: 'canister', callbackId: cb.id } });
      }
      if (state.response) {
        const r = state.response;
        this.respond(ctx, r.kind === 'reply'
          ? { kind: 'reply', data: r.data }
          : { kind: 'reject', code: RejectCode.CanisterReject, errorCode: ErrorCodes.canisterRejected, message: r.message });
      }
    }
    this.settle(ctx, o.trap !== null ? this.trapReject(canister, o) : null);
  }

  /** A context with no outstanding calls that never answered gets the IC's error; then it is gone. */
  private settle(ctx: CallContext, trap: ResponsePayload | null): void {
    if (ctx.outstanding > 0) return;
    if (!ctx.responded) {
      this.respond(ctx, trap !== null
        ? trap
        : { kind: 'reject', code: RejectCode.CanisterError, errorCode: ErrorCodes.didNotReply, message: `Error from Canister ${ctx.canister.idText}: Canister did not reply to the call` });
    }
    this.contexts.delete(ctx.id);
  }

  private respond(ctx: CallContext, response: ResponsePayload): void {
    ctx.responded = true;
    const refund = ctx.cyclesAvailable - ctx.cyclesAccepted;
    ctx.cyclesAccepted = ctx.cyclesAvailable;
    this.deliver(ctx.origin, response, refund, ctx.instructions);
  }

  private deliver(origin: Origin, response: ResponsePayload, refund: bigint, instructions: bigint): void {
    if (origin.kind === 'ingress') {
      origin.resolve(response.kind === 'reply'
        ? { kind: 'replied', reply: response.data, instructions }
        : { kind: 'rejected', code: response.code, message: response.message, errorCode: response.errorCode, instructions });
    } else if (origin.kind === 'canister') {
      this.queue.push({ kind: 'response', callbackId: origin.callbackId, response, refund });
    }
  }

  // ---- management canister ----------------------------------------------------------------

  /** The parts of aaaaa-aa a canister calls here: raw_rand. Everything else is refused cleanly. */
  private management(method: string, _arg: Uint8Array, _caller: Uint8Array): ResponsePayload {
    if (method === 'raw_rand') {
      return { kind: 'reply', data: new Uint8Array(IDL.encode([IDL.Vec(IDL.Nat8)], [new Uint8Array(randomBytes(32))])) };
    }
    return {
      kind: 'reject',
      code: RejectCode.DestinationInvalid,
      errorCode: ErrorCodes.methodNotFound,
      message: `Management canister method '${method}' is not supported by the icos-attest runtime (supported: raw_rand)`
    };
  }
}
