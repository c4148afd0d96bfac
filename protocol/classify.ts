/**
 * What kind of difference one differing manifest entry is: content, timestamp only, mode/owner
 * only, sparse layout only, other metadata, added or removed. Tar entries carry
 * `mode=… owner=u:g mtime=… [link=…] [sparse=<hole-map digest>]` in `detail` (attestor/manifest/tar.ts);
 * equal sha256 and size mean the same bytes (holes read as zeros), so only `detail` is left.
 */
import type { ManifestDifference } from './manifest.js';

export type ChangeClass = 'content' | 'timestamp' | 'mode-owner' | 'sparse' | 'metadata' | 'added' | 'removed';

export const CHANGE_WORDS: Record<ChangeClass, string> = {
  content: 'content',
  timestamp: 'timestamp only',
  'mode-owner': 'mode/owner only',
  sparse: 'sparse layout only',
  metadata: 'metadata only',
  added: 'added',
  removed: 'removed',
};

/** `mode=644 owner=0:0 mtime=0 sparse=ab12` → {mode, owner, mtime, sparse}; unkeyed words under `_`. */
export function detailFields(detail: string | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const w of (detail ?? '').split(' ')) {
    if (!w) continue;
    const i = w.indexOf('=');
    if (i > 0) m.set(w.slice(0, i), w.slice(i + 1));
    else m.set('_', `${m.get('_') ?? ''} ${w}`.trim());
  }
  return m;
}

const GROUPS: [ChangeClass, string[]][] = [
  ['timestamp', ['mtime']],
  ['mode-owner', ['mode', 'owner']],
  ['sparse', ['sparse']],
];

export function classifyDifference(d: ManifestDifference): ChangeClass {
  if (d.change === 'added' || d.change === 'removed') return d.change;
  const a = d.a!;
  const b = d.b!;
  if (a.sha256 !== b.sha256 || a.size !== b.size || a.kind !== b.kind) return 'content';
  const fa = detailFields(a.detail);
  const fb = detailFields(b.detail);
  const keys = new Set([...fa.keys(), ...fb.keys()]);
  const differing = [...keys].filter((k) => fa.get(k) !== fb.get(k));
  for (const [cls, fields] of GROUPS) if (differing.length > 0 && differing.every((k) => fields.includes(k))) return cls;
  return 'metadata';
}

/**
 * The differences that say something by themselves: an entry whose own bytes differ only
 * because a child differs (disk.img around a changed partition) is left out when the child is listed.
 */
export function leafDifferences(differing: readonly ManifestDifference[]): ManifestDifference[] {
  const key = (p: readonly string[]) => JSON.stringify(p);
  const parents = new Set<string>();
  for (const d of differing) for (let i = 1; i < d.path.length; i++) parents.add(key(d.path.slice(0, i)));
  return differing.filter((d) => !parents.has(key(d.path)));
}

const ORDER = Object.keys(CHANGE_WORDS) as ChangeClass[];

/** `1 entry differs: timestamp only` / `3 entries differ: 2 content, 1 timestamp only`. */
export function summariseDifferences(differing: readonly ManifestDifference[]): string {
  const leaves = leafDifferences(differing);
  if (leaves.length === 0) return 'no entry differs';
  const counts = new Map<ChangeClass, number>();
  for (const d of leaves) {
    const c = classifyDifference(d);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  const head = `${leaves.length} entr${leaves.length === 1 ? 'y differs' : 'ies differ'}`;
  const parts = [...counts.entries()].sort((x, y) => y[1] - x[1] || ORDER.indexOf(x[0]) - ORDER.indexOf(y[0])).map(([c, n]) => (counts.size === 1 ? CHANGE_WORDS[c] : `${n} ${CHANGE_WORDS[c]}`));
  return `${head}: ${parts.join(', ')}`;
}
