/** Property-based: stored-node roots and proofs equal the naive RFC 9162 oracle; verify accepts them, refuses mutations. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  appendNodes,
  consistencyProof,
  consistencyProofRanges,
  inclusionProof,
  inclusionProofRanges,
  MerkleError,
  rangeNodes,
  rangeRoot,
  RFC9162_SHA256 as H,
  root,
  rootFromConsistencyProof,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion
} from '../../../protocol/index.js';
import { dec, distinctLeaves, enc, MemoryLog, RANGE_HASHER, rangeGet } from './helpers.js';
import { mth, path, pathRanges, proof as refProof, proofRanges } from './reference.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const hexes = (bs: Uint8Array[]) => bs.map(hex);
const flip = (b: Uint8Array, bit: number) => {
  const c = b.slice();
  c[(bit >> 3) % c.length] ^= 1 << (bit & 7);
  return c;
};

/** A log of n distinct random leaves, built by appendNodes, plus the leaves themselves. */
const logArb = fc.tuple(fc.oneof(fc.integer({ min: 1, max: 17 }), fc.integer({ min: 1, max: 300 })), fc.uint8Array({ maxLength: 8 })).map(([n, seed]) => {
  const leaves = distinctLeaves(Array.from({ length: n }, () => seed));
  const log = new MemoryLog();
  for (const d of leaves) log.append(d);
  return { leaves, log };
});

const trailingOnes = (n: number) => {
  let c = 0;
  for (; n % 2 === 1; n = (n - 1) / 2) c++;
  return c;
};

