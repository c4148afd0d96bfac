/**
 * Instruction counting, done the way the IC does it: every basic block adds the cost of its
 * instructions (the IC's cost table) to a mutable i64 global; function entries and loop headers compare the
 * count with a limit global and hit `unreachable` when it is exceeded (the host then reports
 * "out of instructions"). memory.copy / memory.fill go through helpers that also charge one
 * instruction per byte. New globals, types and functions are appended, so no existing index
 * moves.
 */
import { Reader, WasmFormatError, concat, sleb, uleb } from './binary.js';

export interface InstrumentResult {
  sections: { id: number; body: Uint8Array }[];
  counterGlobal: number;
  limitGlobal: number;
}

/** Growable byte buffer. */
class Out {
  buf = new Uint8Array(1 << 16);
  len = 0;
  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
  bytes(b: Uint8Array | number[]): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  result(): Uint8Array { return this.buf.slice(0, this.len); }
}

const VALTYPE_BLOCK = new Set([0x40, 0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f]);

function skipBlockType(r: Reader): void {
  const b = r.bytes[r.pos];
  if (VALTYPE_BLOCK.has(b)) r.pos++;
  else r.sleb();
}

function skipMemarg(r: Reader): void {
  r.u32();
  r.skipLeb();
}

/**
 * Cost of each instruction, after the IC's published table (rs/embedders instruction_to_cost):
 * block markers 0, most integer ops/loads/stores/locals 1, branches 2, globals 2, calls 5/10,
 * div/rem 10, float ops 1-18, conversions 1-20, bulk memory 100 (+ 1 per byte, dynamic),
 * memory.grow 300. SIMD and anything unlisted: 1.
 */
const COST = new Uint16Array(256).fill(1);
function setCost(cost: number, ...ops: (number | [number, number])[]): void {
  for (const op of ops) {
    if (Array.isArray(op)) for (let o = op[0]; o <= op[1]; o++) COST[o] = cost;
    else COST[op] = cost;
  }
}
setCost(0, 0x02, 0x03, 0x05, 0x0b);
setCost(2, 0x04, 0x0c, 0x0d, 0x0e, 0x23, 0x24);
setCost(5, 0x10, 0x25, 0x26, 0xd1);
setCost(10, 0x11, [0x6d, 0x70], [0x7f, 0x82]);
setCost(3, 0x12, [0x5b, 0x66], 0x95, 0xa6, 0xb2, 0xb4, 0xb7, 0xb9);
setCost(60, 0x13);
setCost(20, 0x3f, [0xa8, 0xab], [0xae, 0xb1]);
setCost(300, 0x40);
setCost(2, [0x8d, 0x90], [0x92, 0x94], 0x98, [0x9b, 0x9e], [0xa0, 0xa2]);
setCost(5, 0x91, 0xa3);
setCost(8, 0x9f);
setCost(18, 0x96, 0x97, 0xa4, 0xa5);
setCost(16, 0xb3, 0xb5, 0xb8, 0xba);
setCost(130, 0xd2);
/** 0xfc sub-opcodes: saturating truncations 20, bulk memory/table 100, drops 300, table.grow 300, table.size 100. */
const FC_COST = [20, 20, 20, 20, 20, 20, 20, 20, 100, 300, 100, 100, 100, 300, 100, 300, 100, 100];

function costAt(body: Uint8Array, pos: number): number {
  const op = body[pos];
  if (op === 0xfc) return FC_COST[body[pos + 1]] ?? 1;
  return COST[op];
}

/** Kinds of instruction the instrumenter cares about. */
const enum K { Plain, Loop, Split, End, MemCopy, MemFill }

/**
 * Decodes one instruction at r.pos, advancing past it, and says how it affects basic blocks.
 * Split = a new basic block starts right after it.
 */
