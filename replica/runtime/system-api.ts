/**
 * The ic0 system API over one canister. Every function reads the current message's ExecState
 * from the host; availability rules follow the IC interface spec closely enough that misuse
 * traps here as it would on the IC.
 */
import { type EntryKind, type ExecState, Trap } from './execution.js';
import type { StableMemory } from './stable-memory.js';

export interface SystemApiHost {
  memory(): WebAssembly.Memory;
  exec(): ExecState;
  readonly idBytes: Uint8Array;
  readonly stable: StableMemory;
  time(): bigint;
  certifiedData: Uint8Array;
  globalTimer: bigint;
  cycles: bigint;
  readonly version: bigint;
  isController(principal: Uint8Array): boolean;
  dataCertificate(): Uint8Array | null;
  debugPrint(line: string): void;
  /** Instructions executed so far in this message (0 when the module is not instrumented). */
  instructionCounter(): bigint;
  /** Adds system API work to the message's instruction count. */
  charge(instructions: number): void;
}

const MAX_U128 = (1n << 128n) - 1n;
const decoder = new TextDecoder('utf-8', { fatal: false });

function only(exec: ExecState, name: string, kinds: EntryKind[]): void {
  if (!kinds.includes(exec.kind)) throw new Trap(`"ic0.${name}" cannot be executed in ${exec.kind} mode`);
}

