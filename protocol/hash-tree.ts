/**
 * The IC's certified hash tree (interface spec, "Certificate"): the wire tuples the agent decodes,
 * the root hash, lookups that tell found / absent / unknown apart, and witnesses that keep only
 * the requested paths (everything else pruned). One copy for the canister, the replica and the CLI.
 */
import { sha256 } from './sha256.js';
import { asciiBytes, concatBytes, utf8Encode } from './bytes.js';

export type HashTree =
  | [0]
  | [1, HashTree, HashTree]
  | [2, Uint8Array, HashTree]
  | [3, Uint8Array]
  | [4, Uint8Array];

/** Lexicographic byte order, the order of labels in IC hash trees. */
export function compare(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

export const empty = (): HashTree => [0];
export const fork = (l: HashTree, r: HashTree): HashTree => [1, l, r];
export const labeled = (label: Uint8Array, t: HashTree): HashTree => [2, label, t];
export const leaf = (v: Uint8Array): HashTree => [3, v];
export const pruned = (h: Uint8Array): HashTree => [4, h];

/** `len(s) ‖ s`, the interface spec's domain separator (ASCII names only). */
export function domainSep(s: string): Uint8Array {
  return concatBytes(new Uint8Array([s.length]), asciiBytes(s));
}

const EMPTY = domainSep('ic-hashtree-empty');
const FORK = domainSep('ic-hashtree-fork');
const LABELED = domainSep('ic-hashtree-labeled');
const LEAF = domainSep('ic-hashtree-leaf');

/** The hash of each node kind from its parts, for structures that cache subtree hashes. */
export const EMPTY_HASH = sha256(EMPTY);
export const forkHash = (l: Uint8Array, r: Uint8Array): Uint8Array => sha256(concatBytes(FORK, l, r));
export const labeledHash = (label: Uint8Array, child: Uint8Array): Uint8Array => sha256(concatBytes(LABELED, label, child));
export const leafHash = (v: Uint8Array): Uint8Array => sha256(concatBytes(LEAF, v));

export function rootHash(t: HashTree): Uint8Array {
  switch (t[0]) {
    case 0: return EMPTY_HASH;
    case 1: return forkHash(rootHash(t[1]), rootHash(t[2]));
    case 2: return labeledHash(t[1], rootHash(t[2]));
    case 3: return leafHash(t[1]);
    case 4: return t[1];
  }
}

/**
 * The replica's state as labeled data: a leaf value, or children keyed by label.
 * Built fresh for each certificate; labels are sorted when the tree is made.
 */
export type StateNode = Uint8Array | StateChildren;
export type StateChildren = Array<[Uint8Array, StateNode]>;

/** A label from text (UTF-8) or bytes. */
export const label = (l: string | Uint8Array): Uint8Array => (typeof l === 'string' ? utf8Encode(l) ?? asciiBytes(l) : l);

/** A path of labels, as read_state receives them. */
export type Path = Uint8Array[];

/** The full tree of a state node (nothing pruned). */
export function fullTree(node: StateNode): HashTree {
  if (node instanceof Uint8Array) return leaf(node);
  return balanced(sorted(node).map(([l, child]) => labeled(l, fullTree(child))));
}

function sorted(children: StateChildren): StateChildren {
  return [...children].sort((a, b) => compare(a[0], b[0]));
}

/** Forks over labeled subtrees in label order, halves at each level (any shape is valid). */
function balanced(items: HashTree[]): HashTree {
  if (items.length === 0) return empty();
  if (items.length === 1) return items[0];
  const mid = Math.ceil(items.length / 2);
  return fork(balanced(items.slice(0, mid)), balanced(items.slice(mid)));
}

/**
 * A witness for `paths`: each requested path's subtree in full; for a requested label that is
 * absent, its neighbours stay visible (labels with pruned subtrees) so the absence is provable;
 * everything else is pruned to its hash. The root hash equals that of fullTree(node).
 */
export function witness(node: StateNode, paths: Path[]): HashTree {
  if (paths.some((p) => p.length === 0)) return fullTree(node);
  if (paths.length === 0) return pruned(rootHash(fullTree(node)));
  if (node instanceof Uint8Array) return leaf(node); // a path below a leaf: show the leaf
  const children = sorted(node);
  // What to keep at this level: index → the rest of the paths through that child (null = neighbour).
  const keep = new Map<number, Path[] | null>();
  for (const p of paths) {
    const want = p[0];
    const i = children.findIndex(([l]) => compare(l, want) === 0);
    if (i >= 0) {
      const rest = keep.get(i);
      keep.set(i, [...(rest ?? []), p.slice(1)]);
    } else {
      // Absent: keep the nearest labels on both sides.
      const after = children.findIndex(([l]) => compare(l, want) > 0);
      const neighbours = after < 0 ? [children.length - 1] : [after - 1, after];
      for (const n of neighbours) if (n >= 0 && !keep.has(n)) keep.set(n, null);
    }
  }
  const build = (lo: number, hi: number): HashTree => {
    if (hi - lo === 0) return empty();
    let any = false;
    for (let i = lo; i < hi; i++) if (keep.has(i)) { any = true; break; }
    if (!any) return pruned(rootHash(balanced(children.slice(lo, hi).map(([l, c]) => labeled(l, fullTree(c))))));
    if (hi - lo === 1) {
      const [l, c] = children[lo];
      const rest = keep.get(lo);
      return labeled(l, rest ? witness(c, rest) : pruned(rootHash(fullTree(c))));
    }
    const mid = lo + Math.ceil((hi - lo) / 2);
    return fork(build(lo, mid), build(mid, hi));
  };
  return build(0, children.length);
}

/**
 * Looks a path up in a (possibly pruned) tree, using label order to prove absence. Unlike the
 * agent's lookup_path, a label hidden in a pruned subtree is 'unknown', never 'absent'.
 */
export function lookup(t: HashTree, path: Path): Uint8Array | 'absent' | 'unknown' {
  if (path.length === 0) return t[0] === 3 ? t[1] : t[0] === 4 ? 'unknown' : 'absent';
  const found = findLabel(t, path[0]);
  if (found === 'unknown') return 'unknown';
  if (found === 'less' || found === 'greater' || found === 'absent') return 'absent';
  return lookup(found, path.slice(1));
}

/** 'less': every label here is greater than l; 'greater': every label here is smaller. */
type Found = HashTree | 'absent' | 'unknown' | 'less' | 'greater';
function findLabel(t: HashTree, l: Uint8Array): Found {
  switch (t[0]) {
    case 2: {
      const c = compare(l, t[1]);
      return c === 0 ? t[2] : c < 0 ? 'less' : 'greater';
    }
    case 1: {
      const left = findLabel(t[1], l);
      if (left !== 'greater' && left !== 'unknown') return left;
      const right = findLabel(t[2], l);
      if (right === 'less') return left === 'unknown' ? 'unknown' : 'absent';
      return right;
    }
    case 4: return 'unknown';
    default: return 'absent';
  }
}
