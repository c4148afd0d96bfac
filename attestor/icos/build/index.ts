/** The `build` command's core, in the order the CLI calls it. */
export { checkPrerequisites, evaluatePrerequisites, prerequisiteWarnings, type PrerequisiteReport, type MissingPrerequisite } from './prerequisites.js';
export { prepareRepo, repoDirFor, DEFAULT_IC_REPO, type RepoError, type RepoResult } from './repo.js';
export { detectLayout, icosFlag, CHECKER_PATHS, BUILD_SCRIPTS, type BuildLayout, type Era } from './layout.js';
export { runBuild, layoutAt, type RunBuildOptions, type RunBuildResult, type BuildError } from './run.js';
export { BUILD_RESULT_SCHEMA, type BuildResultFile, type BuiltArtifact } from './result.js';
export { toArtifactResult, outcomeOf, comparisonsFromCheck } from './artifact-result.js';
