/**
 * From a result file (what `build` or `check` writes) to in-toto Statements, one per OS.
 * The result file is read leniently where it is ours to fill in (outcome is recomputed, absent
 * manifests become null) and strictly where it is the reviewer's claim (hashes, names, OS).
 */
import { OS_NAMES, PREDICATE_TYPE_V2, STATEMENT_TYPE, type ArtifactResult, type Environment, type OsName, type StatementV2 } from '../../protocol/types.js';
import { normaliseEnvironment, type EnvironmentV2 } from '../../protocol/environment.js';
import { computeOutcome } from '../../protocol/artifacts.js';
import { inputError } from '../cli/errors.js';
import { TOOL_NAME, TOOL_VERSION } from '../cli/version.js';

export interface OsResult {
  os: OsName;
  artifacts: ArtifactResult[];
}

/** The normalized content of a result file. */
export interface AttestInput {
  proposal: string;
  commit: string;
  /** Always v2: a v1 record from an older result file is normalised (roles, no host paths). */
  environment: EnvironmentV2;
  startedAt: string;
  finishedAt: string;
  oses: OsResult[];
  tool?: { name: string; version: string };
}

const HEX64 = /^[0-9a-f]{64}$/;

/** The reviewer's home, so that paths under it are written as `~` (never signed as they are). */
function homeDir(): string | null {
  return process.env.HOME || process.env.USERPROFILE || null;
}
const COMMIT = /^[0-9a-f]{40}$/;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown, field: string): string {
  if (typeof v === 'string' && v.length > 0) return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  throw inputError(`result file: ${field} is missing or not a string`);
}

function osOf(name: string): OsName {
  const os = name.split('/')[0];
  if (!(OS_NAMES as readonly string[]).includes(os)) throw inputError(`result file: artifact "${name}" does not start with an OS (${OS_NAMES.join(', ')})`);
  return os as OsName;
}

/** The statement names a mirror by host (download.dfinity.systems, or host:port): drop scheme, path and case. */
export function mirrorHost(mirror: string): string {
  const text = mirror.trim().toLowerCase();
  try {
    return new URL(text.includes('://') ? text : `http://${text}`).host.replace(/^\[|\]$/g, '');
  } catch {
    return text;
  }
}

function normalizeArtifact(raw: unknown, where: string): ArtifactResult {
  if (!isObj(raw)) throw inputError(`result file: ${where} is not an object`);
  const name = str(raw.name, `${where}.name`);
  const sha256 = str(raw.sha256 ?? (isObj(raw.local) ? raw.local.sha256 : undefined), `${where}.sha256`).toLowerCase();
  if (!HEX64.test(sha256)) throw inputError(`result file: ${where}.sha256 is not 64 hex digits`);
  const proposalSha256 = raw.proposalSha256 === null || raw.proposalSha256 === undefined ? null : str(raw.proposalSha256, `${where}.proposalSha256`).toLowerCase();
  const cdnRaw = Array.isArray(raw.cdn) ? raw.cdn : [];
  const cdn: { mirror: string; sha256: string }[] = [];
  cdnRaw.forEach((c, i) => {
    if (!isObj(c)) throw inputError(`result file: ${where}.cdn[${i}] is not an object`);
    const mirror = mirrorHost(str(c.mirror, `${where}.cdn[${i}].mirror`));
    const sha = str(c.sha256, `${where}.cdn[${i}].sha256`).toLowerCase();
    const seen = cdn.find((x) => x.mirror === mirror);
    if (!seen) cdn.push({ mirror, sha256: sha });
    else if (seen.sha256 !== sha) throw inputError(`result file: ${where}: two mirrors on host ${mirror} gave different hashes; the attestation names mirrors by host and port`);
  });
  const size = typeof raw.size === 'number' ? raw.size : Number(raw.size ?? NaN);
  if (!Number.isSafeInteger(size) || size < 0) throw inputError(`result file: ${where}.size is not a byte count`);
  const base = { sha256, proposalSha256, cdn };
  return {
    name,
    sha256,
    size,
    proposalSha256,
    cdn,
    outcome: computeOutcome(base),
    manifestRoot: typeof raw.manifestRoot === 'string' ? raw.manifestRoot : null,
    manifest: Array.isArray(raw.manifest) ? (raw.manifest as ArtifactResult['manifest']) : null
  };
}

