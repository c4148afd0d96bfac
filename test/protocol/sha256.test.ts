/**
 * protocol/sha256.ts (the canister's SHA-256) against node:crypto: every length around the block
 * and padding boundaries, random inputs, and one large input.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { sha256 } from '../../protocol/sha256.js';

const reference = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('sha256: the FIPS 180-4 examples', () => {
  assert.equal(hex(sha256(new Uint8Array(0))), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(hex(sha256(Buffer.from('abc'))), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(
    hex(sha256(Buffer.from('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))),
    '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'
  );
});

test('sha256: every length from 0 to 300 bytes (one and two padding blocks)', () => {
  for (let n = 0; n <= 300; n++) {
    const b = randomBytes(n);
    assert.equal(hex(sha256(b)), reference(b), `length ${n}`);
  }
});

test('sha256: random inputs, subarrays with an offset, and 1 MB', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2000 }), fc.nat(16), (b, skip) => {
      const view = b.subarray(Math.min(skip, b.length));
      assert.equal(hex(sha256(view)), reference(view));
    }),
    { numRuns: 300 }
  );
  const big = randomBytes(1_000_003);
  assert.equal(hex(sha256(big)), reference(big));
});
