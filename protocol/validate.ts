/**
 * Statement validation: every field, with the path of the first one at fault. Unknown keys are
 * rejected everywhere (not only at the top of the predicate): a signed record that carries data
 * no verifier looks at is a place to smuggle things, and a new field means a new predicate version.
 */
import { checkArtifactEvidence, EVIDENCE_FIELDS } from './artifact-evidence.js';
import { ARTIFACTS_BY_OS, computeOutcome } from './artifacts.js';
import { fail, ok, ProtocolError, type Result } from './errors.js';
import { LIMITS } from './limits.js';
import { checkEnvironmentV2, checkNoPrivatePaths } from './validate-environment.js';
import {
  OS_NAMES,
  PREDICATE_TYPE,
  PREDICATE_TYPE_V2,
  STATEMENT_TYPE,
  type ArtifactResult,
  type OsName,
  type Statement
} from './types.js';

const HEX64 = /^[0-9a-f]{64}$/;
export const HEX40 = /^[0-9a-f]{40}$/;
const NAT64 = /^(0|[1-9][0-9]{0,19})$/;
const NAT64_MAX = 18446744073709551615n;
const TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
/** A mirror: host name, optionally with a port (local mirrors in tests and private caches). */
const HOST = new RegExp(`^${LABEL}(?:\\.${LABEL})*(?::(?:[1-9][0-9]{0,4}))?$`);
const MANIFEST_KINDS = ['file', 'dir', 'symlink', 'partition', 'other'];

function bad(path: string, why: string): never {
  throw new ProtocolError('invalid-statement', why, path);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return typeof v === 'string' ? `string ${JSON.stringify(v.slice(0, 40))}` : `${typeof v} ${String(v).slice(0, 40)}`;
}

export function obj(v: unknown, path: string, required: string[], optional: string[] = []): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(path, `expected an object, got ${describe(v)}`);
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) bad(path, 'expected a plain JSON object');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!required.includes(k) && !optional.includes(k)) bad(`${path}.${k}`, 'unknown field');
  }
  for (const k of required) if (!(k in o) || o[k] === undefined) bad(`${path}.${k}`, 'missing');
  for (const k of optional) if (k in o && o[k] === undefined) bad(`${path}.${k}`, 'undefined (omit the field instead)');
  return o;
}

export function arr(v: unknown, path: string, min: number, max: number): unknown[] {
  if (!Array.isArray(v)) bad(path, `expected an array, got ${describe(v)}`);
  if (v.length < min) bad(path, `needs at least ${min} entr${min === 1 ? 'y' : 'ies'}`);
  if (v.length > max) bad(path, `${v.length} entries exceed the limit of ${max}`);
  return v;
}

/**
 * Text of at most `max` UTF-16 units, no lone surrogates, and (unless `measured`: names read
 * from inside an artifact, which may hold anything) no control characters.
 */
export function str(v: unknown, path: string, max: number, nonEmpty = true, measured = false): string {
  if (typeof v !== 'string') bad(path, `expected a string, got ${describe(v)}`);
  if (nonEmpty && v.length === 0) bad(path, 'must not be empty');
  if (v.length > max) bad(path, `${v.length} characters exceed the limit of ${max}`);
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (!measured && (c < 0x20 || c === 0x7f)) bad(path, `control character U+${c.toString(16).padStart(4, '0')} at index ${i}`);
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = v.charCodeAt(i + 1);
      if (c > 0xdbff || !(d >= 0xdc00 && d <= 0xdfff)) bad(path, `lone surrogate at index ${i}`);
      i++;
    }
  }
  return v;
}

export function hex(v: unknown, path: string, re: RegExp, what: string): string {
  if (typeof v !== 'string' || !re.test(v)) bad(path, `expected ${what}, got ${describe(v)}`);
  return v;
}
export const sha = (v: unknown, path: string) => hex(v, path, HEX64, '64 lowercase hex digits (sha256)');

function nat64(v: unknown, path: string): string {
  if (typeof v !== 'string' || !NAT64.test(v) || BigInt(v) > NAT64_MAX) {
    bad(path, `expected a nat64 as a decimal string without leading zeros, got ${describe(v)}`);
  }
  return v;
}

export function int(v: unknown, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) bad(path, `expected an integer, got ${describe(v)}`);
  if (v < min || v > max) bad(path, `${v} is outside ${min}..${max}`);
  return v;
}

export function bool(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') bad(path, `expected true or false, got ${describe(v)}`);
  return v;
}

