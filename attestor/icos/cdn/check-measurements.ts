/**
 * The check's full launch-measurements comparison (see launch-measurements.ts): every mirror
 * publishes the same document (metadata included), and each mirror's file matches its line
 * in that mirror's SHA256SUMS when the SHA256SUMS lists it. Recovery images may publish none:
 * a missing recovery file is recorded, not a finding.
 */
import { measurementsDocument, MEASUREMENTS_FILE } from './launch-measurements.js';
import type { ArtifactCheck, Finding } from './report.js';

/** Fields recorded per mirror for a downloaded launch-measurements.json. */
export function measurementsOf(bytes: Uint8Array): { sha256: string; canonicalSha256: string | null } {
  return measurementsDocument(bytes);
}

/** Pure: findings for the full-document comparison; mutates nothing. */
export function addMeasurementsChecks(a: ArtifactCheck): Finding[] {
  const lm = a.launchMeasurements;
  if (!lm) return [];
  const out: Finding[] = [];
  const name = `${a.os}/${MEASUREMENTS_FILE}`;
  const docs = lm.mirrors.filter((m) => m.sha256);
  const distinct = [...new Set(docs.map((m) => m.canonicalSha256 ?? `bytes:${m.sha256}`))];
  if (distinct.length > 1) {
    out.push({
      kind: 'mirrors-disagree',
      os: a.os,
      name,
      message: `the mirrors publish different ${MEASUREMENTS_FILE} documents (compared in full, metadata included): ${docs.map((m) => `${m.mirror}=${m.sha256}`).join(', ')}`,
    });
  }
  for (const m of lm.mirrors) {
    const sums = a.mirrors.find((x) => x.mirror === m.mirror)?.sums;
    const listed = sums?.measurementsLine ?? null;
    if (m.sha256 && listed && listed !== m.sha256) {
      out.push({
        kind: 'sums-mismatch',
        os: a.os,
        name,
        mirror: m.mirror,
        url: m.url,
        expected: listed,
        actual: m.sha256,
        message: `${m.mirror}: SHA256SUMS says ${listed} for ${MEASUREMENTS_FILE}, the file hashes to ${m.sha256}`,
      });
    }
    if (!m.sha256 && listed && a.os === 'recovery') {
      out.push({ kind: 'download-failed', os: a.os, name, mirror: m.mirror, url: m.url, message: `${m.mirror}: SHA256SUMS lists ${MEASUREMENTS_FILE} but it cannot be downloaded: ${m.error?.message ?? ''}` });
    }
  }
  return out;
}