describe('merkle: stored-node log against the RFC 9162 oracle', () => {
  it('append writes 1 + trailing-ones(size) nodes, never rewrites, and root(m) = MTH(D[0:m]) for every m', () => {
    const leaves = distinctLeaves(Array.from({ length: 70 }, (_, i) => Uint8Array.of(i)));
    const log = new MemoryLog();
    leaves.forEach((d, i) => assert.equal(log.append(d), 1 + trailingOnes(i)));
    assert.equal(hex(root(H, 0, log.get)), hex(mth([])));
    for (let m = 0; m <= leaves.length; m++) assert.equal(hex(root(H, m, log.get)), hex(mth(leaves.slice(0, m))), `size ${m}`);
  });

  it('roots of random prefixes equal MTH', () => {
    fc.assert(
      fc.property(logArb, fc.nat(), ({ leaves, log }, r) => {
        const m = r % (leaves.length + 1);
        assert.equal(hex(root(H, m, log.get)), hex(mth(leaves.slice(0, m))));
      }),
      { numRuns: 60 }
    );
  });

  it('inclusion proofs equal PATH, rebuild the root, and verify', () => {
    fc.assert(
      fc.property(logArb, fc.nat(), fc.nat(), ({ leaves, log }, a, b) => {
        const size = 1 + (a % leaves.length);
        const index = b % size;
        const p = inclusionProof(H, index, size, log.get);
        const d = leaves.slice(0, size);
        assert.deepEqual(hexes(p), hexes(path(index, d)));
        const leafHash = H.hashLeaf(leaves[index]);
        const r = rootFromInclusionProof(H, index, size, leafHash, p);
        assert.ok(r.ok, !r.ok ? r.error.message : '');
        assert.equal(hex(r.value), hex(mth(d)));
        assert.deepEqual(verifyInclusion(H, index, size, leafHash, p, mth(d)), { ok: true, value: true });
      }),
      { numRuns: 80 }
    );
  });

  it('consistency proofs equal PROOF, rebuild the new root, and verify', () => {
    fc.assert(
      fc.property(logArb, fc.nat(), fc.nat(), ({ leaves, log }, a, b) => {
        const size2 = a % (leaves.length + 1);
        const size1 = b % (size2 + 1);
        const p = consistencyProof(H, size1, size2, log.get);
        assert.deepEqual(hexes(p), hexes(refProof(size1, leaves.slice(0, size2))));
        const root1 = mth(leaves.slice(0, size1));
        const root2 = mth(leaves.slice(0, size2));
        assert.deepEqual(verifyConsistency(H, size1, size2, p, root1, root2), { ok: true, value: true });
        const r = rootFromConsistencyProof(H, size1, size2, p, root1);
        if (size1 === 0 && size2 > 0) assert.equal(!r.ok && r.error.kind, 'bad-sizes');
        else assert.equal(r.ok && hex(r.value), hex(root2));
      }),
      { numRuns: 80 }
    );
  });

  it('inclusion: a flipped bit, another index, a doubled size, an extra or a missing node are refused', () => {
    fc.assert(
      fc.property(logArb, fc.nat(), fc.nat(), fc.nat(), fc.nat(), ({ leaves, log }, a, b, c, bit) => {
        const size = 1 + (a % leaves.length);
        const index = b % size;
        const p = inclusionProof(H, index, size, log.get);
        const leafHash = H.hashLeaf(leaves[index]);
        const rt = mth(leaves.slice(0, size));
        const refused = (r: ReturnType<typeof verifyInclusion>, kinds: string[]) => {
          assert.equal(r.ok, false);
          if (!r.ok) assert.ok(kinds.includes(r.error.kind), r.error.kind);
        };
        refused(verifyInclusion(H, index, size, flip(leafHash, bit), p, rt), ['root-mismatch']);
        refused(verifyInclusion(H, index, size, leafHash, p, flip(rt, bit)), ['root-mismatch']);
        if (p.length > 0) {
          const i = c % p.length;
          refused(verifyInclusion(H, index, size, leafHash, p.map((x, j) => (j === i ? flip(x, bit) : x)), rt), ['root-mismatch']);
          refused(verifyInclusion(H, index, size, leafHash, p.slice(0, -1), rt), ['wrong-proof-size']);
          const other = (index + 1 + (c % (size - 1))) % size;
          refused(verifyInclusion(H, other, size, leafHash, p, rt), ['root-mismatch', 'wrong-proof-size']);
        }
        refused(verifyInclusion(H, index, size * 2, leafHash, p, rt), ['wrong-proof-size']);
        refused(verifyInclusion(H, index, size, leafHash, [...p, leafHash], rt), ['wrong-proof-size']);
        refused(verifyInclusion(H, size, size, leafHash, p, rt), ['index-out-of-range']);
      }),
      { numRuns: 60 }
    );
  });

  it('consistency: flipped bits, swapped roots, wrong sizes, an extra or a missing node are refused', () => {
    fc.assert(
      fc.property(logArb, fc.nat(), fc.nat(), fc.nat(), fc.nat(), ({ leaves, log }, a, b, c, bit) => {
        const size2 = 1 + (a % leaves.length);
        const size1 = 1 + (b % size2);
        const p = consistencyProof(H, size1, size2, log.get);
        const r1 = mth(leaves.slice(0, size1));
        const r2 = mth(leaves.slice(0, size2));
        const refused = (r: ReturnType<typeof verifyConsistency>, kinds: string[]) => {
          assert.equal(r.ok, false);
          if (!r.ok) assert.ok(kinds.includes(r.error.kind), r.error.kind);
        };
        refused(verifyConsistency(H, size1, size2, p, flip(r1, bit), r2), ['root-mismatch']);
        refused(verifyConsistency(H, size1, size2, p, r1, flip(r2, bit)), ['root-mismatch']);
        refused(verifyConsistency(H, size1, size2, [...p, r1], r1, r2), ['wrong-proof-size']);
        if (size1 < size2) {
          const i = c % p.length;
          refused(verifyConsistency(H, size1, size2, p.map((x, j) => (j === i ? flip(x, bit) : x)), r1, r2), ['root-mismatch']);
          refused(verifyConsistency(H, size1, size2, p.slice(1), r1, r2), ['wrong-proof-size']);
          refused(verifyConsistency(H, size1, size2, p, r2, r1), ['root-mismatch']);
          refused(verifyConsistency(H, size2, size1, p, r2, r1), ['bad-sizes']);
          refused(verifyConsistency(H, size1, size2 * 2, p, r1, r2), ['wrong-proof-size', 'root-mismatch']);
        }
      }),
      { numRuns: 60 }
    );
  });
});

