/**
 * From a built artifact (+ what the proposal and the CDN say) to the signed ArtifactResult.
 * The outcome is decided here by comparing hashes, never from a script's exit code.
 */
import type { ArtifactResult, ManifestEntry, Outcome } from '../../../protocol/types.js';
import type { CheckReport } from '../cdn/report.js';
import type { BuiltArtifact } from './result.js';

/** Pure: match iff the local hash equals every hash there is to compare with. */
export function outcomeOf(local: string, proposalSha256: string | null, cdn: { sha256: string }[]): Outcome {
  const others = [...(proposalSha256 ? [proposalSha256.toLowerCase()] : []), ...cdn.map((c) => c.sha256.toLowerCase())];
  if (others.length === 0) return 'not-compared';
  return others.every((h) => h === local.toLowerCase()) ? 'match' : 'mismatch';
}

/** The proposal hash and mirror hashes a check saw for the artifact with this name. */
export function comparisonsFromCheck(
  report: CheckReport | null,
  name: string,
): { proposalSha256: string | null; cdn: { mirror: string; sha256: string }[] } {
  const a = report?.artifacts.find((x) => x.name === name);
  if (!a) return { proposalSha256: null, cdn: [] };
  return {
    proposalSha256: a.proposalSha256,
    cdn: a.mirrors.flatMap((m) => (m.sha256 ? [{ mirror: m.mirror, sha256: m.sha256 }] : [])),
  };
}

export function toArtifactResult(
  built: BuiltArtifact,
  compare: { proposalSha256: string | null; cdn: { mirror: string; sha256: string }[] },
  manifest: { root: string; entries: ManifestEntry[] } | null = null,
): ArtifactResult {
  return {
    name: built.name,
    sha256: built.sha256,
    size: built.size,
    proposalSha256: compare.proposalSha256,
    cdn: compare.cdn,
    outcome: outcomeOf(built.sha256, compare.proposalSha256, compare.cdn),
    manifestRoot: manifest?.root ?? null,
    manifest: manifest?.entries ?? null,
  };
}
