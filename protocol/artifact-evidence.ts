/**
 * Optional evidence an ArtifactResult may carry beyond its hashes (added without a predicate
 * version bump: older statements simply lack the fields, and every field is validated when
 * present):
 *  - `provenance`: whether the SHA256SUMS this artifact was compared against carried GitHub's
 *    build-provenance attestation from dfinity/ic's release-testing.yml (or was skipped);
 *  - `launchMeasurements`: the built launch-measurements.json (GuestOS, recovery) compared in
 *    full with what the CDN mirrors published and with the proposal's measurements.
 * Pure TypeScript: runs in Node and inside the canister.
 */

export interface ArtifactProvenance {
  status: 'verified' | 'failed' | 'skipped';
  /** `ic/<commit>/<dir>/SHA256SUMS` */
  subject: string;
  /** From the signing certificate; null when skipped or nothing verified. */
  signer: { workflow: string; ref: string; commit: string } | null;
}

export interface ArtifactLaunchMeasurements {
  /** sha256 of the built file's bytes, and of its canonical JSON. */
  sha256: string;
  canonicalSha256: string;
  /** Canonical-JSON sha256 of each mirror's published document. */
  cdn: { mirror: string; canonicalSha256: string }[];
  /** Built measurements equal the proposal's (null: the proposal carries none). */
  proposalMatch: boolean | null;
  /** match: equal to every CDN document and to the proposal; not-compared: nothing to compare. */
  outcome: 'match' | 'mismatch' | 'not-compared';
}

export const EVIDENCE_FIELDS = ['provenance', 'launchMeasurements'] as const;

const HEX64 = /^[0-9a-f]{64}$/;
const SUBJECT = /^ic\/[0-9a-f]{40}\/[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*\/SHA256SUMS$/;
const HOST = /^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?(?::[1-9][0-9]{0,4})?$/;
const PRINTABLE = /^[\x21-\x7e]*$/;

type Bad = (path: string, why: string) => never;

function keys(v: unknown, path: string, required: string[], bad: Bad): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(path, 'expected an object');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!required.includes(k)) bad(`${path}.${k}`, 'unknown field');
  for (const k of required) if (!(k in o) || o[k] === undefined) bad(`${path}.${k}`, 'missing');
  return o;
}

/** The outcome the fields imply (the signed outcome must equal it). */
export function measurementsOutcome(m: Pick<ArtifactLaunchMeasurements, 'canonicalSha256' | 'cdn' | 'proposalMatch'>): ArtifactLaunchMeasurements['outcome'] {
  if (m.cdn.length === 0 && m.proposalMatch === null) return 'not-compared';
  return m.cdn.every((c) => c.canonicalSha256 === m.canonicalSha256) && m.proposalMatch !== false ? 'match' : 'mismatch';
}

/** Validates the optional evidence fields of one artifact (throws through `bad`). */
export function checkArtifactEvidence(a: Record<string, unknown>, path: string, bad: Bad, maxMirrors: number): void {
  if ('provenance' in a) {
    const pp = `${path}.provenance`;
    const p = keys(a.provenance, pp, ['status', 'subject', 'signer'], bad);
    if (!['verified', 'failed', 'skipped'].includes(p.status as string)) bad(`${pp}.status`, 'expected verified, failed or skipped');
    if (typeof p.subject !== 'string' || !SUBJECT.test(p.subject) || p.subject.length > 300) bad(`${pp}.subject`, 'expected ic/<commit>/<dir>/SHA256SUMS');
    if (p.signer !== null) {
      const s = keys(p.signer, `${pp}.signer`, ['workflow', 'ref', 'commit'], bad);
      for (const [k, max] of [['workflow', 400], ['ref', 255], ['commit', 40]] as const) {
        if (typeof s[k] !== 'string' || (s[k] as string).length > max || !PRINTABLE.test(s[k] as string)) bad(`${pp}.signer.${k}`, `expected printable text of at most ${max} characters`);
      }
    }
    if (p.status === 'verified' && p.signer === null) bad(`${pp}.signer`, 'a verified provenance names its signer');
  }
  if ('launchMeasurements' in a) {
    const mp = `${path}.launchMeasurements`;
    const m = keys(a.launchMeasurements, mp, ['sha256', 'canonicalSha256', 'cdn', 'proposalMatch', 'outcome'], bad);
    for (const k of ['sha256', 'canonicalSha256'] as const) if (typeof m[k] !== 'string' || !HEX64.test(m[k] as string)) bad(`${mp}.${k}`, 'expected 64 lowercase hex');
    if (!Array.isArray(m.cdn) || m.cdn.length > maxMirrors) bad(`${mp}.cdn`, `expected at most ${maxMirrors} mirrors`);
    const seen = new Set<string>();
    (m.cdn as unknown[]).forEach((c, i) => {
      const o = keys(c, `${mp}.cdn[${i}]`, ['mirror', 'canonicalSha256'], bad);
      if (typeof o.mirror !== 'string' || !HOST.test(o.mirror) || seen.has(o.mirror)) bad(`${mp}.cdn[${i}].mirror`, 'expected a distinct host name');
      seen.add(o.mirror as string);
      if (typeof o.canonicalSha256 !== 'string' || !HEX64.test(o.canonicalSha256)) bad(`${mp}.cdn[${i}].canonicalSha256`, 'expected 64 lowercase hex');
    });
    if (m.proposalMatch !== null && typeof m.proposalMatch !== 'boolean') bad(`${mp}.proposalMatch`, 'expected true, false or null');
    const expected = measurementsOutcome(m as unknown as ArtifactLaunchMeasurements);
    if (m.outcome !== expected) bad(`${mp}.outcome`, `must be ${expected} for these hashes`);
  }
}
