/**
 * Hash-tree nodes that carry their own hash, so the canister can update one entry of its
 * certified state with O(depth) hashing and produce witnesses without re-hashing anything:
 * pruned subtrees are cut off at their cached hash. The wire form and lookups are
 * protocol/hash-tree.ts; this is only the canister's in-memory representation of the same tree.
 */
import { compare, EMPTY_HASH, forkHash, labeledHash, leafHash, type HashTree } from '../../protocol/hash-tree.js';

export type Node =
  | { k: 0; h: Uint8Array }
  | { k: 1; l: Node; r: Node; h: Uint8Array }
  | { k: 2; label: Uint8Array; c: Node; h: Uint8Array }
  | { k: 3; v: Uint8Array; h: Uint8Array };

export const EMPTY: Node = { k: 0, h: EMPTY_HASH };
export const fork = (l: Node, r: Node): Node => ({ k: 1, l, r, h: forkHash(l.h, r.h) });
export const labeled = (label: Uint8Array, c: Node): Node => ({ k: 2, label, c, h: labeledHash(label, c.h) });
export const leaf = (v: Uint8Array): Node => ({ k: 3, v, h: leafHash(v) });

/** Labeled nodes of one level (sorted by the caller) under halving forks. */
export function level(items: Node[]): Node {
  if (items.length === 0) return EMPTY;
  if (items.length === 1) return items[0];
  const mid = Math.ceil(items.length / 2);
  return fork(level(items.slice(0, mid)), level(items.slice(mid)));
}

/** The whole subtree in wire form (for small subtrees a witness reveals completely). */
export function full(n: Node): HashTree {
  switch (n.k) {
    case 0: return [0];
    case 1: return [1, full(n.l), full(n.r)];
    case 2: return [2, n.label, full(n.c)];
    case 3: return [3, n.v];
  }
}

export type Path = Uint8Array[];

/** The labeled nodes of the level rooted at `n` (through forks), in order. */
function labelsOf(n: Node, out: Node[]): Node[] {
  if (n.k === 1) {
    labelsOf(n.l, out);
    labelsOf(n.r, out);
  } else if (n.k === 2) out.push(n);
  return out;
}

/**
 * A witness for `paths`: a path that ends (or reaches a leaf) reveals that subtree in full; a
 * label that is absent keeps its neighbours' labels visible so the absence is provable; all
 * else is pruned to its cached hash. Its root hash equals `n.h`.
 */
export function witness(n: Node, paths: Path[]): HashTree {
  if (paths.length === 0) return [4, n.h];
  if (paths.some((p) => p.length === 0) || n.k === 3 || n.k === 0) return full(n);
  const items = labelsOf(n, []);
  const keep = new Map<Node, Path[] | null>();
  for (const p of paths) {
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compare((items[mid] as { label: Uint8Array }).label, p[0]) < 0) lo = mid + 1;
      else hi = mid;
    }
    const at = items[lo] as { label: Uint8Array } | undefined;
    if (at !== undefined && compare(at.label, p[0]) === 0) {
      const rest = keep.get(items[lo]);
      keep.set(items[lo], [...(rest ?? []), p.slice(1)]);
    } else {
      for (const i of [lo - 1, lo]) if (i >= 0 && i < items.length && !keep.has(items[i])) keep.set(items[i], null);
    }
  }
  const build = (m: Node): HashTree | null => {
    if (m.k === 1) {
      const l = build(m.l);
      const r = build(m.r);
      if (l === null && r === null) return null;
      return [1, l ?? [4, m.l.h], r ?? [4, m.r.h]];
    }
    if (m.k === 2 && keep.has(m)) {
      const rest = keep.get(m);
      return [2, m.label, rest ? witness(m.c, rest) : [4, m.c.h]];
    }
    return null;
  };
  return build(n) ?? [4, n.h];
}