describe('merkle: edge cases and typed errors', () => {
  const log = new MemoryLog();
  const leaves = distinctLeaves(Array.from({ length: 9 }, () => new Uint8Array(0)));
  for (const d of leaves) log.append(d);
  const empty = H.emptyRoot();

  it('size1 == size2 needs an empty proof and equal roots', () => {
    const r5 = root(H, 5, log.get);
    assert.deepEqual(consistencyProof(H, 5, 5, log.get), []);
    assert.deepEqual(verifyConsistency(H, 5, 5, [], r5, r5), { ok: true, value: true });
    const r = rootFromConsistencyProof(H, 5, 5, [], r5);
    assert.ok(r.ok && hex(r.value) === hex(r5));
    const extra = verifyConsistency(H, 5, 5, [r5], r5, r5);
    assert.equal(!extra.ok && extra.error.kind, 'wrong-proof-size');
    const differ = verifyConsistency(H, 5, 5, [], r5, root(H, 4, log.get));
    assert.equal(!differ.ok && differ.error.kind, 'root-mismatch');
    assert.equal(!differ.ok && differ.error.field, 'root2');
  });

  it('size1 == 0 accepts an empty proof (root1 must be the empty root) and nothing else', () => {
    assert.deepEqual(verifyConsistency(H, 0, 9, [], empty, root(H, 9, log.get)), { ok: true, value: true });
    assert.deepEqual(verifyConsistency(H, 0, 0, [], empty, empty), { ok: true, value: true });
    const notEmpty = verifyConsistency(H, 0, 9, [], root(H, 1, log.get), root(H, 9, log.get));
    assert.equal(!notEmpty.ok && notEmpty.error.field, 'root1');
    const withNode = verifyConsistency(H, 0, 9, [empty], empty, root(H, 9, log.get));
    assert.equal(!withNode.ok && withNode.error.kind, 'wrong-proof-size');
    const zeroZero = verifyConsistency(H, 0, 0, [], empty, root(H, 1, log.get));
    assert.equal(!zeroZero.ok && zeroZero.error.kind, 'root-mismatch');
  });

  it('a one-leaf tree: empty proof, root = leaf hash', () => {
    const leafHash = H.hashLeaf(leaves[0]);
    assert.deepEqual(inclusionProof(H, 0, 1, log.get), []);
    assert.deepEqual(verifyInclusion(H, 0, 1, leafHash, [], leafHash), { ok: true, value: true });
  });

  it('bad sizes, indices and hash lengths are typed errors naming the field', () => {
    const leafHash = H.hashLeaf(leaves[0]);
    const p = inclusionProof(H, 0, 9, log.get);
    const r9 = root(H, 9, log.get);
    const cases: [ReturnType<typeof verifyInclusion>, string, string | undefined][] = [
      [verifyInclusion(H, 0, 0, leafHash, [], empty), 'index-out-of-range', 'index'],
      [verifyInclusion(H, 9, 9, leafHash, p, r9), 'index-out-of-range', 'index'],
      [verifyInclusion(H, -1, 9, leafHash, p, r9), 'index-out-of-range', 'index'],
      [verifyInclusion(H, 0.5, 9, leafHash, p, r9), 'index-out-of-range', 'index'],
      [verifyInclusion(H, 0, 2 ** 53, leafHash, p, r9), 'bad-sizes', 'size'],
      [verifyInclusion(H, 0, 9, leafHash.slice(1), p, r9), 'malformed-hash', 'leafHash'],
      [verifyInclusion(H, 0, 9, leafHash, [p[0], p[1], p[2], new Uint8Array(33)], r9), 'malformed-hash', 'proof[3]'],
      [verifyInclusion(H, 0, 9, leafHash, p, new Uint8Array(0)), 'malformed-hash', 'root'],
      [verifyInclusion(H, 0, 9, leafHash, 'x' as unknown as Uint8Array[], r9), 'wrong-proof-size', 'proof'],
      [verifyConsistency(H, 4, 3, [], r9, r9), 'bad-sizes', undefined],
      [verifyConsistency(H, NaN, 3, [], r9, r9), 'bad-sizes', 'size1'],
      [verifyConsistency(H, 3, Infinity, [], r9, r9), 'bad-sizes', 'size2'],
      [verifyConsistency(H, 3, 9, [], r9, r9), 'wrong-proof-size', 'proof'],
      [verifyConsistency(H, 3, 9, consistencyProof(H, 3, 9, log.get), r9.slice(2), r9), 'malformed-hash', 'root1'],
      [verifyConsistency(H, 3, 9, consistencyProof(H, 3, 9, log.get), root(H, 3, log.get), r9.slice(2)), 'malformed-hash', 'root2']
    ];
    for (const [r, kind, field] of cases) {
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.ok(r.error instanceof MerkleError);
        assert.equal(r.error.kind, kind, r.error.message);
        assert.equal(r.error.field, field, r.error.message);
      }
    }
  });

  it('the prover throws typed errors on misuse and on a store that lost a node', () => {
    const kind = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        assert.ok(e instanceof MerkleError);
        return e.kind;
      }
      return 'no error';
    };
    assert.equal(kind(() => inclusionProofRanges(3, 3)), 'index-out-of-range');
    assert.equal(kind(() => consistencyProofRanges(4, 3)), 'bad-sizes');
    assert.equal(kind(() => consistencyProofRanges(-1, 3)), 'bad-sizes');
    assert.equal(kind(() => rangeNodes(1, 3)), 'bad-range');
    assert.equal(kind(() => rangeNodes(5, 4)), 'bad-range');
    assert.equal(kind(() => root(H, 10, log.get)), 'missing-node');
    assert.equal(kind(() => appendNodes(H, 3, new Uint8Array(31), log.get)), 'malformed-hash');
    assert.equal(kind(() => appendNodes(H, 9, H.hashLeaf(Uint8Array.of(1)), () => undefined)), 'missing-node');
    assert.equal(kind(() => appendNodes(H, Number.MAX_SAFE_INTEGER, H.hashLeaf(Uint8Array.of(1)), log.get)), 'bad-sizes');
    assert.equal(hex(rangeRoot(H, 4, 4, log.get)), hex(empty));
  });
});

