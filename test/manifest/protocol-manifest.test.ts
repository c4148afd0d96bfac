import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  boundManifest,
  diffManifests,
  entryDigest,
  formatManifestPath,
  manifestRoot,
  OUTSIDE_PARTITIONS,
} from '../../protocol/manifest.js';
import type { ManifestEntry } from '../../protocol/types.js';
import { validateStatement } from '../../protocol/validate.js';
import { statementWith } from './fixtures.js';

const H = (c: string) => c.repeat(64).slice(0, 64);
const file = (path: string, c: string, extra: Partial<ManifestEntry> = {}): ManifestEntry => ({ path, kind: 'file', size: 10, sha256: H(c), ...extra });

function shuffleDeep(list: ManifestEntry[], rnd: () => number): ManifestEntry[] {
  const out = list.map((e) => (e.children ? { ...e, children: shuffleDeep(e.children, rnd) } : { ...e }));
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const disk = (changed?: string): ManifestEntry[] => [
  file('boot.img', '1'),
  {
    ...file('disk.img', changed ? '9' : '2'),
    children: [
      { path: 'esp', kind: 'partition', size: 5, sha256: H('3'), detail: 'type=X' },
      { path: 'A_root', kind: 'partition', size: 5, sha256: H(changed === 'A_root' ? 'e' : '4'), detail: 'type=Y' },
      { path: 'A_var', kind: 'partition', size: 5, sha256: H(changed === 'A_var' ? 'f' : '5'), detail: 'type=Y' },
      { path: OUTSIDE_PARTITIONS, kind: 'other', size: 5, sha256: H('6') },
    ],
  },
  file('version.txt', '7'),
];

describe('manifestRoot', () => {
  it('is 64 hex, stable, and independent of the order of siblings at every depth', () => {
    const m = disk();
    const root = manifestRoot(m);
    assert.match(root, /^[0-9a-f]{64}$/);
    assert.equal(manifestRoot(structuredClone(m)), root);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        let x = seed;
        const rnd = () => ((x = (x * 48271) % 2147483647) / 2147483647);
        assert.equal(manifestRoot(shuffleDeep(m, rnd)), root);
      }),
      { numRuns: 50 },
    );
  });

  it('changes with any field, at any depth', () => {
    const root = manifestRoot(disk());
    assert.notEqual(manifestRoot(disk('A_var')), root);
    const variants: ((m: ManifestEntry[]) => void)[] = [
      (m) => (m[0].size = 11),
      (m) => (m[0].path = 'boot2.img'),
      (m) => (m[0].kind = 'other'),
      (m) => (m[0].detail = 'mode=0644'),
      (m) => (m[1].children![1].detail = 'type=Z'),
      (m) => (m[1].truncated = true),
      (m) => m.pop(),
    ];
    for (const change of variants) {
      const m = disk();
      change(m);
      assert.notEqual(manifestRoot(m), root);
    }
  });

  it('separates leaves from nodes: an entry with no children differs from one with an empty list', () => {
    const leaf = file('a', '1');
    assert.notEqual(Buffer.from(entryDigest(leaf)).toString('hex'), Buffer.from(entryDigest({ ...leaf, children: [] })).toString('hex'));
    assert.notEqual(manifestRoot([]), manifestRoot([{ ...leaf, children: [] }]));
  });
});

describe('formatManifestPath', () => {
  it('joins the artifact file name and the components with ›', () => {
    assert.equal(formatManifestPath(['root.img'], 'guestos/update-img.tar.zst'), 'update-img.tar.zst › root.img');
    assert.equal(formatManifestPath(['disk.img', 'A_root']), 'disk.img › A_root');
  });
});

