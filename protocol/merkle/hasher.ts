/** How tree nodes are hashed (RFC 9162 §2.1.1), kept apart so proofs and storage never hash by hand. */
import { sha256 } from '../sha256.js';
import { concatBytes } from '../bytes.js';

export interface LogHasher {
  /** Digest length in bytes; verifiers refuse proof nodes and roots of any other length. */
  readonly size: number;
  /** MTH({}) */
  emptyRoot(): Uint8Array;
  /** MTH({d}) = HASH(0x00 || d) */
  hashLeaf(data: Uint8Array): Uint8Array;
  /** HASH(0x01 || left || right) */
  hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array;
}

// No top-level calls: importing this module costs nothing (and bundlers can drop it) until used.
/** RFC 9162 with SHA-256: the same tree as Certificate Transparency (RFC 6962). */
export const RFC9162_SHA256: LogHasher = {
  size: 32,
  emptyRoot: () => sha256(new Uint8Array(0)),
  hashLeaf: (data: Uint8Array) => sha256(concatBytes(new Uint8Array([0x00]), data)),
  hashChildren: (left: Uint8Array, right: Uint8Array) => sha256(concatBytes(new Uint8Array([0x01]), left, right))
};
