/** Test helpers: an in-memory append-only node store and a structural "range" hasher. */
import { appendNodes, RFC9162_SHA256, type LogHasher, type NodeGetter } from '../../../protocol/index.js';

/** A node store that, like the canister's, refuses to rewrite a node. */
export class MemoryLog {
  readonly nodes = new Map<string, Uint8Array>();
  size = 0;
  constructor(readonly hasher: LogHasher = RFC9162_SHA256) {}
  readonly get: NodeGetter = (level, index) => this.nodes.get(`${level}/${index}`);
  append(data: Uint8Array): number {
    const written = appendNodes(this.hasher, this.size, this.hasher.hashLeaf(data), this.get);
    for (const n of written) {
      const key = `${n.level}/${n.index}`;
      if (this.nodes.has(key)) throw new Error(`node ${key} rewritten`);
      this.nodes.set(key, n.hash);
    }
    this.size++;
    return written.length;
  }
}

/** Distinct leaf inputs (the index is part of each), so no two leaf hashes collide. */
export function distinctLeaves(seeds: Uint8Array[]): Uint8Array[] {
  return seeds.map((s, i) => Uint8Array.from([...String(i)].map((c) => c.charCodeAt(0)).concat([0x3a], [...s])));
}

/**
 * A structural hasher for huge trees: a "hash" is the leaf range [start, end) it covers (two
 * float64s, exact for safe integers), and combining is only defined for adjacent ranges (anything
 * else poisons the result). A proof verifies to [0, size) iff every node sits on the right side.
 */
export const enc = (start: number, end: number): Uint8Array => {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setFloat64(0, start);
  v.setFloat64(8, end);
  return b;
};
export const dec = (b: Uint8Array): [number, number] => {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return [v.getFloat64(0), v.getFloat64(8)];
};
export const RANGE_HASHER: LogHasher = {
  size: 16,
  emptyRoot: () => enc(0, 0),
  hashLeaf: () => {
    throw new Error('range hasher: leaves are given as ranges');
  },
  hashChildren: (l, r) => {
    const [a, b] = dec(l);
    const [c, d] = dec(r);
    return b === c && a < b && c < d ? enc(a, d) : enc(NaN, NaN);
  }
};
/** Every perfect node of an (arbitrarily large) virtual log, as its range. */
export const rangeGet: NodeGetter = (level, index) => enc(index * 2 ** level, (index + 1) * 2 ** level);
