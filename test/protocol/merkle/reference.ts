/**
 * A naive oracle written straight from RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1: recursion over
 * the leaf list, no stored nodes, no cleverness. Used only by tests and the vector generator.
 */
import { createHash } from 'node:crypto';

const sha256 = (...parts: Uint8Array[]) => new Uint8Array(createHash('sha256').update(Buffer.concat(parts)).digest());

/** Largest power of two strictly less than n (n > 1). */
function k(n: number): number {
  let p = 1;
  while (p * 2 < n) p *= 2;
  return p;
}

/** MTH(D[n]) over leaf *inputs* (not leaf hashes). */
export function mth(d: Uint8Array[]): Uint8Array {
  if (d.length === 0) return sha256();
  if (d.length === 1) return sha256(Uint8Array.of(0), d[0]);
  const s = k(d.length);
  return sha256(Uint8Array.of(1), mth(d.slice(0, s)), mth(d.slice(s)));
}

/** PATH(m, D[n]) */
export function path(m: number, d: Uint8Array[]): Uint8Array[] {
  if (d.length <= 1) return [];
  const s = k(d.length);
  return m < s ? [...path(m, d.slice(0, s)), mth(d.slice(s))] : [...path(m - s, d.slice(s)), mth(d.slice(0, s))];
}

/** PROOF(m, D[n]) = SUBPROOF(m, D[n], true); empty for m == 0 (nothing to prove). */
export function proof(m: number, d: Uint8Array[]): Uint8Array[] {
  return m === 0 ? [] : subproof(m, d, true);
}

function subproof(m: number, d: Uint8Array[], b: boolean): Uint8Array[] {
  if (m === d.length) return b ? [] : [mth(d)];
  const s = k(d.length);
  return m <= s ? [...subproof(m, d.slice(0, s), b), mth(d.slice(s))] : [...subproof(m - s, d.slice(s), false), mth(d.slice(0, s))];
}

/** The same recursions over leaf ranges only, so they also run at sizes near 2^53. */
export interface Range { start: number; end: number }

export function pathRanges(m: number, start: number, end: number): Range[] {
  if (end - start <= 1) return [];
  const s = k(end - start);
  return m < s
    ? [...pathRanges(m, start, start + s), { start: start + s, end }]
    : [...pathRanges(m - s, start + s, end), { start, end: start + s }];
}

export function proofRanges(m: number, n: number): Range[] {
  const sub = (m: number, start: number, end: number, b: boolean): Range[] => {
    if (m === end - start) return b ? [] : [{ start, end }];
    const s = k(end - start);
    return m <= s
      ? [...sub(m, start, start + s, b), { start: start + s, end }]
      : [...sub(m - s, start + s, end, false), { start, end: start + s }];
  };
  return m === 0 ? [] : sub(m, 0, n, true);
}
