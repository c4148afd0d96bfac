import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';

import { CanisterCallError, Runtime, RuntimeError } from '../../replica/runtime/index.js';
import { initArg, installProbe, probe, probeActor, probeWasm } from './probe.js';

const anon = Principal.anonymous();
const noArgs = new Uint8Array(IDL.encode([], []));

/** A hand-assembled canister: `spin` loops 1000 times, then replies. */
function spinModule(): Uint8Array {
  const name = (s: string) => [s.length, ...new TextEncoder().encode(s)];
  const section = (id: number, body: number[]) => [id, body.length, ...body];
  const code = [0x01, 0x01, 0x7f, 0x41, 0xe8, 0x07, 0x21, 0x00, 0x03, 0x40, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x22, 0x00, 0x0d, 0x00, 0x0b, 0x10, 0x00, 0x0b];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [0x01, 0x60, 0x00, 0x00]),
    ...section(2, [0x01, ...name('ic0'), ...name('msg_reply'), 0x00, 0x00]),
    ...section(3, [0x01, 0x00]),
    ...section(5, [0x01, 0x00, 0x01]),
    ...section(7, [0x02, ...name('memory'), 0x02, 0x00, ...name('canister_query spin'), 0x00, 0x01]),
    ...section(10, [0x01, code.length, ...code])
  ]);
}

describe('runtime: instruction counting', () => {
  it('counts exactly on a hand-assembled loop, with the IC cost table', async () => {
    const rt = new Runtime({ log: () => {} });
    const id = rt.createCanister();
    await rt.install(id, spinModule());
    const r = await rt.query(id, 'spin', noArgs, { caller: anon });
    assert.equal(r.kind, 'replied');
    // i32.const 1 + local.set 1; per iteration local.get, i32.const, i32.sub, local.tee 1 each + br_if 2;
    // then call 5; block markers 0; msg_reply's system API cost 20.
    assert.equal(r.instructions, 2n + 1000n * 6n + 5n + 20n);
  });

  it('reports real counts for the probe: deterministic, growing with work, visible to performance_counter', async () => {
    const { rt, id, actor } = await probe();
    const get = () => rt.query(id, 'get', new Uint8Array(IDL.encode([IDL.Text], ['k'])), { caller: anon });
    const first = await get();
    const second = await get();
    assert.ok(first.instructions > 100_000n, `a Candid round trip through QuickJS costs more than ${first.instructions}`);
    assert.equal(first.instructions, second.instructions);
    const put = (v: string) => rt.update(id, 'put', new Uint8Array(IDL.encode([IDL.Text, IDL.Text], ['k', v])), { caller: anon });
    const small = await put('x');
    const large = await put('x'.repeat(200_000));
    assert.ok(large.instructions > small.instructions + 200_000n, `${large.instructions} vs ${small.instructions}`);
    const inside = await actor.instructions();
    assert.ok(inside > 0n && inside < first.instructions, `performance_counter ${inside}`);
  });

  it('enforces the per-message limits with IC0522 and keeps the state', async () => {
    const rt = new Runtime({ log: () => {}, instructionLimits: { query: 1_000_000n, update: 2_000_000n } });
    const id = await installProbe(rt);
    const actor = probeActor(rt, id);
    const before = rt.stateHash(id);
    await assert.rejects(actor.get('k'), (e: unknown) => e instanceof CanisterCallError && e.errorCode === 'IC0522');
    await assert.rejects(actor.put('k', 'v'), (e: unknown) => e instanceof CanisterCallError && e.errorCode === 'IC0522');
    assert.equal(rt.stateHash(id), before);
  });

  it('refuses an install that exceeds the install limit and leaves the canister empty', async () => {
    const rt = new Runtime({ log: () => {}, instructionLimits: { install: 10_000_000n } });
    const id = rt.createCanister();
    await assert.rejects(rt.install(id, probeWasm(), { arg: initArg('x') }), (e: unknown) => e instanceof RuntimeError && e.kind === 'out-of-instructions');
    assert.equal(rt.canisterInfo(id)?.moduleHash, null);
  });

  it('can be switched off (instructions then read 0)', async () => {
    const rt = new Runtime({ log: () => {}, countInstructions: false });
    const id = rt.createCanister();
    await rt.install(id, spinModule());
    const r = await rt.query(id, 'spin', noArgs, { caller: anon });
    assert.equal(r.instructions, 0n);
  });
});
