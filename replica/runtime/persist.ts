/**
 * Saving and loading runtime state to a directory. Layout:
 *   runtime.json            the commit point: time, id counter, canisters, current generation
 *   wasm/<sha256>.wasm      installed modules (shared by canisters)
 *   gen-<n>/<id>.heap       heap image; gen-<n>/<id>.stable: [u32 LE page index][64 KiB page]…
 * A save writes a new generation, then runtime.json (renamed into place), then removes older
 * generations, so an interrupted save leaves the previous state loadable.
 */
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { PAGE } from './stable-memory.js';

export interface SavedCanister {
  id: string;
  controllers: string[];
  moduleHash: string | null;
  cycles: string;
  certifiedData: string;
  globalTimer: string;
  version: string;
  globals: string[];
  stablePages: string;
}

export interface SavedRuntime {
  format: 'icos-attest-runtime/1';
  generation: number;
  time: string;
  nextIndex: string;
  canisters: SavedCanister[];
}

export interface CanisterImage {
  meta: SavedCanister;
  wasm: Uint8Array | null;
  heap: Uint8Array;
  stable: [number, Uint8Array][];
}

export async function writeState(dir: string, state: { time: string; nextIndex: string }, images: CanisterImage[]): Promise<void> {
  await mkdir(join(dir, 'wasm'), { recursive: true });
  let previous = 0;
  try {
    previous = (JSON.parse(await readFile(join(dir, 'runtime.json'), 'utf8')) as SavedRuntime).generation;
  } catch {
    previous = 0;
  }
  const generation = previous + 1;
  const genDir = join(dir, `gen-${generation}`);
  await rm(genDir, { recursive: true, force: true });
  await mkdir(genDir, { recursive: true });
  for (const image of images) {
    if (image.wasm && image.meta.moduleHash) {
      const path = join(dir, 'wasm', `${image.meta.moduleHash}.wasm`);
      try {
        await readFile(path);
      } catch {
        await writeFile(`${path}.tmp`, image.wasm);
        await rename(`${path}.tmp`, path);
      }
    }
    await writeFile(join(genDir, `${image.meta.id}.heap`), image.heap);
    const stable = new Uint8Array(image.stable.length * (4 + PAGE));
    const view = new DataView(stable.buffer);
    image.stable.forEach(([idx, page], i) => {
      view.setUint32(i * (4 + PAGE), idx, true);
      stable.set(page, i * (4 + PAGE) + 4);
    });
    await writeFile(join(genDir, `${image.meta.id}.stable`), stable);
  }
  const saved: SavedRuntime = { format: 'icos-attest-runtime/1', generation, ...state, canisters: images.map((i) => i.meta) };
  await writeFile(join(dir, 'runtime.json.tmp'), JSON.stringify(saved, null, 1));
  await rename(join(dir, 'runtime.json.tmp'), join(dir, 'runtime.json'));
  for (const name of await readdir(dir)) {
    if (name.startsWith('gen-') && name !== `gen-${generation}`) await rm(join(dir, name), { recursive: true, force: true });
  }
}

export async function readState(dir: string): Promise<{ saved: SavedRuntime; images: CanisterImage[] }> {
  const saved = JSON.parse(await readFile(join(dir, 'runtime.json'), 'utf8')) as SavedRuntime;
  if (saved.format !== 'icos-attest-runtime/1') throw new Error(`unknown state format ${String(saved.format)}`);
  const genDir = join(dir, `gen-${saved.generation}`);
  const images: CanisterImage[] = [];
  for (const meta of saved.canisters) {
    const wasm = meta.moduleHash ? new Uint8Array(await readFile(join(dir, 'wasm', `${meta.moduleHash}.wasm`))) : null;
    const heap = new Uint8Array(await readFile(join(genDir, `${meta.id}.heap`)));
    const raw = new Uint8Array(await readFile(join(genDir, `${meta.id}.stable`)));
    if (raw.length % (4 + PAGE) !== 0) throw new Error(`stable memory file of ${meta.id} is truncated`);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const stable: [number, Uint8Array][] = [];
    for (let off = 0; off < raw.length; off += 4 + PAGE) stable.push([view.getUint32(off, true), raw.slice(off + 4, off + 4 + PAGE)]);
    images.push({ meta, wasm, heap, stable });
  }
  return { saved, images };
}
