/** Hex helpers for proposal data. Pure TypeScript. */
import { bytesToHex as hexOfBytes, hexToBytes as bytesOfHex } from '../bytes.js';

const HEX = /^[0-9a-f]*$/;

export function bytesToHex(bytes: Uint8Array | readonly number[]): string {
  return hexOfBytes(bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes, (b) => b & 0xff));
}

export function hexToBytes(hex: string): Uint8Array {
  const h = normaliseHex(hex);
  if (h === null) throw new Error(`not a hex string: ${JSON.stringify(hex.slice(0, 80))}`);
  return bytesOfHex(h);
}

/** Lowercase, without a `0x` prefix; null unless it is an even-length hex string. */
export function normaliseHex(s: string): string | null {
  let h = s.trim().toLowerCase();
  if (h.startsWith('0x')) h = h.slice(2);
  return HEX.test(h) && h.length % 2 === 0 ? h : null;
}

/**
 * A measurement as lowercase hex, whether given as hex text (the dashboard) or as an array of
 * byte values (launch-measurements.json, decoded Candid blobs). Null if it is neither.
 */
export function measurementToHex(m: unknown): string | null {
  if (typeof m === 'string') return normaliseHex(m);
  if (m instanceof Uint8Array) return bytesToHex(m);
  if (Array.isArray(m) && m.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) return bytesToHex(m as number[]);
  return null;
}
