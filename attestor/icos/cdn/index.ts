/** The `check` command's core. */
export { checkProposal, evaluateArtifact, defaultOsList, type CheckOptions } from './check.js';
export { parseSha256Sums, findSum, type SumsLine } from './sha256sums.js';
export { CDN_LAYOUTS, DEFAULT_MIRRORS, cdnFileUrl, cdnDirUrl, mirrorName, artifactName, chooseArtifactFile } from './layout.js';
export { parseLaunchMeasurements, measurementToHex, normaliseMeasurements, sameMeasurements } from './measurements.js';
export * from './report.js';
export type { ElectionProposalLike } from './proposal-shape.js';
