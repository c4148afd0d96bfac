/**
 * The verifier side: RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency). The hash walks
 * follow the RFC's bit algorithms, not the prover's recursion, so the two check each other; only
 * the expected proof length (for a clear `wrong-proof-size`) comes from ranges.ts.
 * Pure; every failure is a MerkleError value, never a throw. Halving is arithmetic (no 32-bit
 * `>>`), so any safe-integer size works; callers holding Candid nat64 (bigint) convert first.
 */
import { bytesEqual } from '../bytes.js';
import { type MerkleError, type MerkleResult, merkleFail } from './errors.js';
import type { LogHasher } from './hasher.js';
import { consistencyProofRanges, inclusionProofRanges, powerOfTwoAtMost } from './ranges.js';

const isCount = (n: number) => Number.isSafeInteger(n) && n >= 0;
const odd = (n: number) => n % 2 === 1;
const half = (n: number) => Math.floor(n / 2);

type Failure = { ok: false; error: MerkleError };

function hashError(hasher: LogHasher, h: Uint8Array, field: string): Failure | null {
  if (h instanceof Uint8Array && h.length === hasher.size) return null;
  const got = h instanceof Uint8Array ? `${h.length} bytes` : typeof h;
  return merkleFail('malformed-hash', `is ${got}, expected ${hasher.size} bytes`, field);
}

/** Length first (the cheapest and clearest message), then each node's length. */
function proofError(hasher: LogHasher, proof: Uint8Array[], expected: number, what: string): Failure | null {
  if (!Array.isArray(proof)) return merkleFail('wrong-proof-size', 'is not a list of hashes', 'proof');
  if (proof.length !== expected) return merkleFail('wrong-proof-size', `${what} needs ${expected} hashes, got ${proof.length}`, 'proof');
  for (let i = 0; i < proof.length; i++) {
    const bad = hashError(hasher, proof[i], `proof[${i}]`);
    if (bad) return bad;
  }
  return null;
}

function mismatch(field: string, what: string): Failure {
  return merkleFail('root-mismatch', `the proof does not lead to ${what}`, field);
}

