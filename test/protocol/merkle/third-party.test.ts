/**
 * A third party's recomputation, as protocol/README.md tells it: a few lines over node:crypto
 * that import nothing of ours. Level by level: hash the leaves, pair neighbours, carry an odd
 * last node up unchanged (RFC 9162 never duplicates it). It must equal our stored-node root.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { RFC9162_SHA256, root } from '../../../protocol/index.js';
import { MemoryLog } from './helpers.js';

// ---- third-party code: begin (no imports from protocol/) ----
const sha = (...parts: Buffer[]): Buffer => createHash('sha256').update(Buffer.concat(parts)).digest();
function merkleRoot(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return sha();
  let level = leaves.map((d) => sha(Buffer.from([0]), d));
  while (level.length > 1) {
    const up: Buffer[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) up.push(sha(Buffer.from([1]), level[i], level[i + 1]));
    if (level.length % 2 === 1) up.push(level[level.length - 1]);
    level = up;
  }
  return level[0];
}
// ---- third-party code: end ----

describe('merkle: third-party recomputation over node:crypto', () => {
  it('equals root() for random leaves', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 300, size: 'max' }), (leaves) => {
        const log = new MemoryLog(RFC9162_SHA256);
        for (const d of leaves) log.append(d);
        const ours = Buffer.from(root(RFC9162_SHA256, leaves.length, log.get)).toString('hex');
        assert.equal(merkleRoot(leaves.map((d) => Buffer.from(d))).toString('hex'), ours);
      }),
      { numRuns: 60 }
    );
  });
});