describe('boundManifest', () => {
  const deep = (): ManifestEntry[] =>
    Array.from({ length: 4 }, (_, i) => ({
      ...file(`p${i}.img`, String(i)),
      children: Array.from({ length: 10 }, (_, j) => ({
        ...file(`p${i}/f${j}`, 'a'),
        children: Array.from({ length: 10 }, (_, k) => file(`p${i}/f${j}/g${k}`, 'b')),
      })),
    }));

  it('keeps a manifest that fits untouched', () => {
    const m = disk();
    const b = boundManifest(m, 1 << 20);
    assert.equal(b.truncated, false);
    assert.deepEqual(b.entries, m);
  });

  it('drops the deepest level first, marks the parents truncated, and never touches its input', () => {
    const m = deep();
    const before = JSON.stringify(m);
    const full = Buffer.byteLength(before);
    const b = boundManifest(m, Math.floor(full / 2));
    assert.equal(JSON.stringify(m), before);
    assert.ok(b.truncated);
    assert.ok(b.bytes <= full / 2);
    assert.equal(b.bytes, Buffer.byteLength(JSON.stringify(b.entries)));
    // Level 2 remains for every top entry; some level-3 lists were dropped (last parents first).
    for (const top of b.entries) assert.equal(top.children!.length, 10);
    const level2 = b.entries.flatMap((t) => t.children!);
    const cut = level2.filter((e) => e.truncated);
    assert.ok(cut.length > 0 && cut.every((e) => e.children === undefined));
    assert.ok(level2[0].children, 'the first parents keep their children');
    assert.ok(level2[level2.length - 1].truncated, 'the last parents lose theirs first');
    assert.ok(b.droppedEntries >= cut.length * 10);
  });

  it('goes up a level once the deepest is gone, then summarises the top level', () => {
    const m = deep();
    const small = boundManifest(m, 1200);
    assert.ok(small.bytes <= 1200);
    assert.ok(small.entries.every((e) => !e.children || e.children.every((c) => !c.children)));
    const tiny = boundManifest(m, 300);
    assert.ok(tiny.bytes <= 300, `${tiny.bytes}`);
    const last = tiny.entries[tiny.entries.length - 1];
    assert.match(last.path, /^\(\d+ more entries\)$/);
    assert.equal(last.kind, 'other');
    assert.equal(last.truncated, true);
  });

  it('produces manifests the protocol validator accepts', () => {
    const b = boundManifest(deep(), 4000);
    const st = statementWith({ manifest: b.entries, manifestRoot: manifestRoot(deep()) });
    const r = validateStatement(st);
    assert.ok(r.ok, r.ok ? '' : r.error.message);
  });
});

describe('diffManifests', () => {
  it('returns nothing for equal manifests, whatever their order', () => {
    const d = diffManifests(disk(), [...disk()].reverse());
    assert.equal(d.firstDivergent, null);
    assert.deepEqual(d.differing, []);
  });

  it('descends into children to the first divergent partition and lists every differing entry', () => {
    const d = diffManifests(disk(), disk('A_root'));
    assert.deepEqual(d.firstDivergent, ['disk.img', 'A_root']);
    assert.deepEqual(d.differing.map((x) => [x.path, x.change]), [
      [['disk.img'], 'changed'],
      [['disk.img', 'A_root'], 'changed'],
    ]);
    assert.equal(d.differing[0].a!.children, undefined, 'entries come without their children');
  });

  it('reports added and removed entries, and the first in order', () => {
    const a = [file('a', '1'), file('b', '2'), file('c', '3')];
    const b = [file('a', '1'), file('c', '4'), file('d', '5')];
    const d = diffManifests(a, b);
    assert.deepEqual(d.firstDivergent, ['b']);
    assert.deepEqual(d.differing.map((x) => [x.path.join('/'), x.change]), [['b', 'removed'], ['c', 'changed'], ['d', 'added']]);
  });

  it('takes the first differing top-level entry in order, then refines it into its children', () => {
    const a = disk('A_root');
    const b = disk();
    b[0] = file('boot.img', '8');
    const d = diffManifests(a, b);
    assert.deepEqual(d.firstDivergent, ['boot.img']);
  });

  it('stops at a truncated entry and says so', () => {
    const a = disk();
    const b = disk('A_var');
    delete b[1].children;
    b[1].truncated = true;
    const d = diffManifests(a, b);
    assert.deepEqual(d.firstDivergent, ['disk.img']);
    assert.deepEqual(d.truncatedAt, [['disk.img']]);
  });

  it('reports a detail-only change (same content, other metadata)', () => {
    const d = diffManifests([file('root.img', '1', { detail: 'mode=0644 sparse=aa' })], [file('root.img', '1', { detail: 'mode=0644 sparse=bb' })]);
    assert.deepEqual(d.firstDivergent, ['root.img']);
    assert.equal(d.differing[0].change, 'changed');
  });
});

