/**
 * The attestation contract shared by the canister, the attestor and any third-party verifier.
 * Plain JSON-compatible shapes: nat64 values travel as decimal strings inside signed JSON.
 */

import type { ArtifactLaunchMeasurements, ArtifactProvenance } from './artifact-evidence.js';

export type { ArtifactLaunchMeasurements, ArtifactProvenance } from './artifact-evidence.js';
import type { EnvironmentV2 } from './environment.js';
export type { EnvironmentV2 } from './environment.js';

export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const PAYLOAD_TYPE = 'application/vnd.in-toto+json';
/** This project's predicate, version 1 (still accepted; environment with host paths). */
export const PREDICATE_TYPE = 'https://github.com/icos-attest/icos-attest/predicate/ic-os-build/v1';
/** Version 2: the environment names roles, not host paths, and hashes every file that defines the build (environment.ts). */
export const PREDICATE_TYPE_V2 = 'https://github.com/icos-attest/icos-attest/predicate/ic-os-build/v2';
export const PREDICATE_TYPES = [PREDICATE_TYPE, PREDICATE_TYPE_V2] as const;

export const OS_NAMES = ['guestos', 'hostos', 'setupos', 'recovery'] as const;
export type OsName = (typeof OS_NAMES)[number];

/** in-toto Statement v1 carrying an IC-OS build predicate (v1 or v2). */
export type Statement = StatementV1 | StatementV2;

export interface StatementV1 {
  _type: typeof STATEMENT_TYPE;
  subject: Subject[];
  predicateType: typeof PREDICATE_TYPE;
  predicate: BuildPredicate;
}

export interface StatementV2 {
  _type: typeof STATEMENT_TYPE;
  subject: Subject[];
  predicateType: typeof PREDICATE_TYPE_V2;
  predicate: BuildPredicateV2;
}

/** v2: the same predicate with the private-free environment record. */
export type BuildPredicateV2 = Omit<BuildPredicate, 'environment'> & { environment: EnvironmentV2 };

export interface Subject {
  /** `<os>/<file>`, e.g. `guestos/update-img.tar.zst`. */
  name: string;
  digest: { sha256: string };
}

export type Outcome = 'match' | 'mismatch' | 'not-compared';

export interface BuildPredicate {
  /** NNS proposal id, decimal nat64. */
  proposal: string;
  /** 40 lowercase hex: the ic repo commit that was built. */
  commit: string;
  os: OsName;
  artifacts: ArtifactResult[];
  environment: Environment;
  tool: { name: string; version: string };
  /** RFC 3339 UTC timestamps of the build (or check) run. */
  startedAt: string;
  finishedAt: string;
  /** Id (decimal nat64) of this reviewer's earlier attestation that this one replaces. */
  supersedes?: string;
}

export interface ArtifactResult {
  /** Same as the matching subject name. */
  name: string;
  /** sha256 of the locally built file, 64 lowercase hex. */
  sha256: string;
  size: number;
  /** The hash the proposal elects for this artifact; null where no proposal hash applies (SetupOS). */
  proposalSha256: string | null;
  /** Hashes the reviewer saw on each CDN mirror, named by host (and port, if not the default), e.g. download.dfinity.systems. */
  cdn: { mirror: string; sha256: string }[];
  /** match: equal to every hash above; mismatch: differs from one; not-compared: nothing to compare. */
  outcome: Outcome;
  /** Merkle-style root over the manifest (see manifest.ts); null when no manifest was computed. */
  manifestRoot: string | null;
  /** Bounded tree of digests inside the artifact (see manifest.ts); null when not computed. */
  manifest: ManifestEntry[] | null;
  /** Optional evidence (artifact-evidence.ts): provenance of the SHA256SUMS compared against. */
  provenance?: ArtifactProvenance;
  /** Optional evidence (artifact-evidence.ts): the built launch-measurements.json compared in full. */
  launchMeasurements?: ArtifactLaunchMeasurements;
}

/** One component inside an artifact: a tar entry, a GPT partition, a nested file. */
export interface ManifestEntry {
  /** Path inside the artifact; manifest.ts defines how nested levels are named. */
  path: string;
  kind: 'file' | 'dir' | 'symlink' | 'partition' | 'other';
  size: number;
  sha256: string;
  /** Octal mode for tar entries, GPT type GUID for partitions. */
  detail?: string;
  children?: ManifestEntry[];
  /** Set when deeper levels were dropped to stay within the size limit. */
  truncated?: boolean;
}

/** The machine a build ran on: the same fields in both environment versions (v2: environment.ts). */
export interface HostFacts {
  os: { name: string; version: string };
  kernel: string;
  wsl: boolean;
  arch: string;
  cpus: number;
  memoryBytes: number;
  diskFreeBytes: number;
}

/** What a build ran on: the known causes of divergent hashes (icos-facts.md, "Known causes"). */
export interface Environment extends HostFacts {
  podman: string | null;
  docker: string | null;
  /** Whether the container engine ran as root; null when unknown. */
  rootful: boolean | null;
  /** The build's temp directories: filesystem type, block size, whether tmpfs. */
  tempDirs: { path: string; fsType: string; blockSize: number; tmpfs: boolean }[];
  git: { commit: string; clean: boolean };
  /** The build script that ran: path inside the ic repo and its sha256. Null for a check without a build. */
  script: { path: string; sha256: string } | null;
  commandLine: string[];
  /** False when the build was a non-release build (e.g. --no-release). */
  release: boolean;
}

/** DSSE envelope (https://github.com/secure-systems-lab/dsse). */
export interface Envelope {
  payloadType: string;
  /** Standard base64 of the canonical JSON of the statement. */
  payload: string;
  signatures: { keyid: string; sig: string }[];
}
