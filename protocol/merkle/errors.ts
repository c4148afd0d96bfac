/** Typed Merkle errors, shaped like ProtocolError: a kind, the field at fault, and why. */
import type { Result } from '../errors.js';

export type MerkleErrorKind =
  /** A leaf index at or beyond the tree size (or an empty tree). */
  | 'index-out-of-range'
  /** Sizes that are not safe non-negative integers, or size1 > size2. */
  | 'bad-sizes'
  /** A proof with more or fewer nodes than RFC 9162 prescribes for these sizes. */
  | 'wrong-proof-size'
  /** A hash (proof node, leaf hash, root) that is not the hasher's digest length. */
  | 'malformed-hash'
  /** The proof does not lead to the given root. */
  | 'root-mismatch'
  /** Prover side: a range whose MTH cannot be built from aligned perfect nodes. */
  | 'bad-range'
  /** Prover side: the node store lacks a node that an append-only log must hold. */
  | 'missing-node';

export class MerkleError extends Error {
  readonly kind: MerkleErrorKind;
  /** The argument at fault, e.g. `proof[2]`, `root2`, `index`. */
  readonly field?: string;

  constructor(kind: MerkleErrorKind, message: string, field?: string) {
    super(field === undefined ? message : `${field}: ${message}`);
    this.name = 'MerkleError';
    this.kind = kind;
    if (field !== undefined) this.field = field;
  }
}

export type MerkleResult<T> = Result<T, MerkleError>;

export function merkleFail(kind: MerkleErrorKind, message: string, field?: string): { ok: false; error: MerkleError } {
  return { ok: false, error: new MerkleError(kind, message, field) };
}
