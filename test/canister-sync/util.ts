/** Helpers for the governance sync tests. */
import assert from 'node:assert/strict';
import type { GovernanceProposal, Opt, Result } from '../../protocol/service.js';

export const SECOND = 1_000_000_000n;

export function ok<T>(r: Result<T>): T {
  if ('Err' in r) assert.fail(`expected Ok, got Err ${r.Err.kind}: ${r.Err.message}`);
  return r.Ok;
}

export function errOf<T>(r: Result<T>): { kind: string; message: string } {
  if ('Ok' in r) assert.fail('expected Err, got Ok');
  return r.Err;
}

export function some<T>(o: Opt<T>, what = 'value'): T {
  assert.equal(o.length, 1, `expected a ${what}`);
  return o[0] as T;
}

/** The stored fields of a governance record, without last_error (which reports later failures). */
export function storedFields(p: GovernanceProposal): unknown {
  const { last_error: _ignored, governance, ...rest } = p;
  return JSON.parse(JSON.stringify({ ...rest, governance: governance.toText() }, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)));
}

/** The governance stand-in's seeding result (Err is plain text there). */
export function seeded(r: { Ok: bigint } | { Err: string }): bigint {
  if ('Err' in r) assert.fail(`seeding the governance stand-in failed: ${r.Err}`);
  return r.Ok;
}
