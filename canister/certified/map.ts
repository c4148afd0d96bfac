/**
 * A certified map: byte-string keys → subtrees, as one level of an IC hash tree whose forks are
 * a treap. Setting a key rehashes only the nodes on its path (O(log n) expected), so the
 * canister can keep per-proposal certified values for thousands of proposals and still update
 * one per write. In-order traversal is key order, which is what hash-tree lookups require.
 * Priorities come from the key alone, so the shape depends only on the set of keys.
 */
import { compare } from '../../protocol/hash-tree.js';
import { EMPTY, fork, labeled, type Node } from './tree.js';

interface Entry {
  key: Uint8Array;
  prio: number;
  value: Node;
  /** labeled(key, value), cached. */
  lab: Node;
  left: Entry | null;
  right: Entry | null;
  /** This entry's subtree: forks over left, lab, right. */
  sub: Node;
}

/** FNV-1a: cheap, deterministic; balance only needs keys to spread, not secrecy. */
function priority(key: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key[i], 0x01000193) >>> 0;
  return h;
}

function make(key: Uint8Array, prio: number, value: Node, lab: Node, left: Entry | null, right: Entry | null): Entry {
  let sub = lab;
  if (right !== null) sub = fork(sub, right.sub);
  if (left !== null) sub = fork(left.sub, sub);
  return { key, prio, value, lab, left, right, sub };
}

const withChildren = (e: Entry, left: Entry | null, right: Entry | null): Entry => make(e.key, e.prio, e.value, e.lab, left, right);

function insert(e: Entry | null, key: Uint8Array, value: Node): Entry {
  if (e === null) return make(key, priority(key), value, labeled(key, value), null, null);
  const c = compare(key, e.key);
  if (c === 0) return make(e.key, e.prio, value, labeled(e.key, value), e.left, e.right);
  if (c < 0) {
    const l = insert(e.left, key, value);
    if (l.prio > e.prio) return withChildren(l, l.left, withChildren(e, l.right, e.right)); // rotate right
    return withChildren(e, l, e.right);
  }
  const r = insert(e.right, key, value);
  if (r.prio > e.prio) return withChildren(r, withChildren(e, e.left, r.left), r.right); // rotate left
  return withChildren(e, e.left, r);
}

export class CertifiedMap {
  private root: Entry | null = null;
  private count = 0;

  set(key: Uint8Array, value: Node): void {
    if (this.get(key) === undefined) this.count++;
    this.root = insert(this.root, key, value);
  }

  get(key: Uint8Array): Node | undefined {
    let e = this.root;
    while (e !== null) {
      const c = compare(key, e.key);
      if (c === 0) return e.value;
      e = c < 0 ? e.left : e.right;
    }
    return undefined;
  }

  get size(): number {
    return this.count;
  }

  /** The level as a hash-tree node (EMPTY when the map is empty). */
  node(): Node {
    return this.root?.sub ?? EMPTY;
  }
}
