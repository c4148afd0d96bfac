/** The attestation protocol: one entry point for the canister, the attestor and third parties. */
export * from './types.js';
export { ProtocolError, type ErrorKind, type Result } from './errors.js';
export { LIMITS } from './limits.js';
export { canonicalJson } from './canonical.js';
export { pae } from './dsse.js';
export { base64Decode, base64Encode, bytesToHex, utf8Decode, utf8Encode } from './bytes.js';
export {
  principalOfPublicKey,
  publicKeyFromDer,
  signerFromSecretKey,
  verifySignature,
  warmUpSignatures,
  type KeyType,
  type PublicKey,
  type Signer
} from './keys.js';
export { encodeStatement, parseEnvelope, signEnvelope, verifyEnvelope, type VerifiedEnvelope } from './envelope.js';
export { validateStatement } from './validate.js';
export { ARTIFACTS_BY_OS, computeOutcome } from './artifacts.js';
export {
  computeConsensus,
  latestPerReviewer,
  outcomeOf,
  verdictOfOutcome,
  type ConsensusCounts,
  type Outcome,
  type ArtifactConsensus,
  type AttestationRecord,
  type ConsensusOptions,
  type HashGroup,
  type OsConsensus,
  type ProposalConsensus,
  type ReviewerRef,
  type Verdict
} from './consensus.js';
export * from './merkle/index.js';