export function systemApi(host: SystemApiHost): Record<string, (...args: never[]) => unknown> {
  const view = (ptr: number, len: number): Uint8Array => {
    const buf = host.memory().buffer;
    if (ptr < 0 || len < 0 || ptr + len > buf.byteLength) throw new Trap(`ic0 access out of bounds: ${ptr}+${len} > ${buf.byteLength}`);
    return new Uint8Array(buf, ptr, len);
  };
  const read = (ptr: number, len: number): Uint8Array => view(ptr >>> 0, len >>> 0).slice();
  const copyOut = (data: Uint8Array, dst: number, offset: number, size: number, what: string) => {
    dst >>>= 0; offset >>>= 0; size >>>= 0;
    if (offset + size > data.length) throw new Trap(`ic0.${what}_copy: offset ${offset} + size ${size} exceeds ${data.length}`);
    view(dst, size).set(data.subarray(offset, offset + size));
  };
  const writeU128 = (dst: number, value: bigint) => {
    const out = view(dst >>> 0, 16);
    let v = value < 0n ? 0n : value;
    for (let i = 0; i < 16; i++) { out[i] = Number(v & 0xffn); v >>= 8n; }
  };
  const u128 = (high: bigint, low: bigint): bigint => (BigInt.asUintN(64, high) << 64n) | BigInt.asUintN(64, low);
  const argKinds: EntryKind[] = ['init', 'post_upgrade', 'update', 'query', 'replicated_query', 'inspect', 'reply'];
  const respondKinds: EntryKind[] = ['update', 'query', 'replicated_query', 'reply', 'reject'];
  const callKinds: EntryKind[] = ['update', 'reply', 'reject', 'timer'];
  const respond = (name: string) => {
    const exec = host.exec();
    only(exec, name, respondKinds);
    if (exec.alreadyResponded || exec.response) throw new Trap(`ic0.${name}: the call has already been responded to`);
    return exec;
  };

  const api: Record<string, (...args: never[]) => unknown> = {
    msg_arg_data_size: () => { const e = host.exec(); only(e, 'msg_arg_data_size', argKinds); return e.arg.length; },
    msg_arg_data_copy: (dst: number, offset: number, size: number) => {
      const e = host.exec(); only(e, 'msg_arg_data_copy', argKinds); copyOut(e.arg, dst, offset, size, 'msg_arg_data');
    },
    msg_caller_size: () => host.exec().caller.length,
    msg_caller_copy: (dst: number, offset: number, size: number) => copyOut(host.exec().caller, dst, offset, size, 'msg_caller'),
    msg_reject_code: () => { const e = host.exec(); only(e, 'msg_reject_code', ['reply', 'reject']); return e.rejectCode; },
    msg_reject_msg_size: () => { const e = host.exec(); only(e, 'msg_reject_msg_size', ['reject']); return new TextEncoder().encode(e.rejectMessage).length; },
    msg_reject_msg_copy: (dst: number, offset: number, size: number) => {
      const e = host.exec(); only(e, 'msg_reject_msg_copy', ['reject']); copyOut(new TextEncoder().encode(e.rejectMessage), dst, offset, size, 'msg_reject_msg');
    },
    msg_method_name_size: () => { const e = host.exec(); only(e, 'msg_method_name_size', ['update', 'query', 'replicated_query', 'inspect']); return new TextEncoder().encode(e.methodName).length; },
    msg_method_name_copy: (dst: number, offset: number, size: number) => {
      const e = host.exec(); only(e, 'msg_method_name_copy', ['update', 'query', 'replicated_query', 'inspect']); copyOut(new TextEncoder().encode(e.methodName), dst, offset, size, 'msg_method_name');
    },
    accept_message: () => {
      const e = host.exec(); only(e, 'accept_message', ['inspect']);
      if (e.accepted) throw new Trap('ic0.accept_message: message already accepted');
      e.accepted = true;
    },
    msg_reply_data_append: (src: number, size: number) => { const e = respond('msg_reply_data_append'); e.replyChunks.push(read(src, size)); },
    msg_reply: () => {
      const e = respond('msg_reply');
      let len = 0;
      for (const c of e.replyChunks) len += c.length;
      const data = new Uint8Array(len);
      let pos = 0;
      for (const c of e.replyChunks) { data.set(c, pos); pos += c.length; }
      e.replyChunks = [];
      e.response = { kind: 'reply', data };
    },
    msg_reject: (src: number, size: number) => {
      const e = respond('msg_reject');
      e.response = { kind: 'reject', message: decoder.decode(read(src, size)) };
    },
    msg_cycles_available128: (dst: number) => { const e = host.exec(); writeU128(dst, e.cyclesAvailable - e.cyclesAccepted); },
    msg_cycles_refunded128: (dst: number) => { writeU128(dst, host.exec().cyclesRefunded); },
    msg_cycles_accept128: (maxHigh: bigint, maxLow: bigint, dst: number) => {
      const e = host.exec();
      const max = u128(maxHigh, maxLow);
      const left = e.cyclesAvailable - e.cyclesAccepted;
      const take = max < left ? max : left;
      e.cyclesAccepted += take;
      host.cycles += take;
      writeU128(dst, take);
    },
    canister_self_size: () => host.idBytes.length,
    canister_self_copy: (dst: number, offset: number, size: number) => copyOut(host.idBytes, dst, offset, size, 'canister_self'),
    canister_cycle_balance128: (dst: number) => writeU128(dst, host.cycles),
    canister_liquid_cycle_balance128: (dst: number) => writeU128(dst, host.cycles),
    canister_version: () => host.version,
    cycles_burn128: (high: bigint, low: bigint, dst: number) => {
      const want = u128(high, low);
      const burnt = want < host.cycles ? want : host.cycles;
      host.cycles -= burnt;
      writeU128(dst, burnt);
    },
    cost_call: (methodNameSize: bigint, payloadSize: bigint, dst: number) => {
      writeU128(dst, 260_000n + 1_000n * (BigInt(methodNameSize) + BigInt(payloadSize)));
    },
    time: () => host.time(),
    global_timer_set: (timestamp: bigint) => {
      const e = host.exec();
      if (e.kind === 'query' || e.kind === 'inspect') throw new Trap(`"ic0.global_timer_set" cannot be executed in ${e.kind} mode`);
      const previous = host.globalTimer;
      host.globalTimer = BigInt.asUintN(64, timestamp);
      return previous;
    },
    performance_counter: (type: number) => {
      const e = host.exec();
      const inMessage = host.instructionCounter();
      if (type === 0) return inMessage;
      if (type === 1) return e.callContextInstructions + inMessage;
      throw new Trap(`ic0.performance_counter: unknown counter type ${type}`);
    },
    is_controller: (src: number, size: number) => (host.isController(read(src, size)) ? 1 : 0),
    in_replicated_execution: () => (host.exec().kind === 'query' || host.exec().kind === 'inspect' ? 0 : 1),
    debug_print: (src: number, size: number) => { host.debugPrint(decoder.decode(read(src, size))); },
    trap: (src: number, size: number) => { throw new Trap(decoder.decode(read(src, size)), true); },
    certified_data_set: (src: number, size: number) => {
      const e = host.exec();
      only(e, 'certified_data_set', ['init', 'post_upgrade', 'pre_upgrade', 'update', 'reply', 'reject', 'cleanup', 'timer']);
      if (size > 32) throw new Trap('ic0.certified_data_set: data is longer than 32 bytes');
      host.certifiedData = read(src, size);
    },
    data_certificate_present: () => (host.exec().kind === 'query' && host.dataCertificate() !== null ? 1 : 0),
    data_certificate_size: () => {
      const cert = host.exec().kind === 'query' ? host.dataCertificate() : null;
      if (!cert) throw new Trap('ic0.data_certificate_size: no certificate available');
      return cert.length;
    },
    data_certificate_copy: (dst: number, offset: number, size: number) => {
      const cert = host.exec().kind === 'query' ? host.dataCertificate() : null;
      if (!cert) throw new Trap('ic0.data_certificate_copy: no certificate available');
      copyOut(cert, dst, offset, size, 'data_certificate');
    },
    stable_size: () => { const s = host.stable.size(); if (s > 65536n) throw new Trap('ic0.stable_size: memory exceeds 4 GiB, use stable64_size'); return Number(s); },
    stable_grow: (n: number) => Number(host.stable.grow(BigInt(n >>> 0))),
    stable_write: (offset: number, src: number, size: number) => host.stable.write(BigInt(offset >>> 0), view(src >>> 0, size >>> 0)),
    stable_read: (dst: number, offset: number, size: number) => { host.stable.read(BigInt(offset >>> 0), size >>> 0, view(dst >>> 0, size >>> 0)); },
    stable64_size: () => host.stable.size(),
    stable64_grow: (n: bigint) => host.stable.grow(BigInt.asUintN(64, n)),
    stable64_write: (offset: bigint, src: bigint, size: bigint) => host.stable.write(BigInt.asUintN(64, offset), view(Number(src), Number(size))),
    stable64_read: (dst: bigint, offset: bigint, size: bigint) => { host.stable.read(BigInt.asUintN(64, offset), Number(size), view(Number(dst), Number(size))); },
    call_new: (calleeSrc: number, calleeSize: number, nameSrc: number, nameSize: number, replyFun: number, replyEnv: number, rejectFun: number, rejectEnv: number) => {
      const e = host.exec();
      only(e, 'call_new', callKinds);
      e.pending = {
        callee: read(calleeSrc, calleeSize),
        method: decoder.decode(read(nameSrc, nameSize)),
        argChunks: [],
        cycles: 0n,
        reply: { fun: replyFun >>> 0, env: replyEnv },
        reject: { fun: rejectFun >>> 0, env: rejectEnv },
        cleanup: null,
        timeoutSeconds: null
      };
    },
    call_data_append: (src: number, size: number) => {
      const p = host.exec().pending;
      if (!p) throw new Trap('ic0.call_data_append: no call under construction (call_new first)');
      p.argChunks.push(read(src, size));
    },
    call_on_cleanup: (fun: number, env: number) => {
      const p = host.exec().pending;
      if (!p) throw new Trap('ic0.call_on_cleanup: no call under construction (call_new first)');
      if (p.cleanup) throw new Trap('ic0.call_on_cleanup: cleanup already set');
      p.cleanup = { fun: fun >>> 0, env };
    },
    call_cycles_add128: (high: bigint, low: bigint) => {
      const p = host.exec().pending;
      if (!p) throw new Trap('ic0.call_cycles_add128: no call under construction (call_new first)');
      const amount = u128(high, low);
      if (amount > host.cycles) throw new Trap(`ic0.call_cycles_add128: cannot add ${amount} cycles, balance is ${host.cycles}`);
      host.cycles -= amount;
      p.cycles += amount;
      if (p.cycles > MAX_U128) throw new Trap('ic0.call_cycles_add128: overflow');
    },
    call_with_best_effort_response: (timeoutSeconds: number) => {
      const p = host.exec().pending;
      if (!p) throw new Trap('ic0.call_with_best_effort_response: no call under construction');
      p.timeoutSeconds = timeoutSeconds >>> 0;
    },
    call_perform: () => {
      const e = host.exec();
      const p = e.pending;
      if (!p) throw new Trap('ic0.call_perform: no call under construction (call_new first)');
      e.pending = null;
      e.calls.push(p);
      return 0;
    }
  };
  return charged(api, host);
}

