/** Compiled canister modules, prepared and compiled once per distinct Wasm. */
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { RuntimeError } from './errors.js';
import { type PreparedModule, prepareModule } from './wasm/prepare.js';

/** Bump when prepare/instrument change what they emit (invalidates the disk cache). */
const PREPARE_VERSION = 2;
const DISK_CACHE = join(tmpdir(), 'icos-attest-runtime-modules');

const DISK_CACHE_KEEP = 16;

/** Keeps the newest entries: every rebuild of a canister adds one (~4 MB). */
async function pruneDiskCache(): Promise<void> {
  const names = (await readdir(DISK_CACHE)).filter((n) => n.endsWith('.json'));
  if (names.length <= DISK_CACHE_KEEP) return;
  const dated = await Promise.all(names.map(async (n) => ({ n, t: (await stat(join(DISK_CACHE, n))).mtimeMs })));
  dated.sort((a, b) => b.t - a.t);
  for (const { n } of dated.slice(DISK_CACHE_KEEP)) {
    await rm(join(DISK_CACHE, n), { force: true });
    await rm(join(DISK_CACHE, `${n}.wasm`), { force: true });
  }
}

/** Instrumenting a 3.5 MB module takes ~0.3 s: keep the result on disk across processes. */
async function preparedCached(wasm: Uint8Array, hashHex: string, instrument: boolean): Promise<PreparedModule> {
  if (!instrument) return prepareModule(wasm);
  const path = join(DISK_CACHE, `${hashHex}-v${PREPARE_VERSION}.json`);
  try {
    const meta = JSON.parse(await readFile(path, 'utf8')) as Omit<PreparedModule, 'wasm'> & { sha256: string };
    const cached = new Uint8Array(await readFile(`${path}.wasm`));
    if (Buffer.from(sha256(cached)).toString('hex') !== meta.sha256) throw new Error('stale cache entry');
    return { globalExports: meta.globalExports, hasTable: meta.hasTable, instrumented: meta.instrumented, wasm: cached };
  } catch {
    const prepared = prepareModule(wasm, { instrument: true });
    try {
      await mkdir(DISK_CACHE, { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      await writeFile(`${tmp}.wasm`, prepared.wasm);
      await rename(`${tmp}.wasm`, `${path}.wasm`);
      const sha = Buffer.from(sha256(prepared.wasm)).toString('hex');
      await writeFile(tmp, JSON.stringify({ globalExports: prepared.globalExports, hasTable: prepared.hasTable, instrumented: prepared.instrumented, sha256: sha }));
      await rename(tmp, path);
      await pruneDiskCache();
    } catch {
      // A cache that cannot be written only costs time.
    }
    return prepared;
  }
}

export interface CompiledModule {
  /** sha256 of the Wasm as installed (the IC's module hash). */
  hash: Uint8Array;
  hashHex: string;
  original: Uint8Array;
  module: WebAssembly.Module;
  globalExports: string[];
  hasTable: boolean;
  exports: Set<string>;
  instrumented: boolean;
}

const cache = new Map<string, Promise<CompiledModule>>();

export function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

/** Compiles (and with `instrument`, rewrites to count instructions) once per Wasm and mode. */
export function compileModule(wasm: Uint8Array, opts: { instrument?: boolean } = {}): Promise<CompiledModule> {
  const hash = sha256(wasm);
  const hashHex = Buffer.from(hash).toString('hex');
  const key = `${hashHex}:${opts.instrument === true}`;
  let entry = cache.get(key);
  if (!entry) {
    entry = (async () => {
      let prepared;
      let module: WebAssembly.Module;
      try {
        prepared = await preparedCached(wasm, hashHex, opts.instrument === true);
        module = await WebAssembly.compile(prepared.wasm as Uint8Array<ArrayBuffer>);
      } catch (e) {
        throw new RuntimeError('invalid-wasm', `the Wasm module is invalid: ${(e as Error).message}`);
      }
      return {
        hash,
        hashHex,
        original: wasm.slice(),
        module,
        globalExports: prepared.globalExports,
        hasTable: prepared.hasTable,
        exports: new Set(WebAssembly.Module.exports(module).map((e) => e.name)),
        instrumented: prepared.instrumented
      };
    })();
    entry.catch(() => cache.delete(key));
    cache.set(key, entry);
  }
  return entry;
}

/** Custom section by exact name, or null. */
export function customSection(module: WebAssembly.Module, name: string): Uint8Array | null {
  const found = WebAssembly.Module.customSections(module, name);
  return found.length > 0 ? new Uint8Array(found[0]) : null;
}

export function customSectionNames(wasm: Uint8Array): string[] {
  // Walk the section headers: custom sections are id 0 followed by a name.
  const names: string[] = [];
  let pos = 8;
  const leb = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = wasm[pos++];
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
  };
  while (pos < wasm.length) {
    const id = wasm[pos++];
    const size = leb();
    const end = pos + size;
    if (id === 0) {
      const len = leb();
      names.push(new TextDecoder().decode(wasm.subarray(pos, pos + len)));
    }
    pos = end;
  }
  return names;
}
