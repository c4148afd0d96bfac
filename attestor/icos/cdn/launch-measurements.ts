/**
 * `launch-measurements.json` compared in full, as DFINITY's checker does (it compares the
 * parsed documents, metadata included): every mirror's document must equal every other's,
 * its bytes must hash to its line in the same directory's SHA256SUMS (the GuestOS SHA256SUMS
 * lists it), its measurements must be the proposal's, and a built file must equal the CDN's.
 * Documents are compared by the sha256 of their canonical JSON (whitespace and key order do
 * not matter; every value, metadata included, does).
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../../protocol/canonical.js';

export const MEASUREMENTS_FILE = 'launch-measurements.json';

export interface MeasurementsDocument {
  /** sha256 of the file's bytes. */
  sha256: string;
  /** sha256 of the canonical JSON of the parsed document (null when it is not JSON). */
  canonicalSha256: string | null;
}

/** Pure: the hashes of one launch-measurements.json. */
export function measurementsDocument(bytes: Uint8Array): MeasurementsDocument {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  let canonicalSha256: string | null = null;
  try {
    canonicalSha256 = createHash('sha256').update(canonicalJson(JSON.parse(Buffer.from(bytes).toString('utf8')))).digest('hex');
  } catch {
    canonicalSha256 = null;
  }
  return { sha256, canonicalSha256 };
}

export type MeasurementsOutcome = 'match' | 'mismatch' | 'not-compared';

/** Pure: a built document against what the CDN mirrors published. */
export function compareBuiltMeasurements(built: MeasurementsDocument, cdn: { mirror: string; canonicalSha256: string | null }[]): MeasurementsOutcome {
  const others = cdn.filter((c) => c.canonicalSha256 !== null);
  if (others.length === 0 || built.canonicalSha256 === null) return others.length === 0 ? 'not-compared' : 'mismatch';
  return others.every((c) => c.canonicalSha256 === built.canonicalSha256) ? 'match' : 'mismatch';
}
