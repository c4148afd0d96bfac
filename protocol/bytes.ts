/**
 * Byte helpers written out by hand: the canister's QuickJS has no Buffer, and TextEncoder/atob
 * differ between engines in how they treat bad input. These are strict and engine-independent.
 */

/** UTF-8 of a string; null when it holds a lone surrogate (not representable). */
export function utf8Encode(s: string): Uint8Array | null {
  if (/^[\x00-\x7f]*$/.test(s)) return asciiBytes(s);
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (c > 0xdbff || d < 0xdc00 || d > 0xdfff) return null;
      c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
      i++;
    }
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

/** Strict UTF-8 decoding: null on overlong forms, surrogates, code points above U+10FFFF, truncation. */
export function utf8Decode(b: Uint8Array): string | null {
  let s = '';
  const chunk: number[] = [];
  for (let i = 0; i < b.length; ) {
    const x = b[i];
    let cp: number;
    let n: number;
    let min: number;
    if (x < 0x80) { cp = x; n = 0; min = 0; }
    else if (x >= 0xc2 && x <= 0xdf) { cp = x & 0x1f; n = 1; min = 0x80; }
    else if (x >= 0xe0 && x <= 0xef) { cp = x & 0x0f; n = 2; min = 0x800; }
    else if (x >= 0xf0 && x <= 0xf4) { cp = x & 0x07; n = 3; min = 0x10000; }
    else return null;
    for (let k = 1; k <= n; k++) {
      const y = b[i + k];
      if (y === undefined || (y & 0xc0) !== 0x80) return null;
      cp = (cp << 6) | (y & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return null;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      chunk.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
    } else chunk.push(cp);
    if (chunk.length >= 1024) { s += String.fromCharCode(...chunk); chunk.length = 0; }
    i += n + 1;
  }
  return s + String.fromCharCode(...chunk);
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** Both alphabets: standard (+/) and URL-safe (-_); a string may use only one of them. */
const B64_INDEX: Int16Array = (() => {
  const t = new Int16Array(128).fill(-1);
  for (let i = 0; i < 64; i++) t[B64.charCodeAt(i)] = i;
  t[45] = 62; // -
  t[95] = 63; // _
  return t;
})();

/** Standard base64 (RFC 4648 §4) with padding. */
export function base64Encode(b: Uint8Array): string {
  let s = '';
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const v = (b[i] << 16) | (b[i + 1] << 8) | b[i + 2];
    s += B64[v >> 18] + B64[(v >> 12) & 63] + B64[(v >> 6) & 63] + B64[v & 63];
  }
  if (b.length - i === 1) {
    const v = b[i] << 16;
    s += B64[v >> 18] + B64[(v >> 12) & 63] + '==';
  } else if (b.length - i === 2) {
    const v = (b[i] << 16) | (b[i + 1] << 8);
    s += B64[v >> 18] + B64[(v >> 12) & 63] + B64[(v >> 6) & 63] + '=';
  }
  return s;
}

/**
 * Strict base64 (RFC 4648 §4, or the URL-safe alphabet of §5, as DSSE verifiers must accept):
 * padding required (so truncation is always detected), no white space, no mixed alphabets, and
 * unused trailing bits must be zero. Returns a reason string on failure.
 */
export function base64Decode(s: string): Uint8Array | string {
  if (s.length % 4 !== 0) return `length ${s.length} is not a multiple of 4 (truncated?)`;
  if (/[+/]/.test(s) && /[-_]/.test(s)) return 'mixes the standard and URL-safe alphabets';
  let pad = 0;
  if (s.endsWith('==')) pad = 2;
  else if (s.endsWith('=')) pad = 1;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    const last = i + 4 === s.length;
    const v: number[] = [0, 0, 0, 0];
    for (let k = 0; k < 4; k++) {
      const c = s.charCodeAt(i + k);
      if (last && c === 61 /* = */ && k >= 4 - pad) { v[k] = 0; continue; }
      const d = c < 128 ? B64_INDEX[c] : -1;
      if (d < 0) return `invalid character at offset ${i + k}`;
      v[k] = d;
    }
    const n = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out[o++] = n >> 16;
    if (!last || pad < 2) out[o++] = (n >> 8) & 255;
    else if ((n & 0xffff) !== 0) return 'non-zero trailing bits';
    if (!last || pad < 1) out[o++] = n & 255;
    else if (pad === 1 && (n & 0xff) !== 0) return 'non-zero trailing bits';
  }
  return out;
}

export function bytesToHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += (b[i] < 16 ? '0' : '') + b[i].toString(16);
  return s;
}

/** Lowercase even-length hex to bytes; throws on anything else (callers pass validated hex). */
export function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/.test(hex)) throw new Error(`not lowercase hex: ${hex.slice(0, 80)}`);
  const out = new Uint8Array(hex.length >>> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** ASCII-only strings (PAE header parts); the caller guarantees ASCII. */
export function asciiBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
