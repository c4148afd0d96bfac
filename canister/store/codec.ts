/**
 * Byte encodings for stable storage. Keys are fixed-width big-endian so that the map's byte
 * order is the numeric order; values are JSON (self-describing: a record can gain a field later
 * without a migration, and reading one costs a native JSON.parse).
 */

import { asciiBytes, asciiText } from '../text.js';

export interface Serializable<T> {
  toBytes(data: T): Uint8Array;
  fromBytes(bytes: Uint8Array): T;
}

const U64_MAX = (1n << 64n) - 1n;

export function u64Bytes(n: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt.asUintN(64, n), false);
  return out;
}

export function readU64(b: Uint8Array, at = 0): bigint {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(at, false);
}

export function u32Bytes(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n >>> 0, false);
  return out;
}

/** nat64 key in ascending order. */
export const u64Key: Serializable<bigint> = {
  toBytes: (n) => u64Bytes(n),
  fromBytes: (b) => readU64(b)
};

/** nat64 key in descending order (newest proposal first when iterating). */
export const u64DescKey: Serializable<bigint> = {
  toBytes: (n) => u64Bytes(U64_MAX - n),
  fromBytes: (b) => U64_MAX - readU64(b)
};

/** Raw bytes, for composite keys built by the caller. */
export const bytesKey: Serializable<Uint8Array> = {
  toBytes: (b) => b,
  fromBytes: (b) => Uint8Array.from(b)
};

export const u8Key: Serializable<number> = {
  toBytes: (n) => Uint8Array.of(n),
  fromBytes: (b) => b[0]
};

export const u64Value: Serializable<bigint> = u64Key;

export const OS_CODES = ['guestos', 'hostos', 'setupos', 'recovery'] as const;

/** One byte per OS in composite keys; the order is the order reports list OSes in. */
export function osCode(os: string): number {
  const i = (OS_CODES as readonly string[]).indexOf(os);
  return i < 0 ? 255 : i;
}

/**
 * JSON values, kept ASCII (non-ASCII escaped as \uXXXX) so bytes ↔ text is a plain copy:
 * JSON.parse/stringify are native in QuickJS, much cheaper than decoding Candid in JS.
 */
export function asciiJsonBytes(value: unknown): Uint8Array {
  const text = JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return asciiBytes(text);
}

export function parseAsciiJson(bytes: Uint8Array): unknown {
  return JSON.parse(asciiText(bytes));
}

export function jsonValue<T, J>(toJson: (v: T) => J, fromJson: (j: J) => T): Serializable<T> {
  return {
    toBytes: (v) => asciiJsonBytes(toJson(v)),
    fromBytes: (b) => fromJson(parseAsciiJson(b) as J)
  };
}
