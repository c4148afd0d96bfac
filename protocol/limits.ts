/**
 * Size limits. They bound what the canister stores and hashes (SHA-256 costs ≈ 24 K instructions
 * per byte there), and what a report must render. The envelope limit is the one that matters;
 * the others make each rejection say which field is too big.
 */
export const LIMITS = {
  /** Whole envelope as canonical JSON, UTF-8. */
  envelopeBytes: 65536,
  /** Signatures per envelope: one signer, one signature. */
  signatures: 1,
  /** Artifacts (and subjects) per statement. */
  artifacts: 8,
  /** CDN mirrors per artifact. */
  cdnMirrors: 8,
  /** Manifest entries per artifact, counted over the whole tree. */
  manifestEntries: 2000,
  /** Nesting depth of a manifest tree (top level = 1). */
  manifestDepth: 8,
  /** Temp directories in the environment record. */
  tempDirs: 16,
  /** Files that define the build, hashed in a v2 environment record. */
  buildFiles: 32,
  /** Arguments of the recorded command line. */
  commandLineArgs: 64,
  /** Maximum length (UTF-16 code units) of free-text strings, by purpose. */
  shortString: 128,
  longString: 1024,
  /** A manifest entry's path (its name within its parent) and its detail text. */
  manifestPath: 512,
  manifestDetail: 128,
  /** Longest host name (DNS). */
  hostName: 253,
  /**
   * Nesting of arrays and objects (`[]` = 1) that canonicalJson writes and parsers accept
   * (json-depth.ts; guards against cycles and stack exhaustion). Statements nest ~20 deep.
   */
  jsonDepth: 32
} as const;
