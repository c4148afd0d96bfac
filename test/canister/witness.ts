/** Decoding the canister's CBOR witnesses into protocol/hash-tree.ts trees, for the tests. */
import { decode as cborDecode } from '@dfinity/cbor';
import assert from 'node:assert/strict';
import type { HashTree } from '../../protocol/hash-tree.js';

function toTree(v: unknown): HashTree {
  const n = v as unknown[];
  const b = (x: unknown) => (x instanceof Uint8Array ? x : new Uint8Array(x as ArrayBuffer));
  switch (n[0]) {
    case 0: return [0];
    case 1: return [1, toTree(n[1]), toTree(n[2])];
    case 2: return [2, b(n[1]), toTree(n[2])];
    case 3: return [3, b(n[1])];
    case 4: return [4, b(n[1])];
    default: throw new Error(`not a hash tree node: ${String(n[0])}`);
  }
}

export function decodeWitness(bytes: Uint8Array): HashTree {
  assert.deepEqual([...bytes.slice(0, 3)], [0xd9, 0xd9, 0xf7], 'CBOR starts with the self-describe tag');
  return toTree(cborDecode(bytes));
}
