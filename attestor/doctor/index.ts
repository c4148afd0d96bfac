/**
 * `icos-attest doctor`: this machine against the catalogue of known causes (protocol/causes.ts),
 * before any proposal arrives. The core is pure (`diagnoseMachine(env)`); the shell gathers the
 * facts (collectEnvironmentV2) or reads them from a file (`--facts`: a result file or an
 * environment record), so each cause can be checked with a faked environment.
 *
 * JSON shape (`--json`), stable; fields are only ever added:
 * { "schema": "icos-attest/doctor/v1", "ok": bool,
 *   "findings": [{ "cause", "title", "scope": "bytes|machine", "evidence": [..], "fix" }],
 *   "environment": EnvironmentV2 }
 */
import { CAUSES, findingsOf, type Finding } from '../../protocol/causes.js';
import { isEnvironmentV2, normaliseEnvironment, type EnvironmentV2 } from '../../protocol/environment.js';
import type { Environment } from '../../protocol/types.js';

export const DOCTOR_SCHEMA = 'icos-attest/doctor/v1';

export interface DoctorReport {
  schema: typeof DOCTOR_SCHEMA;
  ok: boolean;
  findings: (Finding & { scope: 'bytes' | 'machine' })[];
  environment: EnvironmentV2;
}

export function diagnoseMachine(env: EnvironmentV2): DoctorReport {
  const findings = findingsOf(env, { scope: 'all' }).map((f) => ({ ...f, scope: CAUSES[f.cause].scope }));
  return { schema: DOCTOR_SCHEMA, ok: findings.length === 0, findings, environment: env };
}

/** Facts from a file: an environment record (v1 or v2), or a result file / statement holding one. */
export function factsFromJson(raw: unknown): EnvironmentV2 | null {
  const pick = (v: unknown): unknown => {
    if (typeof v !== 'object' || v === null) return null;
    const o = v as Record<string, unknown>;
    if ('kernel' in o && 'git' in o) return o;
    return pick(o.environment) ?? pick(o.predicate) ?? pick(o.result);
  };
  const e = pick(raw);
  if (!e) return null;
  return isEnvironmentV2(e) ? normaliseEnvironment(e) : normaliseEnvironment(e as Environment);
}

export function formatDoctor(r: DoctorReport): string {
  const e = r.environment;
  const lines = [
    `machine: ${e.os.name} ${e.os.version}, kernel ${e.kernel}${e.wsl ? ' (WSL)' : ''}, ${e.arch}, ${e.cpus} CPUs, ${(e.memoryBytes / 2 ** 30).toFixed(1)} GiB RAM, ${(e.diskFreeBytes / 2 ** 30).toFixed(0)} GiB free`,
    `container: ${e.container ? `${e.container.engine} ${e.container.version ?? '?'}${e.container.rootful === false ? ' (rootless)' : ''}${e.container.storageDriver ? `, ${e.container.storageDriver}` : ''}` : 'none'}`,
  ];
  if (r.ok) lines.push('ok: no known cause of divergent hashes applies to this machine');
  for (const f of r.findings) lines.push(`${f.scope === 'bytes' ? 'DIFFERS' : 'RISK'}  ${f.title}: ${f.evidence.join('; ')}`, `        fix: ${f.fix}`);
  return `${lines.join('\n')}\n`;
}