/**
 * System API costs added to the message's instruction count, in the IC's spirit: a small base
 * per call, one per byte moved, and a large fixed cost for sending a call.
 */
const BASE_COST = 20;
const FIXED_COST: Record<string, number> = { call_perform: 5_000_000, debug_print: 100, trap: 50 };
/** Index of the byte-size argument of functions that move data. */
const SIZE_ARG: Record<string, number> = {
  msg_arg_data_copy: 2, msg_caller_copy: 2, msg_reject_msg_copy: 2, msg_method_name_copy: 2, canister_self_copy: 2,
  data_certificate_copy: 2, msg_reply_data_append: 1, msg_reject: 1, debug_print: 1, trap: 1, certified_data_set: 1,
  is_controller: 1, call_data_append: 1, stable_write: 2, stable_read: 2, stable64_write: 2, stable64_read: 2
};

function charged(api: Record<string, (...args: never[]) => unknown>, host: SystemApiHost): Record<string, (...args: never[]) => unknown> {
  const out: Record<string, (...args: never[]) => unknown> = {};
  for (const [name, fn] of Object.entries(api)) {
    const base = FIXED_COST[name] ?? BASE_COST;
    const sizeArg = SIZE_ARG[name];
    const f = fn as (...args: unknown[]) => unknown;
    out[name] = sizeArg === undefined
      ? (...args: unknown[]) => { host.charge(base); return f(...args); }
      : (...args: unknown[]) => { host.charge(base + Number(args[sizeArg])); return f(...args); };
  }
  return out;
}