/** The root that `proof` makes leaf `index` (hash `leafHash`) part of, in a tree of `size` leaves. */
export function rootFromInclusionProof(
  hasher: LogHasher,
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: Uint8Array[]
): MerkleResult<Uint8Array> {
  if (!isCount(size)) return merkleFail('bad-sizes', `must be a safe non-negative integer, got ${size}`, 'size');
  if (!isCount(index)) return merkleFail('index-out-of-range', `must be a safe non-negative integer, got ${index}`, 'index');
  if (index >= size) return merkleFail('index-out-of-range', `leaf ${index} is not in a tree of ${size}`, 'index');
  const bad = proofError(hasher, proof, inclusionProofRanges(index, size).length, `leaf ${index} of ${size}`) ?? hashError(hasher, leafHash, 'leafHash');
  if (bad) return bad;

  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (odd(fn) || fn === sn) {
      r = hasher.hashChildren(p, r);
      while (!odd(fn) && fn !== 0) { fn /= 2; sn = half(sn); }
    } else {
      r = hasher.hashChildren(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  // The length check above makes this unreachable; kept as the RFC's own final condition.
  if (sn !== 0) return merkleFail('wrong-proof-size', `too short for leaf ${index} of ${size}`, 'proof');
  return { ok: true, value: r };
}

/** Checks that leaf `index` with hash `leafHash` is in the tree of `size` leaves with head `root`. */
export function verifyInclusion(
  hasher: LogHasher,
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: Uint8Array[],
  root: Uint8Array
): MerkleResult<true> {
  const bad = hashError(hasher, root, 'root');
  if (bad) return bad;
  const r = rootFromInclusionProof(hasher, index, size, leafHash, proof);
  if (!r.ok) return r;
  return bytesEqual(r.value, root) ? { ok: true, value: true } : mismatch('root', `the root of tree size ${size}`);
}

/** RFC 9162 §2.1.4.2: the new root, or null when size1 is 0 (any tree extends the empty one). */
function consistentRoot(
  hasher: LogHasher,
  size1: number,
  size2: number,
  proof: Uint8Array[],
  root1: Uint8Array
): MerkleResult<Uint8Array | null> {
  if (!isCount(size1)) return merkleFail('bad-sizes', `must be a safe non-negative integer, got ${size1}`, 'size1');
  if (!isCount(size2)) return merkleFail('bad-sizes', `must be a safe non-negative integer, got ${size2}`, 'size2');
  if (size1 > size2) return merkleFail('bad-sizes', `size1 ${size1} > size2 ${size2}: a log never shrinks`);
  const bad = proofError(hasher, proof, consistencyProofRanges(size1, size2).length, `${size1} -> ${size2}`) ?? hashError(hasher, root1, 'root1');
  if (bad) return bad;
  if (size1 === 0) {
    if (!bytesEqual(root1, hasher.emptyRoot())) return mismatch('root1', 'the empty tree root');
    return { ok: true, value: size2 === 0 ? root1 : null };
  }
  if (size1 === size2) return { ok: true, value: root1 };

  // When the old tree is a perfect subtree, the RFC leaves its root out of the proof.
  const path = powerOfTwoAtMost(size1) === size1 ? [root1, ...proof] : proof;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (odd(fn)) { fn = half(fn); sn = half(sn); }
  let fr = path[0];
  let sr = path[0];
  for (let i = 1; i < path.length; i++) {
    const c = path[i];
    if (sn === 0) return merkleFail('wrong-proof-size', `too long for ${size1} -> ${size2}`, 'proof');
    if (odd(fn) || fn === sn) {
      fr = hasher.hashChildren(c, fr);
      sr = hasher.hashChildren(c, sr);
      while (!odd(fn) && fn !== 0) { fn /= 2; sn = half(sn); }
    } else {
      sr = hasher.hashChildren(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  // The length check above makes this unreachable; kept as the RFC's own final condition.
  if (sn !== 0) return merkleFail('wrong-proof-size', `too short for ${size1} -> ${size2}`, 'proof');
  if (!bytesEqual(fr, root1)) return mismatch('root1', `the root of tree size ${size1}`);
  return { ok: true, value: sr };
}

/**
 * The root of the tree of `size2` leaves that `proof` shows to extend the tree (`size1`, `root1`).
 * size1 == size2 needs an empty proof and gives root1. size1 == 0 < size2 is refused
 * (`bad-sizes`): every tree extends the empty one, so that (empty) proof commits to no root;
 * use verifyConsistency, which accepts it.
 */
export function rootFromConsistencyProof(
  hasher: LogHasher,
  size1: number,
  size2: number,
  proof: Uint8Array[],
  root1: Uint8Array
): MerkleResult<Uint8Array> {
  const r = consistentRoot(hasher, size1, size2, proof, root1);
  if (!r.ok) return r;
  if (r.value === null) return merkleFail('bad-sizes', 'a proof from the empty tree commits to no root', 'size1');
  return { ok: true, value: r.value };
}

/**
 * Checks that the tree (`size2`, `root2`) is an append-only extension of (`size1`, `root1`).
 * Edge cases: size1 == size2 needs an empty proof and root1 == root2; size1 == 0 needs an empty
 * proof and root1 == the empty root, and accepts any root2 (if size2 > 0).
 */
export function verifyConsistency(
  hasher: LogHasher,
  size1: number,
  size2: number,
  proof: Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array
): MerkleResult<true> {
  const bad = hashError(hasher, root2, 'root2');
  if (bad) return bad;
  const r = consistentRoot(hasher, size1, size2, proof, root1);
  if (!r.ok) return r;
  if (r.value !== null && !bytesEqual(r.value, root2)) return mismatch('root2', `the root of tree size ${size2}`);
  return { ok: true, value: true };
}
