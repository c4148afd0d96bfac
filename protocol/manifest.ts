/**
 * Manifests: a bounded tree of digests inside an artifact, its Merkle-style root, and the
 * comparison of two manifests. Pure TS (runs in the canister too): no Node APIs.
 *
 * ## Naming of nested levels
 * A manifest is the list of components directly inside an artifact, each with its own
 * `children`. Compression (zstd, gzip) is transparent: the manifest of `update-img.tar.zst` lists
 * the members of the tar inside it. Each `ManifestEntry.path` is the component's name *within
 * its parent only*, never a full path:
 *   - tar member: the member name exactly as stored (`root.img`, `./etc/hosts`); for GNU/PAX
 *     sparse members the real name (not the `GNUSparseFile.N/` alias);
 *   - GPT partition: its name (UTF-16LE in the table), or `#<n>` (entry number, 1-based) when the
 *     name is empty or shared by several partitions (then `<name>#<n>`);
 *   - the bytes of a disk image that lie in no partition (protective MBR, GPT headers and tables,
 *     gaps): one entry of kind `other` named `(outside partitions)`;
 *   - entries dropped to fit a size limit at the top level: one entry of kind `other` named
 *     `(N more entries)` with `truncated: true`.
 * A location is the list of those names from the top (`['disk.img', 'A_root']`); people see it
 * joined with ` › ` after the artifact's file name: `disk-img.tar.zst › disk.img › A_root`
 * (formatManifestPath). The joined form is for display only; JSON carries the arrays.
 *
 * ## `detail`
 * tar members: `mode=<4 octal> owner=<uid>:<gid> mtime=<unix s>`, plus ` link=<target>` for links
 * and ` sparse=<16 hex>` (first 16 hex of the sha256 of the hole map) for sparse members, whose
 * `sha256`/`size` are those of the expanded content (holes read as zeros, as after extraction).
 * Two builds can therefore have equal content but different hole maps (known cause 3).
 * GPT partitions: `type=<type GUID> guid=<unique GUID> offset=<bytes>` (+ ` attrs=<hex>` if set).
 */
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import type { ManifestEntry } from './types.js';
import { LIMITS } from './limits.js';

export type { ManifestEntry };

/** Separator used when a location is shown to people. */
export const PATH_SEPARATOR = ' › ';
/** Name of the entry holding the bytes of a disk image outside every partition. */
export const OUTSIDE_PARTITIONS = '(outside partitions)';
/** Default budget for one artifact's manifest inside a statement (UTF-8 JSON bytes). */
export const DEFAULT_MANIFEST_MAX_BYTES = 16 * 1024;

/** `update-img.tar.zst › root.img`; the artifact name is reduced to its file name. */
export function formatManifestPath(components: readonly string[], artifactName?: string): string {
  const head = artifactName ? [artifactName.slice(artifactName.lastIndexOf('/') + 1)] : [];
  return [...head, ...components].join(PATH_SEPARATOR);
}

// ---------------------------------------------------------------- root

const DOMAIN = utf8ToBytes('icos-attest/manifest/v1');
const TAG_LEAF = 0x00;
const TAG_NODE = 0x01;
const TAG_LIST = 0x02;

