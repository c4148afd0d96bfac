/** Cursor paging over a StableBTreeMap whose keys are raw bytes (ordered like Rust's Vec<u8>). */
import type { StableBTreeMap } from 'azle';

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/**
 * Index of the first key strictly greater than `after` (binary search with one-key reads,
 * O(log n) reads), so a page can resume after the last key a client saw.
 */
export function indexAfter<V>(map: StableBTreeMap<Uint8Array, V>, after: Uint8Array): number {
  let lo = 0;
  let hi = map.len();
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const [key] = map.keys(mid, 1);
    if (compareBytes(key, after) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Clamps a client's page size: 0 means the default. */
export function pageSize(limit: number, fallback: number, max: number): number {
  if (!Number.isFinite(limit) || limit <= 0) return fallback;
  return Math.min(limit, max);
}