describe('merkle: huge trees (structural range hasher, sizes up to 2^53 - 1)', () => {
  // Sizes near 2^31, 2^32 and 2^53 catch any 32-bit bitwise arithmetic.
  const big = fc.oneof(
    fc.integer({ min: 1, max: 2 ** 34 }),
    fc.integer({ min: 2 ** 31 - 3, max: 2 ** 32 + 3 }),
    fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER - 1 })
  );
  const pair = fc.tuple(big, big).map(([a, b]) => (a <= b ? [a, b] : [b, a]));

  it('proof ranges equal the RFC recursion and decompose into aligned perfect nodes', () => {
    fc.assert(
      fc.property(pair, ([m, n]) => {
        const index = m - 1;
        assert.deepEqual(inclusionProofRanges(index, n), pathRanges(index, 0, n));
        assert.deepEqual(consistencyProofRanges(m, n), proofRanges(m, n));
        for (const r of [...inclusionProofRanges(index, n), ...consistencyProofRanges(m, n)]) {
          let pos = r.start;
          for (const node of rangeNodes(r.start, r.end)) {
            assert.equal(node.index * 2 ** node.level, pos);
            pos += 2 ** node.level;
          }
          assert.equal(pos, r.end);
        }
      }),
      { numRuns: 300 }
    );
  });

  it('a proof reads O(log n) stored nodes: at most 2 * ceil(log2 n)', () => {
    fc.assert(
      fc.property(pair, ([m, n]) => {
        let reads = 0;
        const counting = (level: number, index: number) => (reads++, rangeGet(level, index));
        const bound = 2 * Math.ceil(Math.log2(Math.max(n, 2)));
        inclusionProof(RANGE_HASHER, m - 1, n, counting);
        assert.ok(reads <= bound, `inclusion ${m - 1} of ${n}: ${reads} reads > ${bound}`);
        reads = 0;
        consistencyProof(RANGE_HASHER, m, n, counting);
        assert.ok(reads <= bound, `consistency ${m} -> ${n}: ${reads} reads > ${bound}`);
      }),
      { numRuns: 300 }
    );
  });

  it('appends, roots, inclusion and consistency proofs verify structurally at any size', () => {
    fc.assert(
      fc.property(pair, ([m, n]) => {
        const index = m - 1;
        assert.deepEqual(dec(root(RANGE_HASHER, n, rangeGet)), [0, n]);
        const written = appendNodes(RANGE_HASHER, index, enc(index, index + 1), rangeGet);
        for (const w of written) assert.deepEqual(dec(w.hash), dec(rangeGet(w.level, w.index)!));
        const p = inclusionProof(RANGE_HASHER, index, n, rangeGet);
        const r = rootFromInclusionProof(RANGE_HASHER, index, n, enc(index, index + 1), p);
        assert.ok(r.ok && dec(r.value)[0] === 0 && dec(r.value)[1] === n, JSON.stringify(r.ok && dec(r.value)));
        const c = consistencyProof(RANGE_HASHER, m, n, rangeGet);
        assert.deepEqual(verifyConsistency(RANGE_HASHER, m, n, c, enc(0, m), enc(0, n)), { ok: true, value: true });
      }),
      { numRuns: 300 }
    );
  });
});
