/**
 * Divergence hints for a report: each group that differs from the reference group (the first
 * one: matching the proposal/CDN, else the largest) diagnosed by protocol/diagnosis.ts from the
 * statements alone: first divergent component, differing entries, environment factors.
 */
import type { ArtifactConsensus, AttestationRecord } from '../../protocol/consensus.js';
import { diagnoseDivergence } from '../../protocol/diagnosis.js';
import { formatManifestPath } from '../../protocol/manifest.js';
import type { DivergenceHint } from '../../protocol/service.js';
import type { Statement } from '../../protocol/types.js';

/** Differing entries per hint in a report (the JSON and diff tooling can show more). */
const MAX_DIFFERING = 20;

/** `nameOf(principal)` names reviewers in the causes (the principal when it gives ''). */
export function divergenceHints(artifact: ArtifactConsensus, records: Map<bigint, AttestationRecord>, nameOf: (principal: string) => string = () => ''): DivergenceHint[] {
  if (artifact.groups.length < 2) return [];
  const groupOf = (g: ArtifactConsensus['groups'][number]): { statements: Statement[]; reviewers: string[] } => {
    const members = g.reviewers.flatMap((r) => {
      const rec = records.get(r.attestationId);
      return rec === undefined ? [] : [{ statement: rec.statement, label: nameOf(r.principal) || r.principal }];
    });
    return { statements: members.map((m) => m.statement), reviewers: members.map((m) => m.label) };
  };
  const [reference, ...divergent] = artifact.groups;
  const ref = groupOf(reference);
  return divergent.map((g) => {
    const d = diagnoseDivergence(ref, groupOf(g), artifact.name);
    return {
      group_sha256: g.sha256,
      reference_sha256: reference.sha256,
      reference_count: d.referenceCount,
      divergent_count: d.divergentCount,
      first_divergent: d.firstDivergentDisplay === null ? [] : [d.firstDivergentDisplay],
      manifest_note: d.manifestNote,
      differing: d.differing.slice(0, MAX_DIFFERING).map((x) => ({ path: formatManifestPath(x.path, artifact.name), change: x.change })),
      differing_total: d.differingTotal,
      factors: d.factors.map((f) => ({ field: f.field, reference: f.reference, divergent: f.divergent, score: f.score, explanation: f.explanation })),
      causes: d.causes.map((c) => ({ cause: c.cause, title: c.title, reviewers: c.reviewers, evidence: c.evidence, fix: c.fix, basis: c.basis }))
    };
  });
}