function step(r: Reader): K {
  const op = r.byte();
  switch (op) {
    case 0x02: skipBlockType(r); return K.Plain; // block
    case 0x03: skipBlockType(r); return K.Loop;
    case 0x04: skipBlockType(r); return K.Split; // if
    case 0x05: return K.Split; // else
    case 0x0b: return K.End;
    case 0x0c: r.u32(); return K.Split; // br
    case 0x0d: r.u32(); return K.Split; // br_if
    case 0x0e: { const n = r.u32(); for (let i = 0; i <= n; i++) r.u32(); return K.Split; }
    case 0x00: case 0x0f: return K.Split; // unreachable, return
    case 0x10: case 0x12: r.u32(); return K.Plain; // call, return_call
    case 0x11: case 0x13: r.u32(); r.u32(); return K.Plain; // call_indirect
    case 0x1c: { const n = r.u32(); for (let i = 0; i < n; i++) r.byte(); return K.Plain; }
    case 0x20: case 0x21: case 0x22: case 0x23: case 0x24: case 0x25: case 0x26: r.u32(); return K.Plain;
    case 0x3f: case 0x40: r.u32(); return K.Plain;
    case 0x41: case 0x42: r.skipLeb(); return K.Plain;
    case 0x43: r.pos += 4; return K.Plain;
    case 0x44: r.pos += 8; return K.Plain;
    case 0xd0: r.byte(); return K.Plain;
    case 0xd2: r.u32(); return K.Plain;
    case 0xfc: {
      const sub = r.u32();
      if (sub <= 7) return K.Plain;
      switch (sub) {
        case 8: r.u32(); r.u32(); return K.Plain;
        case 9: r.u32(); return K.Plain;
        case 10: r.u32(); r.u32(); return K.MemCopy;
        case 11: r.u32(); return K.MemFill;
        case 12: case 14: r.u32(); r.u32(); return K.Plain;
        case 13: case 15: case 16: case 17: r.u32(); return K.Plain;
        default: throw new WasmFormatError(`unknown 0xfc opcode ${sub}`);
      }
    }
    case 0xfd: {
      const sub = r.u32();
      if (sub <= 11 || sub === 92 || sub === 93) skipMemarg(r);
      else if (sub === 12 || sub === 13) r.pos += 16;
      else if (sub >= 21 && sub <= 34) r.byte();
      else if (sub >= 84 && sub <= 91) { skipMemarg(r); r.byte(); }
      return K.Plain;
    }
    case 0xfe: {
      const sub = r.u32();
      if (sub === 3) r.byte();
      else skipMemarg(r);
      return K.Plain;
    }
    default:
      if (op >= 0x28 && op <= 0x3e) { skipMemarg(r); return K.Plain; }
      if ((op >= 0x45 && op <= 0xc4) || op === 0x01 || op === 0x1a || op === 0x1b || op === 0xd1) return K.Plain;
      throw new WasmFormatError(`unknown opcode 0x${op.toString(16)} at ${r.pos - 1}`);
  }
}

