/**
 * The check's provenance step for one artifact: each mirror's SHA256SUMS (by digest) must carry
 * a verifying build-provenance attestation (provenance.ts). Skipped (`--skip-provenance`) is
 * recorded as such and is not a finding; a failed verification is.
 */
import type { ProvenanceResult } from './provenance.js';
import type { ArtifactCheck, Finding } from './report.js';

export async function addProvenance(
  a: ArtifactCheck,
  commit: string,
  verify: (commit: string, dir: string, sha256: string | null) => Promise<ProvenanceResult>,
): Promise<Finding[]> {
  const out: Finding[] = [];
  const results: NonNullable<ArtifactCheck['provenance']>['mirrors'] = [];
  for (const m of a.mirrors) {
    // A SHA256SUMS that could not be downloaded is already a finding of its own.
    if (!m.sums.fileSha256 && m.sums.error) continue;
    const r = await verify(commit, a.dir, m.sums.fileSha256 ?? null);
    results.push({ mirror: m.mirror, ...r });
    if (r.status === 'failed') {
      out.push({
        kind: 'provenance-failed',
        os: a.os,
        name: `${a.os}/SHA256SUMS`,
        mirror: m.mirror,
        url: m.sums.url,
        message: `${m.mirror}: the SHA256SUMS has no valid build-provenance attestation from ${'dfinity/ic release-testing.yml'} for ${r.subject}: ${r.error?.message ?? 'failed'}`,
      });
    }
  }
  const statuses = new Set(results.map((r) => r.status));
  const status = results.length === 0 ? 'failed' : statuses.has('failed') ? 'failed' : statuses.has('skipped') ? 'skipped' : 'verified';
  a.provenance = { status, subject: results[0]?.subject ?? `ic/${commit}/${a.dir}/SHA256SUMS`, mirrors: results };
  return out;
}
