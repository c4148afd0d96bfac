/**
 * Rewrites a canister module so the host can see what the IC keeps per canister but Wasm
 * hides: the function table (callbacks of inter-canister calls are table indices) and every
 * mutable global (the stack pointer etc.), which must be saved and restored with the heap.
 */
import { Reader, WasmFormatError, concat, encodeName, readSections, skipConstExpr, skipLimits, uleb, writeModule } from './binary.js';
import { instrument } from './instrument.js';

export const TABLE_EXPORT = '__icrt_table';
export const GLOBAL_EXPORT_PREFIX = '__icrt_global_';
export const COUNTER_EXPORT = '__icrt_instructions';
export const LIMIT_EXPORT = '__icrt_instruction_limit';

export interface PreparedModule {
  wasm: Uint8Array;
  /** Export names of the mutable globals, in index order. */
  globalExports: string[];
  hasTable: boolean;
  /** Whether the instruction counter and limit globals are exported. */
  instrumented: boolean;
}

const ORDER_AFTER_EXPORT = new Set([8, 9, 12, 10, 11]);

export function prepareModule(original: Uint8Array, opts: { instrument?: boolean } = {}): PreparedModule {
  let sections: { id: number; body: Uint8Array }[] = readSections(original);
  const counting = new Set<number>();
  if (opts.instrument) {
    const result = instrument(sections);
    sections = result.sections;
    counting.add(result.counterGlobal).add(result.limitGlobal);
  }
  let importedTables = 0;
  let importedGlobals = 0;
  let definedTables = 0;
  const mutableGlobals: number[] = [];
  for (const s of sections) {
    const r = new Reader(s.body);
    if (s.id === 2) {
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        r.name();
        r.name();
        const kind = r.byte();
        if (kind === 0) r.u32();
        else if (kind === 1) { r.byte(); skipLimits(r); importedTables++; }
        else if (kind === 2) skipLimits(r);
        else if (kind === 3) { r.byte(); r.byte(); importedGlobals++; }
        else throw new WasmFormatError(`unknown import kind ${kind}`);
      }
    } else if (s.id === 4) {
      definedTables = r.u32();
    } else if (s.id === 6) {
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        r.byte(); // value type
        const mut = r.byte();
        skipConstExpr(r);
        if (mut === 1 && !counting.has(importedGlobals + i)) mutableGlobals.push(importedGlobals + i);
      }
    }
  }
  const hasTable = importedTables + definedTables > 0;
  const extra: number[][] = [];
  if (hasTable) extra.push([...encodeName(TABLE_EXPORT), 1, ...uleb(0)]);
  const globalExports = mutableGlobals.map((g) => `${GLOBAL_EXPORT_PREFIX}${g}`);
  mutableGlobals.forEach((g, i) => extra.push([...encodeName(globalExports[i]), 3, ...uleb(g)]));
  if (opts.instrument) {
    const [counter, limit] = [...counting];
    extra.push([...encodeName(COUNTER_EXPORT), 3, ...uleb(counter)], [...encodeName(LIMIT_EXPORT), 3, ...uleb(limit)]);
  }

  const out: { id: number; body: Uint8Array }[] = [];
  let exportWritten = false;
  const writeExports = (existing: Uint8Array | null) => {
    let count = 0;
    let entries: Uint8Array = new Uint8Array(0);
    if (existing) {
      const r = new Reader(existing);
      count = r.u32();
      entries = existing.subarray(r.pos);
    }
    out.push({ id: 7, body: concat([uleb(count + extra.length), entries, ...extra]) });
    exportWritten = true;
  };
  for (const s of sections) {
    if (s.id === 7) { writeExports(s.body); continue; }
    if (!exportWritten && ORDER_AFTER_EXPORT.has(s.id)) writeExports(null);
    out.push(s);
  }
  if (!exportWritten) writeExports(null);
  return { wasm: writeModule(out), globalExports, hasTable, instrumented: opts.instrument === true };
}