function u32(n: number): Uint8Array {
  return new Uint8Array([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
}

function field(s: string): Uint8Array[] {
  const b = utf8ToBytes(s);
  return [u32(b.length), b];
}

function hashParts(parts: Uint8Array[]): Uint8Array {
  const h = sha256.create();
  for (const p of parts) h.update(p);
  return h.digest();
}

/**
 * Digest of one entry. Leaf (no children): tag 0x00; node: tag 0x01 followed by the list digest
 * of its children. Fields are length-prefixed UTF-8; size as a decimal string (exact past 2^53
 * in JSON producers that keep it so); absent detail differs from empty detail.
 */
export function entryDigest(e: ManifestEntry): Uint8Array {
  const parts: Uint8Array[] = [DOMAIN, new Uint8Array([e.children ? TAG_NODE : TAG_LEAF])];
  parts.push(...field(e.path), ...field(e.kind), ...field(String(e.size)), ...field(e.sha256.toLowerCase()));
  parts.push(new Uint8Array([e.detail === undefined ? 0 : 1]), ...field(e.detail ?? ''));
  parts.push(new Uint8Array([e.truncated ? 1 : 0]));
  if (e.children) parts.push(listDigest(e.children));
  return hashParts(parts);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** Digest of a list of siblings: sorted by (UTF-8 path, entry digest), so input order never matters. */
export function listDigest(entries: readonly ManifestEntry[]): Uint8Array {
  const items = entries.map((e) => ({ key: utf8ToBytes(e.path), digest: entryDigest(e) }));
  items.sort((x, y) => compareBytes(x.key, y.key) || compareBytes(x.digest, y.digest));
  return hashParts([DOMAIN, new Uint8Array([TAG_LIST]), u32(items.length), ...items.map((i) => i.digest)]);
}

/**
 * Merkle-style root of a manifest, 64 lowercase hex. Deterministic and independent of the order
 * of siblings. The attestor computes it over the full manifest *before* boundManifest, so it
 * commits to the levels a bounded manifest leaves out: recomputing it from a manifest is only
 * expected to give the stated root when no entry is `truncated`.
 */
export function manifestRoot(entries: readonly ManifestEntry[]): string {
  return bytesToHex(listDigest(entries));
}

// ---------------------------------------------------------------- bound

export interface BoundedManifest {
  entries: ManifestEntry[];
  /** True when anything was dropped; the entries that lost children carry `truncated: true`. */
  truncated: boolean;
  /** UTF-8 JSON size of `entries` after bounding. */
  bytes: number;
  /** Number of entries (at any depth) that were dropped. */
  droppedEntries: number;
}

const utf8Length = (s: string): number => utf8ToBytes(s).length;
const jsonBytes = (v: unknown): number => utf8Length(JSON.stringify(v));

function countEntries(entries: readonly ManifestEntry[] | undefined): number {
  let n = 0;
  for (const e of entries ?? []) n += 1 + countEntries(e.children);
  return n;
}

function cloneTree(entries: readonly ManifestEntry[]): ManifestEntry[] {
  return entries.map((e) => (e.children ? { ...e, children: cloneTree(e.children) } : { ...e }));
}

/**
 * Fit a manifest into `maxBytes` of UTF-8 JSON by dropping the deepest levels first: at the
 * deepest level, the children of the last parents go first (each such parent gets
 * `truncated: true`), then the next level up. If the top level alone is still too large, its
 * tail is replaced by one `(N more entries)` entry (kind `other`, `truncated: true`).
 * Also keeps within the protocol's entry count and depth (LIMITS.manifestEntries/manifestDepth)
 * unless told otherwise. Never modifies its input.
 */
export function boundManifest(
  entries: readonly ManifestEntry[],
  maxBytes: number,
  limits: { maxEntries?: number; maxDepth?: number } = {},
): BoundedManifest {
  const maxEntries = limits.maxEntries ?? LIMITS.manifestEntries;
  const maxDepth = limits.maxDepth ?? LIMITS.manifestDepth;
  const out = cloneTree(entries);
  let bytes = jsonBytes(out);
  let count = countEntries(out);
  const depthOf = (list: readonly ManifestEntry[] | undefined): number =>
    list && list.length ? 1 + Math.max(...list.map((e) => depthOf(e.children))) : 0;
  if (bytes <= maxBytes && count <= maxEntries && depthOf(out) <= maxDepth) {
    return { entries: out, truncated: false, bytes, droppedEntries: 0 };
  }
  let dropped = 0;

  // parents[d] = entries at depth d (top = 1) that have children, in document order.
  const byDepth: ManifestEntry[][] = [];
  const walk = (list: ManifestEntry[], depth: number) => {
    for (const e of list) {
      if (!e.children) continue;
      (byDepth[depth] ??= []).push(e);
      walk(e.children, depth + 1);
    }
  };
  walk(out, 1);

  // Over budget while too big, too many entries, or children would sit deeper than maxDepth.
  const over = (d: number) => bytes > maxBytes || count > maxEntries || d >= maxDepth;
  for (let d = byDepth.length - 1; d >= 1 && over(d); d--) {
    const parents = byDepth[d] ?? [];
    for (let i = parents.length - 1; i >= 0 && over(d); i--) {
      const p = parents[i];
      if (!p.children) continue;
      const before = jsonBytes(p);
      const n = countEntries(p.children);
      dropped += n;
      count -= n;
      delete p.children;
      p.truncated = true;
      bytes += jsonBytes(p) - before;
    }
  }

  if (bytes > maxBytes || count > maxEntries) {
    // Top level alone is too large: keep a prefix and summarise the rest in one entry.
    let keep = out.length;
    const summary = (n: number, rest: ManifestEntry[]): ManifestEntry => ({
      path: `(${n} more entries)`,
      kind: 'other',
      size: rest.reduce((s, e) => s + e.size, 0),
      sha256: manifestRoot(rest),
      truncated: true,
    });
    while (keep > 0) {
      keep--;
      const rest = out.slice(keep);
      const candidate = [...out.slice(0, keep), summary(rest.length, rest)];
      const b = jsonBytes(candidate);
      if ((b <= maxBytes && keep + 1 <= maxEntries) || keep === 0) {
        dropped += rest.length;
        out.splice(keep, out.length - keep, candidate[candidate.length - 1]);
        bytes = b;
        break;
      }
    }
  }
  return { entries: out, truncated: true, bytes, droppedEntries: dropped };
}

// ---------------------------------------------------------------- diff

export type ManifestChange = 'added' | 'removed' | 'changed';

export interface ManifestDifference {
  /** Location from the top of the manifest (the artifact's own name not included). */
  path: string[];
  change: ManifestChange;
  /** The entry on side a / b, without its children (absent on the side that lacks it). */
  a?: ManifestEntry;
  b?: ManifestEntry;
}

export interface ManifestDiff {
  /** Location of the first divergent component, or null when every entry is equal. */
  firstDivergent: string[] | null;
  /** Every differing entry at every depth, parents before their children, in document order. */
  differing: ManifestDifference[];
  /** Locations of changed entries whose children could not be compared (truncated on a side). */
  truncatedAt: string[][];
}

function shallow(e: ManifestEntry): ManifestEntry {
  const { children: _children, ...rest } = e;
  return rest;
}

/** Same component, same bytes: kind, size, sha256 and detail equal. */
export function sameEntry(a: ManifestEntry, b: ManifestEntry): boolean {
  return a.kind === b.kind && a.size === b.size && a.sha256.toLowerCase() === b.sha256.toLowerCase() && a.detail === b.detail;
}

/** Keys by path; repeated paths (a tar may hold a name twice) become `path`, `path#2`, ... */
function keyed(list: readonly ManifestEntry[]): Map<string, ManifestEntry> {
  const m = new Map<string, ManifestEntry>();
  const seen = new Map<string, number>();
  for (const e of list) {
    const n = (seen.get(e.path) ?? 0) + 1;
    seen.set(e.path, n);
    m.set(n === 1 ? e.path : `${e.path}#${n}`, e);
  }
  return m;
}

/**
 * Compare two manifests. Siblings are matched by path; order is that of `a`, then entries only
 * in `b` in b's order. `firstDivergent` is the first differing entry at the top level, refined
 * into its children where both sides have them and some child differs.
 * Work is O(entries of a + entries of b).
 */
export function diffManifests(a: readonly ManifestEntry[], b: readonly ManifestEntry[]): ManifestDiff {
  const differing: ManifestDifference[] = [];
  const truncatedAt: string[][] = [];

  const level = (la: readonly ManifestEntry[], lb: readonly ManifestEntry[], prefix: string[]): string[] | null => {
    const ma = keyed(la);
    const mb = keyed(lb);
    const keys = [...ma.keys(), ...[...mb.keys()].filter((k) => !ma.has(k))];
    let first: string[] | null = null;
    for (const k of keys) {
      const ea = ma.get(k);
      const eb = mb.get(k);
      const path = [...prefix, (ea ?? eb)!.path];
      if (ea && !eb) {
        differing.push({ path, change: 'removed', a: shallow(ea) });
        first ??= path;
        continue;
      }
      if (!ea && eb) {
        differing.push({ path, change: 'added', b: shallow(eb) });
        first ??= path;
        continue;
      }
      const x = ea!;
      const y = eb!;
      const selfDiffers = !sameEntry(x, y);
      if (selfDiffers) differing.push({ path, change: 'changed', a: shallow(x), b: shallow(y) });
      let inner: string[] | null = null;
      if (x.children && y.children) {
        inner = level(x.children, y.children, path);
      } else if (selfDiffers && (x.truncated || y.truncated)) {
        truncatedAt.push(path);
      }
      if (selfDiffers || inner) first ??= inner ?? path;
    }
    return first;
  };

  const firstDivergent = level(a, b, []);
  return { firstDivergent, differing, truncatedAt };
}
