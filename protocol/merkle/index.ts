/** RFC 9162 Merkle log core: hashing, stored-node ranges and proofs (prover), verification. */
export { MerkleError, type MerkleErrorKind, type MerkleResult } from './errors.js';
export { RFC9162_SHA256, type LogHasher } from './hasher.js';
export {
  appendNodes,
  consistencyProof,
  consistencyProofRanges,
  inclusionProof,
  inclusionProofRanges,
  rangeNodes,
  rangeRoot,
  root,
  type LeafRange,
  type NodeGetter,
  type NodeId,
  type StoredNode
} from './ranges.js';
export { rootFromConsistencyProof, rootFromInclusionProof, verifyConsistency, verifyInclusion } from './verify.js';
