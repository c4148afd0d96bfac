/**
 * Statement validation: every field, with the path of the first one at fault. Unknown keys are
 * rejected everywhere (not only at the top of the predicate): a signed record that carries data
 * no verifier looks at is a place to smuggle things, and a new field means a new predicate version.
 */
import { checkArtifactEvidence, EVIDENCE_FIELDS } from './artifact-evidence.js';
import { ARTIFACTS_BY_OS, computeOutcome } from './artifacts.js';
import { fail, ok, ProtocolError, type Result } from './errors.js';
import { LIMITS } from './limits.js';
import { checkEnvironment, checkEnvironmentV2, checkNoPrivatePaths } from './validate-environment.js';
import { arr, bad, bool, describe, HEX40, hex, int, nat64, nullable, obj, sha, str } from './validate-fields.js';
import {
  OS_NAMES,
  PREDICATE_TYPE,
  PREDICATE_TYPE_V2,
  STATEMENT_TYPE,
  type ArtifactResult,
  type OsName,
  type Statement
} from './types.js';

const TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
/** A mirror: host name, optionally with a port (local mirrors in tests and private caches). */
const HOST = new RegExp(`^${LABEL}(?:\\.${LABEL})*(?::(?:[1-9][0-9]{0,4}))?$`);
const MANIFEST_KINDS = ['file', 'dir', 'symlink', 'partition', 'other'];

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
  if (v2) checkEnvironmentV2(p.environment);
  else checkEnvironment(p.environment);
  const tool = obj(p.tool, 'predicate.tool', ['name', 'version']);
  str(tool.name, 'predicate.tool.name', LIMITS.shortString);
  str(tool.version, 'predicate.tool.version', LIMITS.shortString);
  const started = time(p.startedAt, 'predicate.startedAt');
  const finished = time(p.finishedAt, 'predicate.finishedAt');
  if (finished < started) bad('predicate.finishedAt', 'is before startedAt');
  if ('supersedes' in p) nat64(p.supersedes, 'predicate.supersedes');
  if (v2) checkNoPrivatePaths(p);

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
