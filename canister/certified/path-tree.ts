/**
 * Nested certified maps addressed by label paths: the shape of `http_expr` (one level per URL
 * segment, then `<$>` or `<*>`). Setting a path updates the maps along it, O(depth · log n).
 */
import { bytesToHex } from '../../protocol/bytes.js';
import { CertifiedMap } from './map.js';
import type { Node } from './tree.js';

export class PathTree {
  private readonly entries = new CertifiedMap();
  private readonly dirs = new Map<string, PathTree>();

  set(labels: Uint8Array[], value: Node): void {
    if (labels.length === 0) throw new Error('PathTree.set needs at least one label');
    if (labels.length === 1) {
      this.entries.set(labels[0], value);
      return;
    }
    const key = bytesToHex(labels[0]);
    let dir = this.dirs.get(key);
    if (dir === undefined) {
      dir = new PathTree();
      this.dirs.set(key, dir);
    }
    dir.set(labels.slice(1), value);
    this.entries.set(labels[0], dir.node());
  }

  node(): Node {
    return this.entries.node();
  }
}
