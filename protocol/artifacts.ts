/** Known artifact names per OS, and the outcome rule every attestation must obey. */
import type { ArtifactResult, OsName, Outcome } from './types.js';

/**
 * Subject/artifact names: `<os>/<file>`. `.tar.gz` is the 2022-era format of the same image.
 * Anything else is rejected so a report cannot be padded with invented artifacts.
 */
export const ARTIFACTS_BY_OS: Record<OsName, string[]> = {
  guestos: ['guestos/update-img.tar.zst', 'guestos/update-img.tar.gz'],
  hostos: ['hostos/update-img.tar.zst', 'hostos/update-img.tar.gz'],
  setupos: ['setupos/disk-img.tar.zst', 'setupos/disk-img.tar.gz'],
  recovery: ['recovery/update-img.tar.zst']
};

/**
 * match: the local hash equals the proposal hash (when there is one) and every CDN hash;
 * mismatch: it differs from at least one; not-compared: there was nothing to compare with.
 */
export function computeOutcome(a: Pick<ArtifactResult, 'sha256' | 'proposalSha256' | 'cdn'>): Outcome {
  const others: string[] = a.cdn.map((c) => c.sha256);
  if (a.proposalSha256 !== null) others.push(a.proposalSha256);
  if (others.length === 0) return 'not-compared';
  return others.every((h) => h === a.sha256) ? 'match' : 'mismatch';
}
