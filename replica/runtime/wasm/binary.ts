/** Minimal reader/writer for the Wasm binary format: LEB128 and the section list. */

export class WasmFormatError extends Error {
  readonly kind = 'wasm-format';
}

export class Reader {
  pos: number;
  constructor(readonly bytes: Uint8Array, pos = 0, readonly end = bytes.length) { this.pos = pos; }

  get done(): boolean { return this.pos >= this.end; }

  byte(): number {
    if (this.pos >= this.end) throw new WasmFormatError('unexpected end of Wasm data');
    return this.bytes[this.pos++];
  }

  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result >>> 0;
      shift += 7;
      if (shift > 35) throw new WasmFormatError('LEB128 u32 too long');
    }
  }

  /** Skips a signed or unsigned LEB128 of any width. */
  skipLeb(): void { while (this.byte() & 0x80); }

  /** Signed LEB128 as bigint (for i32/i64 constants). */
  sleb(): bigint {
    let result = 0n;
    let shift = 0n;
    let b: number;
    do {
      b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
    } while (b & 0x80);
    if (b & 0x40) result -= 1n << shift;
    return result;
  }

  bytesN(n: number): Uint8Array {
    if (this.pos + n > this.end) throw new WasmFormatError('unexpected end of Wasm data');
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  name(): string { return new TextDecoder().decode(this.bytesN(this.u32())); }
}

export function uleb(n: number | bigint): number[] {
  let v = BigInt(n);
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) b |= 0x80;
    out.push(b);
  } while (v !== 0n);
  return out;
}

export function sleb(n: number | bigint): number[] {
  let v = BigInt(n);
  const out: number[] = [];
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

export function encodeName(s: string): number[] {
  const b = new TextEncoder().encode(s);
  return [...uleb(b.length), ...b];
}

export interface Section {
  id: number;
  /** Content (without id and size). */
  body: Uint8Array;
  /** Offset of the content in the original module. */
  offset: number;
}

export function readSections(wasm: Uint8Array): Section[] {
  if (wasm.length < 8 || wasm[0] !== 0 || wasm[1] !== 0x61 || wasm[2] !== 0x73 || wasm[3] !== 0x6d) {
    throw new WasmFormatError('not a Wasm module (bad magic number)');
  }
  const r = new Reader(wasm, 8);
  const sections: Section[] = [];
  while (!r.done) {
    const id = r.byte();
    const size = r.u32();
    const offset = r.pos;
    sections.push({ id, body: r.bytesN(size), offset });
  }
  return sections;
}

/** Concatenates byte chunks into one fresh Uint8Array (no pooled Buffers). */
export function concat(chunks: (Uint8Array | number[])[]): Uint8Array {
  let len = 0;
  for (const c of chunks) len += c.length;
  const out = new Uint8Array(len);
  let pos = 0;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}

export function writeModule(sections: { id: number; body: Uint8Array }[]): Uint8Array {
  const chunks: (Uint8Array | number[])[] = [[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]];
  for (const s of sections) {
    chunks.push([s.id, ...uleb(s.body.length)], s.body);
  }
  return concat(chunks);
}

/** Reads a constant expression up to and including its `end`. */
export function skipConstExpr(r: Reader): void {
  for (;;) {
    const op = r.byte();
    switch (op) {
      case 0x0b: return;
      case 0x41: case 0x42: r.skipLeb(); break; // i32.const, i64.const
      case 0x43: r.bytesN(4); break;
      case 0x44: r.bytesN(8); break;
      case 0x23: r.u32(); break; // global.get
      case 0xd0: r.byte(); break; // ref.null
      case 0xd2: r.u32(); break; // ref.func
      case 0x6a: case 0x6b: case 0x6c: case 0x7c: case 0x7d: case 0x7e: break; // extended const
      default: throw new WasmFormatError(`unsupported opcode 0x${op.toString(16)} in a constant expression`);
    }
  }
}

export function skipLimits(r: Reader): void {
  const flags = r.byte();
  r.u32();
  if (flags & 1) r.u32();
}
