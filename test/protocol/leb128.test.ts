/** The one unsigned LEB128 encoder (protocol/leb128.ts): known vectors, and the replica's Wasm reader decodes it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';

import { uleb128 } from '../../protocol/leb128.js';
import { Reader } from '../../replica/runtime/wasm/binary.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('known vectors (the Wasm spec and the DWARF example), status codes, 2^32 and 2^53 - 1', () => {
  assert.equal(hex(uleb128(0)), '00');
  assert.equal(hex(uleb128(127)), '7f');
  assert.equal(hex(uleb128(128)), '8001');
  assert.equal(hex(uleb128(200)), 'c801');
  assert.equal(hex(uleb128(404)), '9403');
  assert.equal(hex(uleb128(624485)), 'e58e26');
  assert.equal(hex(uleb128(2 ** 32)), '8080808010');
  assert.equal(hex(uleb128(Number.MAX_SAFE_INTEGER)), 'ffffffffffffff0f');
});

test('refuses what it cannot encode exactly', () => {
  for (const n of [-1, 1.5, Number.MAX_SAFE_INTEGER + 1, NaN, Infinity]) assert.throws(() => uleb128(n), RangeError, String(n));
});

test('the replica decodes every u32 back, using exactly the bytes written', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (n) => {
      const bytes = uleb128(n);
      const r = new Reader(bytes);
      assert.equal(r.u32(), n);
      assert.equal(r.pos, bytes.length);
    })
  );
});
