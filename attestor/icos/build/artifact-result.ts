/**
 * From a built artifact (+ what the proposal and the CDN say) to the signed ArtifactResult.
 * The outcome is decided here by comparing hashes, never from a script's exit code.
 */
import { measurementsOutcome } from '../../../protocol/artifact-evidence.js';
import type { ArtifactLaunchMeasurements, ArtifactProvenance, ArtifactResult, ManifestEntry, Outcome } from '../../../protocol/types.js';
import { sameMeasurements } from '../cdn/measurements.js';
import type { CheckReport } from '../cdn/report.js';
import type { BuiltArtifact } from './result.js';

/** Pure: match iff the local hash equals every hash there is to compare with. */
export function outcomeOf(local: string, proposalSha256: string | null, cdn: { sha256: string }[]): Outcome {
  const others = [...(proposalSha256 ? [proposalSha256.toLowerCase()] : []), ...cdn.map((c) => c.sha256.toLowerCase())];
  if (others.length === 0) return 'not-compared';
  return others.every((h) => h === local.toLowerCase()) ? 'match' : 'mismatch';
}

export interface Comparisons {
  proposalSha256: string | null;
  cdn: { mirror: string; sha256: string }[];
  /** From the check's provenance step, when it ran. */
  provenance?: ArtifactProvenance;
  /** The check's launch measurements for this OS: each mirror's document, the proposal's values. */
  measurements?: { cdn: { mirror: string; canonicalSha256: string }[]; proposal: string[] };
}

/** The proposal hash and mirror hashes a check saw for the artifact with this name. */
export function comparisonsFromCheck(report: CheckReport | null, name: string): Comparisons {
  const a = report?.artifacts.find((x) => x.name === name);
  if (!a) return { proposalSha256: null, cdn: [] };
  const out: Comparisons = {
    proposalSha256: a.proposalSha256,
    cdn: a.mirrors.flatMap((m) => (m.sha256 ? [{ mirror: m.mirror, sha256: m.sha256 }] : [])),
  };
  if (a.provenance) {
    const verified = a.provenance.mirrors.find((m) => m.status === 'verified' && m.signer);
    out.provenance = { status: a.provenance.status, subject: a.provenance.subject, signer: a.provenance.status === 'verified' && verified?.signer ? verified.signer : null };
  }
  if (a.launchMeasurements) {
    out.measurements = {
      cdn: a.launchMeasurements.mirrors.flatMap((m) => (m.canonicalSha256 ? [{ mirror: m.mirror, canonicalSha256: m.canonicalSha256 }] : [])),
      proposal: a.launchMeasurements.proposal,
    };
  }
  return out;
}

/** Pure: the built launch measurements against the CDN documents and the proposal's values. */
export function measurementsEvidence(built: NonNullable<BuiltArtifact['launchMeasurements']>, c: Comparisons['measurements']): ArtifactLaunchMeasurements | undefined {
  if (built.canonicalSha256 === null) return undefined;
  const cdn = c?.cdn ?? [];
  const proposal = c?.proposal ?? [];
  const proposalMatch = proposal.length === 0 ? null : built.measurements !== null && sameMeasurements(built.measurements, proposal);
  const fields = { sha256: built.sha256, canonicalSha256: built.canonicalSha256, cdn, proposalMatch };
  return { ...fields, outcome: measurementsOutcome(fields) };
}

export function toArtifactResult(
  built: BuiltArtifact,
  compare: Comparisons,
  manifest: { root: string; entries: ManifestEntry[] } | null = null,
): ArtifactResult {
  const result: ArtifactResult = {
    name: built.name,
    sha256: built.sha256,
    size: built.size,
    proposalSha256: compare.proposalSha256,
    cdn: compare.cdn,
    outcome: outcomeOf(built.sha256, compare.proposalSha256, compare.cdn),
    manifestRoot: manifest?.root ?? null,
    manifest: manifest?.entries ?? null,
  };
  if (compare.provenance) result.provenance = compare.provenance;
  const lm = built.launchMeasurements ? measurementsEvidence(built.launchMeasurements, compare.measurements) : undefined;
  if (lm) result.launchMeasurements = lm;
  return result;
}
