/** Small helpers shared by the canister tests. */
import assert from 'node:assert/strict';
import { Principal } from '@dfinity/principal';
import type { AttestationsService, Result } from '../../protocol/service.js';
import { CanisterCallError } from '../../replica/runtime/index.js';
import type { Deployed } from './harness.js';

/** Candid values as plain JSON-able data: bigint → "123n", principal → text, bytes → hex. */
export function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Principal || (typeof v === 'object' && v !== null && (v as { _isPrincipal?: boolean })._isPrincipal)) return (v as Principal).toText();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

export function ok<T>(r: Result<T>): T {
  if ('Err' in r) assert.fail(`expected Ok, got Err ${r.Err.kind}: ${r.Err.message}`);
  return r.Ok;
}

export function errKind<T>(r: Result<T>): string {
  if ('Ok' in r) assert.fail(`expected Err, got Ok ${JSON.stringify(plain(r.Ok))}`);
  return r.Err.kind;
}

/** Everything observable about the canister's stored state, for "nothing changed" checks. */
export async function snapshot(d: Deployed, proposals: bigint[]): Promise<unknown> {
  const q = d.anonymous;
  const attestations = [];
  let cursor: [] | [bigint] = [];
  for (;;) {
    const page = await q.list_attestations({ proposal: [], os: [], reviewer: [], include_revoked: true }, cursor, 100);
    attestations.push(...page.attestations);
    if (page.next_cursor.length === 0) break;
    cursor = page.next_cursor;
  }
  const reports = [];
  for (const p of proposals) reports.push(await q.proposal_report(p));
  return plain({
    stats: await q.stats(),
    config: await q.get_config(),
    reviewers: (await q.list_reviewers([], 100)).reviewers,
    attestations,
    reports,
    proposals: await q.list_proposals([], 50)
  });
}

/** Runs an actor call that canister_inspect_message must refuse; returns the IC error code. */
export async function refusedCode(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (e) {
    if (e instanceof CanisterCallError) return e.errorCode;
    throw e;
  }
  assert.fail('expected the call to be refused');
}

export type Service = AttestationsService;