/**
 * Accepts `{proposal, commit, environment, startedAt, finishedAt, oses: [{os, artifacts}]}`
 * or the same with a flat `artifacts` list (grouped by the OS prefix of each name).
 */
export function normalizeResult(raw: unknown): AttestInput {
  if (!isObj(raw)) throw inputError('result file: not a JSON object');
  const src = isObj(raw.result) ? raw.result : raw;
  const proposal = str(src.proposal ?? src.proposalId, 'proposal');
  if (!/^[0-9]{1,20}$/.test(proposal)) throw inputError(`result file: proposal "${proposal}" is not a decimal proposal id`);
  const commit = str(src.commit, 'commit').toLowerCase();
  if (!COMMIT.test(commit)) throw inputError(`result file: commit "${commit}" is not 40 hex digits`);
  if (!isObj(src.environment)) throw inputError('result file: environment is missing');
  const startedAt = str(src.startedAt, 'startedAt');
  const finishedAt = str(src.finishedAt, 'finishedAt');
  const byOs = new Map<OsName, ArtifactResult[]>();
  const add = (a: ArtifactResult, os?: OsName) => {
    const key = os ?? osOf(a.name);
    if (osOf(a.name) !== key) throw inputError(`result file: artifact ${a.name} is listed under ${key}`);
    byOs.set(key, [...(byOs.get(key) ?? []), a]);
  };
  if (Array.isArray(src.oses)) {
    src.oses.forEach((o, i) => {
      if (!isObj(o)) throw inputError(`result file: oses[${i}] is not an object`);
      const os = str(o.os, `oses[${i}].os`) as OsName;
      if (!OS_NAMES.includes(os)) throw inputError(`result file: oses[${i}].os "${os}" is not one of ${OS_NAMES.join(', ')}`);
      const arts = Array.isArray(o.artifacts) ? o.artifacts : [];
      arts.forEach((a, j) => add(normalizeArtifact(a, `oses[${i}].artifacts[${j}]`), os));
    });
  } else if (Array.isArray(src.artifacts)) {
    src.artifacts.forEach((a, j) => add(normalizeArtifact(a, `artifacts[${j}]`)));
  } else {
    throw inputError('result file: neither "oses" nor "artifacts" is present');
  }
  if (byOs.size === 0) throw inputError('result file: no artifacts to attest');
  const tool = isObj(src.tool) && typeof src.tool.name === 'string' && typeof src.tool.version === 'string' ? { name: src.tool.name, version: src.tool.version } : undefined;
  return {
    proposal,
    commit,
    environment: normaliseEnvironment(src.environment as unknown as Environment | EnvironmentV2, { home: homeDir() }),
    startedAt,
    finishedAt,
    oses: [...byOs.entries()].map(([os, artifacts]) => ({ os, artifacts })),
    tool
  };
}

export function statementFor(input: AttestInput, os: OsResult, supersedes?: string): StatementV2 {
  return {
    _type: STATEMENT_TYPE,
    subject: os.artifacts.map((a) => ({ name: a.name, digest: { sha256: a.sha256 } })),
    predicateType: PREDICATE_TYPE_V2,
    predicate: {
      proposal: input.proposal,
      commit: input.commit,
      os: os.os,
      artifacts: os.artifacts,
      environment: input.environment,
      tool: input.tool ?? { name: TOOL_NAME, version: TOOL_VERSION },
      startedAt: input.startedAt,
      finishedAt: input.finishedAt,
      ...(supersedes ? { supersedes } : {})
    }
  };
}
