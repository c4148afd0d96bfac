/**
 * A cost bound on Candid arguments, checked on the raw bytes before @dfinity/candid decodes
 * them. The decoder's work is not bounded by the argument's size: `vec null` of length 2^31 is
 * a few bytes and 2^31 loop iterations (a whole query's 5 B instructions), a recursive `opt`
 * nested 100,000 deep recurses as deep. This walk reads the type table and every value once,
 * skipping blobs, text and fixed-size vectors by length, and refuses
 *   - more than `maxBytes`;
 *   - a vector of more than `maxZeroSized` values of a type that takes no bytes (null,
 *     reserved, records of such), the only way to make many values from few bytes;
 *   - nesting deeper than `maxDepth`, more than `maxValues` values, big type tables;
 *   - func and service values and future types (no method of this canister takes them);
 * so decoding what passes costs at most about `maxValues` values' worth. Pure; a refusal is a
 * sentence for an Err or a reject.
 */

export interface CandidQuota {
  maxBytes: number;
  maxValues: number;
  maxZeroSized: number;
  maxDepth: number;
}

export const DEFAULT_QUOTA: Omit<CandidQuota, 'maxBytes'> = { maxValues: 4096, maxZeroSized: 64, maxDepth: 32 };

/** Type table bounds: this canister's interface needs ~40 entries. */
const MAX_TABLE = 512;
const MAX_FIELDS = 2048;
/** Longest LEB128 nat/int accepted (a nat64 needs 10 bytes). */
const MAX_LEB_BYTES = 32;

const T = {
  null: -1, bool: -2, nat: -3, int: -4, nat8: -5, nat16: -6, nat32: -7, nat64: -8,
  int8: -9, int16: -10, int32: -11, int64: -12, float32: -13, float64: -14, text: -15,
  reserved: -16, empty: -17, opt: -18, vec: -19, record: -20, variant: -21, func: -22,
  service: -23, principal: -24
} as const;

/** Wire sizes of the fixed-size primitives. */
const FIXED: Record<number, number> = {
  [T.bool]: 1, [T.nat8]: 1, [T.int8]: 1, [T.nat16]: 2, [T.int16]: 2, [T.nat32]: 4, [T.int32]: 4,
  [T.float32]: 4, [T.nat64]: 8, [T.int64]: 8, [T.float64]: 8
};

type Entry =
  | { op: typeof T.opt | typeof T.vec; inner: number }
  | { op: typeof T.record | typeof T.variant; fields: number[] }
  | { op: typeof T.func | typeof T.service };

class Refused extends Error {}

class Reader {
  at = 0;
  constructor(readonly b: Uint8Array) {}
  byte(): number {
    if (this.at >= this.b.length) throw new Refused('the argument ends early');
    return this.b[this.at++];
  }
  skip(n: number): void {
    if (n > this.b.length - this.at) throw new Refused(`a value claims ${n} bytes, more than the argument holds`);
    this.at += n;
  }
  /** LEB128 as a JS number (exact up to 2^53; larger only needs to be "too large"). */
  leb(): number {
    let n = 0;
    let scale = 1;
    for (let i = 0; i < MAX_LEB_BYTES; i++) {
      const x = this.byte();
      n += (x & 0x7f) * scale;
      scale *= 128;
      if (x < 0x80) return n;
    }
    throw new Refused('a number is longer than 32 bytes');
  }
  sleb(): number {
    let n = 0;
    let scale = 1;
    for (let i = 0; i < MAX_LEB_BYTES; i++) {
      const x = this.byte();
      n += (x & 0x7f) * scale;
      scale *= 128;
      if (x < 0x80) return x & 0x40 ? n - scale : n;
    }
    throw new Refused('a number is longer than 32 bytes');
  }
}

/** Null when the argument is within the quota, else why not. Never throws. */
export function candidQuotaRefusal(bytes: Uint8Array, quota: CandidQuota): string | null {
  if (bytes.length > quota.maxBytes) return `the argument is ${bytes.length} bytes; at most ${quota.maxBytes} are accepted`;
  try {
    walk(new Reader(bytes), quota);
    return null;
  } catch (e) {
    if (e instanceof Refused) return e.message;
    return `the argument could not be read: ${e instanceof Error ? e.message : String(e)}`;
  }
}

