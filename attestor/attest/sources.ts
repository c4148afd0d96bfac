/**
 * The two result files `attest` accepts, turned into the shape normalizeResult reads:
 * - a build result (`icos-attest/build-result/v1`): local hashes, compared with a check report
 *   (`--check`) when given; manifests computed from the built files when they are still there;
 * - a check report (`icos-attest/check-report/v1`): no build, the downloaded (CDN) hashes are
 *   attested with the environment of this machine and `script: null`.
 * Anything else is passed through (the generic shape documented in docs/cli.md).
 */
import { existsSync } from 'node:fs';

import { boundManifest, DEFAULT_MANIFEST_MAX_BYTES } from '../../protocol/manifest.js';
import type { ArtifactResult } from '../../protocol/types.js';
import { BUILD_RESULT_SCHEMA, type BuildResultFile } from '../icos/build/result.js';
import { comparisonsFromCheck, toArtifactResult } from '../icos/build/artifact-result.js';
import { CHECK_REPORT_SCHEMA, type CheckReport } from '../icos/cdn/report.js';
import { inputError } from '../cli/errors.js';

export interface SourceOptions {
  /** A check report of the same proposal, for the proposal and CDN hashes. */
  check?: unknown;
  /** Fills in the proposal of a `build --commit` result. */
  proposal?: string;
  /** Compute manifests of built files that are still on disk (default true). */
  manifests?: boolean;
  onManifest?: (name: string, bytesRead: number, total: number) => void;
}

function asCheck(raw: unknown): CheckReport {
  if (!raw || typeof raw !== 'object' || (raw as { schema?: unknown }).schema !== CHECK_REPORT_SCHEMA) {
    throw inputError(`--check: not a check report (expected schema ${CHECK_REPORT_SCHEMA})`);
  }
  return raw as CheckReport;
}

export function resultKind(raw: unknown): 'build' | 'check' | 'generic' {
  const schema = raw && typeof raw === 'object' ? (raw as { schema?: unknown }).schema : undefined;
  return schema === BUILD_RESULT_SCHEMA ? 'build' : schema === CHECK_REPORT_SCHEMA ? 'check' : 'generic';
}

export async function fromBuildResult(b: BuildResultFile, opts: SourceOptions): Promise<Record<string, unknown>> {
  const check = opts.check === undefined ? null : asCheck(opts.check);
  const proposal = b.proposal ?? opts.proposal ?? check?.proposal.id ?? null;
  if (proposal === null) throw inputError('the build result names no proposal (built with --commit): pass --proposal <id>');
  if (check && check.proposal.id !== proposal) throw inputError(`--check is for proposal ${check.proposal.id}, the build for ${proposal}`);
  if (check && check.proposal.commit !== b.commit) throw inputError(`--check is for commit ${check.proposal.commit}, the build for ${b.commit}`);
  const artifacts: ArtifactResult[] = [];
  for (const built of b.artifacts) {
    let manifest: { root: string; entries: ArtifactResult['manifest'] & object } | null = null;
    if (opts.manifests !== false && existsSync(built.path)) {
      const { computeManifest } = await import('../manifest/index.js');
      const m = await computeManifest(built.path, { onProgress: (p) => opts.onManifest?.(built.name, p.bytesRead, p.totalBytes) });
      if (m.sha256 !== built.sha256) throw inputError(`${built.path} changed since the build (sha256 ${m.sha256}, the result says ${built.sha256}); rebuild`);
      manifest = { root: m.root, entries: boundManifest(m.entries, DEFAULT_MANIFEST_MAX_BYTES).entries };
    }
    artifacts.push(toArtifactResult(built, comparisonsFromCheck(check, built.name), manifest));
  }
  return { proposal, commit: b.commit, environment: b.environment, startedAt: b.startedAt, finishedAt: b.finishedAt, artifacts };
}

export async function fromCheckReport(c: CheckReport): Promise<Record<string, unknown>> {
  const { collectEnvironment } = await import('../icos/environment/collect.js');
  const environment = await collectEnvironment({ repoDir: null, script: null, commandLine: process.argv.slice(1), release: true, commit: c.proposal.commit });
  const artifacts = c.artifacts.flatMap((a) => {
    const local = a.cdnSha256 ?? a.mirrors.find((m) => m.sha256)?.sha256 ?? a.urls.find((u) => u.sha256)?.sha256 ?? null;
    if (local === null) return [];
    const size = a.mirrors.find((m) => m.sha256 === local)?.size ?? a.urls.find((u) => u.sha256 === local)?.size ?? 0;
    return [{ name: a.name, sha256: local, size, proposalSha256: a.proposalSha256, cdn: a.mirrors.flatMap((m) => (m.sha256 ? [{ mirror: m.mirror, sha256: m.sha256 }] : [])) }];
  });
  if (artifacts.length === 0) throw inputError('the check report holds no downloaded artifact to attest');
  return { proposal: c.proposal.id, commit: c.proposal.commit, environment, startedAt: c.startedAt, finishedAt: c.finishedAt, artifacts };
}

export async function prepareResult(raw: unknown, opts: SourceOptions): Promise<unknown> {
  switch (resultKind(raw)) {
    case 'build':
      return fromBuildResult(raw as BuildResultFile, opts);
    case 'check':
      return fromCheckReport(raw as CheckReport);
    default:
      if (opts.proposal && raw && typeof raw === 'object' && !(raw as { proposal?: unknown }).proposal) return { ...(raw as object), proposal: opts.proposal };
      return raw;
  }
}
