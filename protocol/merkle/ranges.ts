/**
 * The prover side of an RFC 9162 log as pure lists of node ids, so storage stays outside.
 *
 * A log stores only PERFECT subtrees: node (level, index) covers leaves
 * [index * 2^level, (index + 1) * 2^level) and, once written, never changes (append-only).
 * Any MTH(D[start:end]) whose first piece is aligned — every range a proof or a root needs — is
 * the fold, right to left, of the perfect nodes given by the binary digits of end - start.
 *
 * Indices and sizes are JavaScript `number`s: exact up to 2^53 - 1 leaves (far beyond any log
 * we will hold), cheap in QuickJS, and JSON/Candid-friendly. Arithmetic here never uses the
 * 32-bit bitwise operators, so it stays exact over that whole range. Bad arguments throw a
 * MerkleError (prover misuse: callers validate user input first, or catch and map `kind`).
 */
import { MerkleError } from './errors.js';
import type { LogHasher } from './hasher.js';

export interface NodeId {
  level: number;
  index: number;
}

export interface StoredNode extends NodeId {
  hash: Uint8Array;
}

/** Leaves [start, end). */
export interface LeafRange {
  start: number;
  end: number;
}

/** Reads a stored perfect node; undefined if the store lacks it. */
export type NodeGetter = (level: number, index: number) => Uint8Array | undefined;

function checkCount(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new MerkleError('bad-sizes', `must be a safe non-negative integer, got ${value}`, field);
  }
}

/** Largest power of two ≤ n (n ≥ 1). */
export function powerOfTwoAtMost(n: number): number {
  let p = 1;
  while (p * 2 <= n) p *= 2;
  return p;
}

/** Largest power of two strictly below n (n ≥ 2): RFC 9162's split point k. */
export function splitPoint(n: number): number {
  return powerOfTwoAtMost(n - 1);
}

function read(get: NodeGetter, level: number, index: number): Uint8Array {
  const hash = get(level, index);
  if (hash === undefined) throw new MerkleError('missing-node', `the store has no node (level ${level}, index ${index})`);
  return hash;
}

/**
 * The nodes to write when leaf number `size` (0-based) is appended to a log of `size` leaves:
 * the leaf itself at level 0, then, while the new node is a right child, its parent (combined
 * with the stored left sibling). 1 + (trailing one bits of size) nodes: O(log n).
 */
export function appendNodes(hasher: LogHasher, size: number, leafHash: Uint8Array, get: NodeGetter): StoredNode[] {
  checkCount(size, 'size');
  if (size >= Number.MAX_SAFE_INTEGER) throw new MerkleError('bad-sizes', 'the log is full', 'size');
  if (leafHash.length !== hasher.size) {
    throw new MerkleError('malformed-hash', `is ${leafHash.length} bytes, expected ${hasher.size}`, 'leafHash');
  }
  const out: StoredNode[] = [{ level: 0, index: size, hash: leafHash }];
  let level = 0;
  let index = size;
  let hash = leafHash;
  while (index % 2 === 1) {
    hash = hasher.hashChildren(read(get, level, index - 1), hash);
    index = (index - 1) / 2;
    level++;
    out.push({ level, index, hash });
  }
  return out;
}

/**
 * The perfect nodes whose right-to-left fold is MTH(D[start:end]), largest first.
 * Throws `bad-range` unless start is a multiple of the largest piece (true of every range in a
 * root, inclusion or consistency proof; other ranges are not computable from perfect nodes).
 */
export function rangeNodes(start: number, end: number): NodeId[] {
  checkCount(start, 'start');
  checkCount(end, 'end');
  if (start > end) throw new MerkleError('bad-range', `start ${start} > end ${end}`);
  const out: NodeId[] = [];
  if (start === end) return out;
  let width = powerOfTwoAtMost(end - start);
  if (start % width !== 0) throw new MerkleError('bad-range', `[${start}, ${end}) does not start on a multiple of ${width}`);
  let level = 0;
  for (let w = width; w > 1; w /= 2) level++;
  let pos = start;
  for (; width >= 1; width /= 2, level--) {
    if (end - pos >= width) {
      out.push({ level, index: pos / width });
      pos += width;
    }
  }
  return out;
}

