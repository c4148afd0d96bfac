/**
 * The build result file that `build` writes and `attest` turns into statements.
 * Versioned by `schema`; fields are only ever added.
 *
 * ```
 * {
 *   schema: "icos-attest/build-result/v1",
 *   proposal: "135000" | null,          // decimal proposal id, null for `build --commit`
 *   commit: "<40 hex>",
 *   os: ["guestos", "hostos", …],       // OSes with a built artifact
 *   artifacts: [ { os, name: "guestos/update-img.tar.zst", path: "/abs/…", repoPath: "artifacts/icos/…",
 *                  sha256, size } ],
 *   extras: [ same shape ],             // side outputs (GuestOS launch-measurements.json)
 *   missing: [ { os, tried: ["artifacts/icos/…"] } ],   // requested OSes the build did not produce
 *   layout: { era, script, args, checker, runtime, tty, kvm },
 *   buildSettings: { env: { CONTAINER_RUNTIME?, … }, passed: [names], withheld, containerRunConf },
 *   missingPrerequisites: [ { kind, message, fix } ],
 *   environment: Environment,           // protocol/types.ts
 *   startedAt, finishedAt,              // RFC 3339 UTC of the build itself (kept when outputs are reused)
 *   log: "/abs/path/to/build.log",
 *   exitCode: 0,                        // recorded, never taken as proof of anything
 *   reused: false                       // true: outputs of an earlier identical build were re-hashed
 * }
 * ```
 */
import { rename, writeFile } from 'node:fs/promises';
import type { Environment, EnvironmentV2, OsName } from '../../../protocol/types.js';
import type { BuildSettings } from './env.js';
import type { EraPrerequisite } from './era-prerequisites.js';
import type { Era } from './layout.js';

export const BUILD_RESULT_SCHEMA = 'icos-attest/build-result/v1';

export interface BuiltArtifact {
  os: OsName;
  name: string;
  path: string;
  repoPath: string;
  sha256: string;
  size: number;
  /** GuestOS/recovery: the launch-measurements.json built with it (sha256 of bytes and of canonical JSON; measurements as hex). */
  launchMeasurements?: { repoPath: string; sha256: string; canonicalSha256: string | null; measurements: string[] | null };
}

export interface BuildResultFile {
  schema: typeof BUILD_RESULT_SCHEMA;
  proposal: string | null;
  commit: string;
  os: OsName[];
  artifacts: BuiltArtifact[];
  extras: BuiltArtifact[];
  missing: { os: OsName; tried: string[] }[];
  layout: { era: Era; script: string; args: string[]; checker: string | null; runtime?: 'podman' | 'docker'; tty?: boolean; kvm?: boolean };
  /** What the build script was given (allow-listed env; build-relevant settings). Added in v1; optional for older files. */
  buildSettings?: BuildSettings;
  /** What this era needs that the machine lacked (the build ran anyway, e.g. --ignore-prerequisites). */
  missingPrerequisites?: EraPrerequisite[];
  /** v2 (roles, build files at the commit); older result files carry v1. */
  environment: Environment | EnvironmentV2;
  startedAt: string;
  finishedAt: string;
  log: string;
  exitCode: number | null;
  reused: boolean;
}

/** Writes JSON atomically (temp file + rename): a reader never sees half a file. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, JSON.stringify(value, null, 2) + '\n');
  await rename(tmp, path);
}