function walk(r: Reader, q: CandidQuota): void {
  if (r.b.length < 4 || r.b[0] !== 0x44 || r.b[1] !== 0x49 || r.b[2] !== 0x44 || r.b[3] !== 0x4c) throw new Refused('not Candid (no DIDL header)');
  r.at = 4;
  const tableLen = r.leb();
  if (tableLen > MAX_TABLE) throw new Refused(`a type table of ${tableLen} entries (at most ${MAX_TABLE})`);
  const table: Entry[] = [];
  let fieldsTotal = 0;
  const typeRef = (): number => {
    const t = r.sleb();
    if (t >= tableLen || t < T.principal) throw new Refused(`type reference ${t} is out of range`);
    return t;
  };
  for (let i = 0; i < tableLen; i++) {
    const op = r.sleb();
    if (op === T.opt || op === T.vec) table.push({ op, inner: typeRef() });
    else if (op === T.record || op === T.variant) {
      const n = r.leb();
      fieldsTotal += n;
      if (fieldsTotal > MAX_FIELDS) throw new Refused(`more than ${MAX_FIELDS} record or variant fields in the type table`);
      if (op === T.variant && n === 0) throw new Refused('an empty variant has no values');
      const fields: number[] = [];
      for (let k = 0; k < n; k++) {
        r.leb(); // field id (order is checked by the decoder)
        fields.push(typeRef());
      }
      table.push({ op, fields });
    } else if (op === T.func || op === T.service) {
      // Read past the definition; a value of this type is refused below.
      if (op === T.func) {
        for (let part = 0; part < 2; part++) for (let n = r.leb(), k = 0; k < n; k++) typeRef();
        for (let n = r.leb(), k = 0; k < n; k++) r.skip(1);
      } else {
        for (let n = r.leb(), k = 0; k < n; k++) {
          r.skip(r.leb());
          typeRef();
        }
      }
      table.push({ op });
    } else throw new Refused(`type opcode ${op} is not accepted here`);
  }
  const zero = zeroSized(table);
  const args: number[] = [];
  for (let n = r.leb(), k = 0; k < n; k++) {
    if (k >= 64) throw new Refused('more than 64 arguments');
    args.push(typeRef());
  }
  let values = 0;
  const value = (t: number, depth: number): void => {
    if (++values > q.maxValues) throw new Refused(`more than ${q.maxValues} values`);
    if (depth > q.maxDepth) throw new Refused(`values nested deeper than ${q.maxDepth} levels`);
    if (t < 0) {
      const size = FIXED[t];
      if (size !== undefined) return r.skip(size);
      switch (t) {
        case T.null: case T.reserved: return;
        case T.nat: case T.int: r.leb(); return;
        case T.text: r.skip(r.leb()); return;
        case T.principal:
          if (r.byte() !== 1) throw new Refused('an opaque principal reference');
          r.skip(r.leb());
          return;
        case T.empty: throw new Refused('a value of type empty');
        default: throw new Refused(`type ${t} is not accepted here`);
      }
    }
    const e = table[t];
    switch (e.op) {
      case T.opt: {
        const tag = r.byte();
        if (tag === 1) value(e.inner, depth + 1);
        else if (tag !== 0) throw new Refused(`an opt tag of ${tag}`);
        return;
      }
      case T.vec: {
        const len = r.leb();
        const inner = e.inner;
        if (inner < 0 && FIXED[inner] !== undefined) return r.skip(len * FIXED[inner]);
        if (zero(inner)) {
          if (len > q.maxZeroSized) throw new Refused(`a vector of ${len} values that take no bytes (at most ${q.maxZeroSized})`);
        } else if (len > r.b.length - r.at) {
          throw new Refused(`a vector claims ${len} values, more than the argument holds`);
        }
        for (let k = 0; k < len; k++) value(inner, depth + 1);
        return;
      }
      case T.record:
        for (const f of e.fields) value(f, depth + 1);
        return;
      case T.variant: {
        const i = r.leb();
        if (i >= e.fields.length) throw new Refused(`variant index ${i} is out of range`);
        value(e.fields[i], depth + 1);
        return;
      }
      default:
        throw new Refused('func and service values are not accepted here');
    }
  };
  for (const t of args) value(t, 1);
  // Bytes past the last argument are ignored by the decoder: not work, but not ours either.
  if (r.at !== r.b.length) throw new Refused(`${r.b.length - r.at} bytes after the last argument`);
}

/** Whether a type takes no bytes on the wire: null, reserved, records of such (a fixpoint over the table). */
function zeroSized(table: Entry[]): (t: number) => boolean {
  const zero = table.map(() => false);
  const isZero = (t: number): boolean => t === T.null || t === T.reserved || (t >= 0 && zero[t]);
  for (let changed = true; changed; ) {
    changed = false;
    table.forEach((e, i) => {
      if (!zero[i] && e.op === T.record && e.fields.every(isZero)) {
        zero[i] = true;
        changed = true;
      }
    });
  }
  return isZero;
}