export function nullable<T>(v: unknown, path: string, f: (v: unknown, path: string) => T): T | null {
  return v === null ? null : f(v, path);
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** RFC 3339 UTC (`Z`) time; returns a fixed-width key whose string order is time order. */
function time(v: unknown, path: string): string {
  const m = typeof v === 'string' ? TIME.exec(v) : null;
  if (!m) bad(path, `expected an RFC 3339 UTC time like 2026-01-31T12:00:00Z, got ${describe(v)}`);
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const dim = mo === 2 && leap ? 29 : DAYS[mo - 1];
  if (mo < 1 || mo > 12 || d < 1 || d > dim || h > 23 || mi > 59 || s > 59) bad(path, `${v} is not a valid date and time`);
  return `${m[1]}${m[2]}${m[3]}${m[4]}${m[5]}${m[6]}.${(m[7] ?? '').padEnd(9, '0')}`;
}

function osName(v: unknown, path: string): OsName {
  if (typeof v !== 'string' || !(OS_NAMES as readonly string[]).includes(v)) {
    bad(path, `expected one of ${OS_NAMES.join(', ')}, got ${describe(v)}`);
  }
  return v as OsName;
}

/** Validates an in-toto Statement carrying this project's IC-OS build predicate. */
export function validateStatement(value: unknown): Result<Statement> {
  try {
    checkStatement(value);
    return ok(value as Statement);
  } catch (e) {
    if (e instanceof ProtocolError) return { ok: false, error: e };
    return fail('invalid-statement', `could not be checked: ${String(e)}`);
  }
}

function checkStatement(value: unknown): void {
  const st = obj(value, 'statement', ['_type', 'subject', 'predicateType', 'predicate']);
  if (st._type !== STATEMENT_TYPE) bad('statement._type', `must be ${STATEMENT_TYPE}`);
  const v2 = st.predicateType === PREDICATE_TYPE_V2;
  if (st.predicateType !== PREDICATE_TYPE && !v2) bad('statement.predicateType', `must be ${PREDICATE_TYPE_V2} (or ${PREDICATE_TYPE})`);

  const p = obj(st.predicate, 'predicate', ['proposal', 'commit', 'os', 'artifacts', 'environment', 'tool', 'startedAt', 'finishedAt'], ['supersedes']);
  nat64(p.proposal, 'predicate.proposal');
  hex(p.commit, 'predicate.commit', HEX40, 'a 40-hex lowercase git commit');
  const os = osName(p.os, 'predicate.os');
  const arts = arr(p.artifacts, 'predicate.artifacts', 1, LIMITS.artifacts);
  const names = new Set<string>();
  arts.forEach((a, i) => {
    const name = checkArtifact(a, `predicate.artifacts[${i}]`, os);
    if (names.has(name)) bad(`predicate.artifacts[${i}].name`, `${name} appears twice`);
    names.add(name);
  });
  if (v2) checkEnvironmentV2(p.environment, bad);
  else checkEnvironment(p.environment);
  const tool = obj(p.tool, 'predicate.tool', ['name', 'version']);
  str(tool.name, 'predicate.tool.name', LIMITS.shortString);
  str(tool.version, 'predicate.tool.version', LIMITS.shortString);
  const started = time(p.startedAt, 'predicate.startedAt');
  const finished = time(p.finishedAt, 'predicate.finishedAt');
  if (finished < started) bad('predicate.finishedAt', 'is before startedAt');
  if ('supersedes' in p) nat64(p.supersedes, 'predicate.supersedes');
  if (v2) checkNoPrivatePaths(p, bad);

  // The subject is the in-toto view of the artifacts: same names, same order, same digests.
  const subject = arr(st.subject, 'statement.subject', arts.length, arts.length);
  subject.forEach((s, i) => {
    const path = `statement.subject[${i}]`;
    const o = obj(s, path, ['name', 'digest']);
    const a = arts[i] as ArtifactResult;
    if (o.name !== a.name) bad(`${path}.name`, `must equal predicate.artifacts[${i}].name (${a.name})`);
    const d = obj(o.digest, `${path}.digest`, ['sha256']);
    sha(d.sha256, `${path}.digest.sha256`);
    if (d.sha256 !== a.sha256) bad(`${path}.digest.sha256`, `must equal predicate.artifacts[${i}].sha256`);
  });
}

function checkArtifact(v: unknown, path: string, os: OsName): string {
  const a = obj(v, path, ['name', 'sha256', 'size', 'proposalSha256', 'cdn', 'outcome', 'manifestRoot', 'manifest'], [...EVIDENCE_FIELDS]);
  checkArtifactEvidence(a, path, bad, LIMITS.cdnMirrors);
  if (typeof a.name !== 'string' || !ARTIFACTS_BY_OS[os].includes(a.name)) {
    bad(`${path}.name`, `expected one of ${ARTIFACTS_BY_OS[os].join(', ')} for ${os}, got ${describe(a.name)}`);
  }
  sha(a.sha256, `${path}.sha256`);
  int(a.size, `${path}.size`, 0);
  nullable(a.proposalSha256, `${path}.proposalSha256`, sha);
  const mirrors = new Set<string>();
  arr(a.cdn, `${path}.cdn`, 0, LIMITS.cdnMirrors).forEach((c, i) => {
    const cp = `${path}.cdn[${i}]`;
    const o = obj(c, cp, ['mirror', 'sha256']);
    if (typeof o.mirror !== 'string' || o.mirror.length > LIMITS.hostName || !HOST.test(o.mirror)) {
      bad(`${cp}.mirror`, `expected a lowercase host name like download.dfinity.systems (optionally :port), got ${describe(o.mirror)}`);
    }
    if (mirrors.has(o.mirror)) bad(`${cp}.mirror`, `${o.mirror} appears twice`);
    mirrors.add(o.mirror);
    sha(o.sha256, `${cp}.sha256`);
  });
  const expected = computeOutcome(a as unknown as ArtifactResult);
  if (a.outcome !== expected) bad(`${path}.outcome`, `must be ${expected} for these hashes, got ${describe(a.outcome)}`);
  nullable(a.manifestRoot, `${path}.manifestRoot`, sha);
  if (a.manifest !== null) {
    const count = { n: 0 };
    checkManifest(a.manifest, `${path}.manifest`, 1, count);
  }
  return a.name as string;
}

function checkManifest(v: unknown, path: string, depth: number, count: { n: number }): void {
  if (depth > LIMITS.manifestDepth) bad(path, `manifest deeper than ${LIMITS.manifestDepth} levels`);
  arr(v, path, 0, LIMITS.manifestEntries).forEach((e, i) => {
    const ep = `${path}[${i}]`;
    if (++count.n > LIMITS.manifestEntries) bad(ep, `manifest holds more than ${LIMITS.manifestEntries} entries`);
    const o = obj(e, ep, ['path', 'kind', 'size', 'sha256'], ['detail', 'children', 'truncated']);
    str(o.path, `${ep}.path`, LIMITS.manifestPath, true, true);
    if (typeof o.kind !== 'string' || !MANIFEST_KINDS.includes(o.kind)) bad(`${ep}.kind`, `expected one of ${MANIFEST_KINDS.join(', ')}`);
    int(o.size, `${ep}.size`, 0);
    sha(o.sha256, `${ep}.sha256`);
    if ('detail' in o) str(o.detail, `${ep}.detail`, LIMITS.manifestDetail, false, true);
    if ('truncated' in o) bool(o.truncated, `${ep}.truncated`);
    if ('children' in o) checkManifest(o.children, `${ep}.children`, depth + 1, count);
  });
}

function checkEnvironment(v: unknown): void {
  const P = 'predicate.environment';
  const e = obj(v, P, ['os', 'kernel', 'wsl', 'arch', 'cpus', 'memoryBytes', 'diskFreeBytes', 'podman', 'docker', 'rootful', 'tempDirs', 'git', 'script', 'commandLine', 'release']);
  const os = obj(e.os, `${P}.os`, ['name', 'version']);
  str(os.name, `${P}.os.name`, LIMITS.shortString);
  str(os.version, `${P}.os.version`, LIMITS.shortString, false);
  str(e.kernel, `${P}.kernel`, LIMITS.shortString, false);
  bool(e.wsl, `${P}.wsl`);
  str(e.arch, `${P}.arch`, LIMITS.shortString);
  int(e.cpus, `${P}.cpus`, 1, 1 << 16);
  int(e.memoryBytes, `${P}.memoryBytes`, 0);
  int(e.diskFreeBytes, `${P}.diskFreeBytes`, 0);
  nullable(e.podman, `${P}.podman`, (x, p) => str(x, p, LIMITS.shortString));
  nullable(e.docker, `${P}.docker`, (x, p) => str(x, p, LIMITS.shortString));
  nullable(e.rootful, `${P}.rootful`, bool);
  arr(e.tempDirs, `${P}.tempDirs`, 0, LIMITS.tempDirs).forEach((t, i) => {
    const tp = `${P}.tempDirs[${i}]`;
    const o = obj(t, tp, ['path', 'fsType', 'blockSize', 'tmpfs']);
    str(o.path, `${tp}.path`, LIMITS.longString);
    str(o.fsType, `${tp}.fsType`, LIMITS.shortString);
    int(o.blockSize, `${tp}.blockSize`, 0, 1 << 30);
    bool(o.tmpfs, `${tp}.tmpfs`);
  });
  const git = obj(e.git, `${P}.git`, ['commit', 'clean']);
  hex(git.commit, `${P}.git.commit`, HEX40, 'a 40-hex lowercase git commit');
  bool(git.clean, `${P}.git.clean`);
  nullable(e.script, `${P}.script`, (x, p) => {
    const s = obj(x, p, ['path', 'sha256']);
    str(s.path, `${p}.path`, LIMITS.longString);
    sha(s.sha256, `${p}.sha256`);
  });
  arr(e.commandLine, `${P}.commandLine`, 0, LIMITS.commandLineArgs).forEach((a, i) => str(a, `${P}.commandLine[${i}]`, LIMITS.longString, false));
  bool(e.release, `${P}.release`);
}