export function instrument(sections: { id: number; body: Uint8Array }[]): InstrumentResult {
  let importedFuncs = 0;
  let importedGlobals = 0;
  let definedFuncs = 0;
  let definedGlobals = 0;
  let typeCount = 0;
  for (const s of sections) {
    const r = new Reader(s.body);
    if (s.id === 1) typeCount = r.u32();
    else if (s.id === 3) definedFuncs = r.u32();
    else if (s.id === 6) definedGlobals = r.u32();
    else if (s.id === 2) {
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        r.name(); r.name();
        const kind = r.byte();
        if (kind === 0) { r.u32(); importedFuncs++; }
        else if (kind === 1) { r.byte(); const f = r.byte(); r.u32(); if (f & 1) r.u32(); }
        else if (kind === 2) { const f = r.byte(); r.u32(); if (f & 1) r.u32(); }
        else if (kind === 3) { r.byte(); r.byte(); importedGlobals++; }
      }
    }
  }
  const counter = importedGlobals + definedGlobals;
  const limit = counter + 1;
  const helperType = typeCount; // (i32 i32 i32) -> ()
  const copyHelper = importedFuncs + definedFuncs;
  const fillHelper = copyHelper + 1;
  const g = (idx: number) => uleb(idx);

  const addCount = (n: number): number[] => [0x23, ...g(counter), 0x42, ...sleb(n), 0x7c, 0x24, ...g(counter)];
  const check = [0x23, ...g(counter), 0x23, ...g(limit), 0x56, 0x04, 0x40, 0x00, 0x0b];
  const callCopy = [0x10, ...uleb(copyHelper)];
  const callFill = [0x10, ...uleb(fillHelper)];

  const rewriteBody = (body: Uint8Array, out: Out): void => {
    const r = new Reader(body);
    const nLocals = r.u32();
    for (let i = 0; i < nLocals; i++) { r.u32(); r.byte(); }
    out.bytes(body.subarray(0, r.pos));
    // First pass: instruction boundaries and kinds.
    const starts: number[] = [];
    const kinds: K[] = [];
    while (!r.done) {
      starts.push(r.pos);
      kinds.push(step(r));
    }
    starts.push(body.length);
    // Second pass: emit, prefixing each basic block with its count.
    const n = kinds.length;
    let i = 0;
    let blockStart = true;
    let checkHere = true;
    while (i < n) {
      if (blockStart) {
        let count = 0;
        for (let j = i; j < n; j++) {
          count += costAt(body, starts[j]);
          const k = kinds[j];
          if (k === K.Loop || k === K.Split || k === K.End) break;
        }
        if (count > 0) out.bytes(addCount(count));
        if (checkHere) out.bytes(check);
        blockStart = false;
        checkHere = false;
      }
      const k = kinds[i];
      if (k === K.MemCopy) out.bytes(callCopy);
      else if (k === K.MemFill) out.bytes(callFill);
      else out.bytes(body.subarray(starts[i], starts[i + 1]));
      if (k === K.Loop) { blockStart = true; checkHere = true; }
      else if (k === K.Split || (k === K.End && i < n - 1)) blockStart = true;
      i++;
    }
  };

  // memory.copy helper: (dst, src, n) charges n then copies; memory.fill helper: (dst, val, n).
  const chargeArg2 = [0x23, ...g(counter), 0x20, 2, 0xad, 0x7c, 0x24, ...g(counter)];
  const helperBody = (op: number[]): Uint8Array => {
    const b = [0x00, ...chargeArg2, 0x20, 0, 0x20, 1, 0x20, 2, ...op, 0x0b];
    return new Uint8Array([...uleb(b.length), ...b]);
  };
  const copyBody = helperBody([0xfc, 10, 0, 0]);
  const fillBody = helperBody([0xfc, 11, 0]);

  const out: { id: number; body: Uint8Array }[] = [];
  let globalsDone = false;
  const newGlobals = [0x7e, 0x01, 0x42, 0x00, 0x0b, 0x7e, 0x01, 0x42, ...sleb(-1n), 0x0b];
  for (const s of sections) {
    if (!globalsDone && (s.id === 7 || s.id === 8 || s.id === 9 || s.id === 12 || s.id === 10 || s.id === 11)) {
      out.push({ id: 6, body: concat([uleb(2), newGlobals]) });
      globalsDone = true;
    }
    const r = new Reader(s.body);
    if (s.id === 1) {
      r.u32();
      out.push({ id: 1, body: concat([uleb(typeCount + 1), s.body.subarray(r.pos), [0x60, 3, 0x7f, 0x7f, 0x7f, 0]]) });
    } else if (s.id === 3) {
      r.u32();
      out.push({ id: 3, body: concat([uleb(definedFuncs + 2), s.body.subarray(r.pos), uleb(helperType), uleb(helperType)]) });
    } else if (s.id === 6) {
      r.u32();
      out.push({ id: 6, body: concat([uleb(definedGlobals + 2), s.body.subarray(r.pos), newGlobals]) });
      globalsDone = true;
    } else if (s.id === 10) {
      const count = r.u32();
      const o = new Out();
      o.bytes(uleb(count + 2));
      const fb = new Out();
      for (let f = 0; f < count; f++) {
        const size = r.u32();
        const body = r.bytesN(size);
        fb.len = 0;
        rewriteBody(body, fb);
        o.bytes(uleb(fb.len));
        o.bytes(fb.buf.subarray(0, fb.len));
      }
      o.bytes(copyBody);
      o.bytes(fillBody);
      out.push({ id: 10, body: o.result() });
    } else {
      out.push(s);
    }
  }
  if (!sections.some((s) => s.id === 1) || !sections.some((s) => s.id === 3) || !sections.some((s) => s.id === 10)) {
    throw new WasmFormatError('module without type, function or code section cannot be instrumented');
  }
  return { sections: out, counterGlobal: counter, limitGlobal: limit };
}
