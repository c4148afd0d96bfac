/**
 * A minimal CBOR writer (RFC 8949) for what certification needs: unsigned integers, byte strings,
 * ASCII text and arrays, behind the self-describe tag 55799 (d9 d9 f7) that the IC writes.
 * Pure, so the canister can encode hash-tree witnesses without a CBOR library.
 */
import { asciiBytes, concatBytes } from './bytes.js';
import type { HashTree } from './hash-tree.js';

export type CborValue = number | Uint8Array | string | CborValue[];

function head(major: number, n: number): Uint8Array {
  const m = major << 5;
  if (n < 24) return new Uint8Array([m | n]);
  if (n < 0x100) return new Uint8Array([m | 24, n]);
  if (n < 0x10000) return new Uint8Array([m | 25, n >> 8, n & 0xff]);
  return new Uint8Array([m | 26, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
}

function item(v: CborValue): Uint8Array {
  if (typeof v === 'number') return head(0, v);
  if (typeof v === 'string') {
    const b = asciiBytes(v); // labels and header values here are ASCII
    return concatBytes(head(3, b.length), b);
  }
  if (v instanceof Uint8Array) return concatBytes(head(2, v.length), v);
  return concatBytes(head(4, v.length), ...v.map(item));
}

export function cborSelfDescribed(v: CborValue): Uint8Array {
  return concatBytes(new Uint8Array([0xd9, 0xd9, 0xf7]), item(v));
}

/** A hash tree in its wire form (`[0]`, `[1, l, r]`, `[2, label, t]`, `[3, v]`, `[4, h]`). */
export function encodeHashTree(t: HashTree): Uint8Array {
  return cborSelfDescribed(t as CborValue);
}