/** MTH(D[start:end]) from stored perfect nodes (the empty range gives the empty root). */
export function rangeRoot(hasher: LogHasher, start: number, end: number, get: NodeGetter): Uint8Array {
  const nodes = rangeNodes(start, end);
  if (nodes.length === 0) return hasher.emptyRoot();
  let hash = read(get, nodes[nodes.length - 1].level, nodes[nodes.length - 1].index);
  for (let i = nodes.length - 2; i >= 0; i--) hash = hasher.hashChildren(read(get, nodes[i].level, nodes[i].index), hash);
  return hash;
}

/** The tree head: MTH of the first `size` leaves. */
export function root(hasher: LogHasher, size: number, get: NodeGetter): Uint8Array {
  return rangeRoot(hasher, 0, size, get);
}

/**
 * RFC 9162 §2.1.3.1 PATH(index, D[0:size]) as leaf ranges, in proof order (leaf level first).
 * At most one range is not a perfect node, so a proof reads O(log n) stored nodes.
 */
export function inclusionProofRanges(index: number, size: number): LeafRange[] {
  checkCount(size, 'size');
  checkCount(index, 'index');
  if (index >= size) throw new MerkleError('index-out-of-range', `leaf ${index} is not in a tree of ${size}`, 'index');
  const topDown: LeafRange[] = [];
  let start = 0;
  let end = size;
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (index < start + k) {
      topDown.push({ start: start + k, end });
      end = start + k;
    } else {
      topDown.push({ start, end: start + k });
      start += k;
    }
  }
  return topDown.reverse();
}

/**
 * RFC 9162 §2.1.4.1 PROOF(size1, D[0:size2]) as leaf ranges, in proof order. Empty when
 * size1 is 0 or equals size2 (nothing to prove). Throws `bad-sizes` if size1 > size2.
 */
export function consistencyProofRanges(size1: number, size2: number): LeafRange[] {
  checkCount(size1, 'size1');
  checkCount(size2, 'size2');
  if (size1 > size2) throw new MerkleError('bad-sizes', `size1 ${size1} > size2 ${size2}`);
  const topDown: LeafRange[] = [];
  if (size1 === 0 || size1 === size2) return topDown;
  let start = 0;
  let end = size2;
  let m = size1;
  // SUBPROOF(m, D[start:end], whole): `whole` is true while D[start:start+m] is the old tree itself.
  let whole = true;
  while (m !== end - start) {
    const k = splitPoint(end - start);
    if (m <= k) {
      topDown.push({ start: start + k, end });
      end = start + k;
    } else {
      topDown.push({ start, end: start + k });
      start += k;
      m -= k;
      whole = false;
    }
  }
  if (!whole) topDown.push({ start, end });
  return topDown.reverse();
}

function rangeRoots(hasher: LogHasher, ranges: LeafRange[], get: NodeGetter): Uint8Array[] {
  return ranges.map((r) => rangeRoot(hasher, r.start, r.end, get));
}

/** The inclusion proof of leaf `index` in the tree of `size` leaves, from stored nodes. */
export function inclusionProof(hasher: LogHasher, index: number, size: number, get: NodeGetter): Uint8Array[] {
  return rangeRoots(hasher, inclusionProofRanges(index, size), get);
}

/** The consistency proof from the tree of `size1` leaves to the tree of `size2`, from stored nodes. */
export function consistencyProof(hasher: LogHasher, size1: number, size2: number, get: NodeGetter): Uint8Array[] {
  return rangeRoots(hasher, consistencyProofRanges(size1, size2), get);
}
