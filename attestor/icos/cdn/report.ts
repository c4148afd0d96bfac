/**
 * The CheckReport: what `icos-attest check <proposal> --json` prints. Stable, versioned by
 * `schema`; add fields, never change or remove them without bumping the version.
 *
 * ```
 * {
 *   schema: "icos-attest/check-report/v1",
 *   ok: boolean,                      // true iff findings is empty
 *   proposal: { id, elects, commit, sha256, urls, launchMeasurements },
 *   mirrors: [ "https://download.dfinity.systems", … ],
 *   startedAt, finishedAt,            // RFC 3339 UTC
 *   artifacts: [ {                    // one per OS checked
 *     os, name: "guestos/update-img.tar.zst", file, dir,
 *     elected: boolean,               // the proposal elects this OS (false: CDN only, e.g. SetupOS)
 *     proposalSha256: hex | null,
 *     cdnSha256: hex | null,          // the hash every mirror agrees on; null if they disagree or none downloaded
 *     ok: boolean,                    // no finding names this OS
 *     urls:    [ { url, sha256, size, error } ],            // each release_package_urls entry
 *     mirrors: [ { mirror, url, sha256, size, error,
 *                  sums: { url, line, sha256, error } } ],  // SHA256SUMS line for the file (null if absent)
 *     launchMeasurements: null | {   // GuestOS and recovery
 *        proposal: [hex], mirrors: [ { mirror, url, measurements: [hex] | null, error, sha256, canonicalSha256 } ] },
 *     provenance: { status: verified|failed|skipped, subject: "ic/<commit>/<dir>/SHA256SUMS",
 *                   mirrors: [ { mirror, status, subject, sha256, signer: { workflow, ref, commit } | null, error } ] }
 *   } ],
 *   findings: [ { kind, os, name, message, mirror?, url?, expected?, actual? } ]
 * }
 * ```
 * `error` is `null` or `{ kind, message }` (download error kinds: bad-url, http-status, network,
 * truncated-download, hash-mismatch, cache-io; sums: sums-malformed; measurements: bad-measurements).
 */
import type { OsName } from '../../../protocol/types.js';
import type { ProvenanceResult } from './provenance.js';

export const CHECK_REPORT_SCHEMA = 'icos-attest/check-report/v1';

export const FINDING_KINDS = [
  'proposal-cdn-mismatch',
  'mirrors-disagree',
  'url-hash-mismatch',
  'sums-line-missing',
  'sums-mismatch',
  'truncated-download',
  'download-failed',
  'measurements-mismatch',
  'provenance-failed',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export interface Finding {
  kind: FindingKind;
  os: OsName;
  /** Artifact name (`guestos/update-img.tar.zst`) or the file concerned (`guestos/SHA256SUMS`). */
  name: string;
  /** One line a person can act on. */
  message: string;
  mirror?: string;
  url?: string;
  expected?: string;
  actual?: string;
}

export interface ErrorInfo {
  kind: string;
  message: string;
}

export interface UrlCheck {
  url: string;
  sha256: string | null;
  size: number | null;
  error: ErrorInfo | null;
}

export interface MirrorCheck {
  /** Mirror host name, e.g. download.dfinity.systems. */
  mirror: string;
  url: string;
  sha256: string | null;
  size: number | null;
  error: ErrorInfo | null;
  sums: {
    url: string;
    line: string | null;
    sha256: string | null;
    error: ErrorInfo | null;
    /** sha256 of the SHA256SUMS file itself (what its provenance attestation must name). */
    fileSha256?: string;
    /** The hash SHA256SUMS lists for launch-measurements.json (null: not listed). */
    measurementsLine?: string | null;
  };
}

export interface MeasurementsCheck {
  /** From the proposal, lowercase hex. */
  proposal: string[];
  mirrors: {
    mirror: string;
    url: string;
    measurements: string[] | null;
    error: ErrorInfo | null;
    /** sha256 of the published file's bytes, and of its canonical JSON (full-document compare). */
    sha256?: string;
    canonicalSha256?: string | null;
  }[];
}

/** GitHub build-provenance of the SHA256SUMS this artifact was checked against (provenance.ts). */
export interface ProvenanceCheck {
  /** verified: every mirror's SHA256SUMS verified; skipped: --skip-provenance; failed otherwise. */
  status: 'verified' | 'failed' | 'skipped';
  subject: string;
  mirrors: ({ mirror: string } & ProvenanceResult)[];
}

export interface ArtifactCheck {
  os: OsName;
  name: string;
  file: string;
  dir: string;
  elected: boolean;
  proposalSha256: string | null;
  cdnSha256: string | null;
  ok: boolean;
  urls: UrlCheck[];
  mirrors: MirrorCheck[];
  launchMeasurements: MeasurementsCheck | null;
  /** Added with provenance checking; absent in reports of older versions. */
  provenance?: ProvenanceCheck;
}

export interface CheckReport {
  schema: typeof CHECK_REPORT_SCHEMA;
  ok: boolean;
  proposal: {
    id: string;
    elects: 'guestos' | 'hostos';
    commit: string;
    sha256: string;
    urls: string[];
    launchMeasurements: string[];
  };
  mirrors: string[];
  startedAt: string;
  finishedAt: string;
  artifacts: ArtifactCheck[];
  findings: Finding[];
}

/** Bad input to checkProposal: nothing was downloaded. */
export interface CheckInputError {
  kind: 'not-icos' | 'proposal-incomplete' | 'bad-commit' | 'bad-option';
  message: string;
}

export type CheckResult = { ok: true; report: CheckReport } | { ok: false; error: CheckInputError };