describe('boundManifest: protocol limits', () => {
  it('keeps within the entry count and depth limits even with bytes to spare', () => {
    const chain = (depth: number): ManifestEntry => (depth === 1 ? file(`d${depth}`, 'a') : { ...file(`d${depth}`, 'a'), children: [chain(depth - 1)] });
    const deep = boundManifest([chain(12)], 1 << 20);
    let depth = 0;
    for (let l: ManifestEntry[] | undefined = deep.entries; l; l = l[0].children) depth++;
    assert.equal(depth, 8);
    assert.ok(deep.truncated);

    const wide = Array.from({ length: 30 }, (_, i) => ({ ...file(`p${i}`, 'b'), children: Array.from({ length: 100 }, (_, j) => file(`c${j}`, 'c')) }));
    const b = boundManifest(wide, 1 << 22);
    const count = (l: ManifestEntry[] | undefined): number => (l ?? []).reduce((n, e) => n + 1 + count(e.children), 0);
    assert.ok(count(b.entries) <= 2000, String(count(b.entries)));
    assert.ok(b.entries.slice(0, 10).every((e) => e.children?.length === 100), 'the first parents keep their children');
    assert.ok(b.entries[29].truncated);
  });
});

describe('diffManifests: properties', () => {
  const entryArb = (path: string) =>
    fc.record({ size: fc.nat({ max: 1e9 }), sha: fc.constantFrom('1', '2', '3', '4', '5'), detail: fc.option(fc.constantFrom('mode=0644', 'mode=0755'), { nil: undefined }) }).map(
      ({ size, sha, detail }): ManifestEntry => ({ path, kind: 'file', size, sha256: H(sha), ...(detail ? { detail } : {}) }),
    );
  const tree = fc.tuple(fc.array(entryArb('x'), { minLength: 1, maxLength: 6 }), fc.array(fc.array(entryArb('y'), { maxLength: 4 }), { minLength: 6, maxLength: 6 })).map(([tops, kids]) =>
    tops.map((e, i) => {
      const children = kids[i].map((k, j) => ({ ...k, path: `c${j}` }));
      return children.length ? { ...e, path: `t${i}`, children } : { ...e, path: `t${i}` };
    }),
  );

  it('finds exactly the one mutated entry, at any depth', () => {
    fc.assert(
      fc.property(tree, fc.nat(), (m, pick) => {
        const flat: string[][] = [];
        for (const e of m) {
          flat.push([e.path]);
          for (const c of e.children ?? []) flat.push([e.path, c.path]);
        }
        const target = flat[pick % flat.length];
        const b = structuredClone(m);
        let node = b.find((e) => e.path === target[0])!;
        if (target.length === 2) node = node.children!.find((c) => c.path === target[1])!;
        node.sha256 = H('f');
        const d = diffManifests(m, b);
        assert.deepEqual(d.firstDivergent, target);
        assert.deepEqual(d.differing.map((x) => x.path), [target]);
        assert.notEqual(manifestRoot(m), manifestRoot(b));
        assert.equal(diffManifests(m, structuredClone(m)).firstDivergent, null);
      }),
      { numRuns: 200 },
    );
  });
});
