import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';

import { Runtime } from '../../replica/runtime/index.js';
import { installProbe, probe, probeActor } from './probe.js';

const SECOND = 1_000_000_000n;

describe('runtime: time, global timer and raw_rand (compiled probe Wasm)', () => {
  it('fires a timer only once time reaches it', async () => {
    const { rt, actor } = await probe();
    await actor.schedule(10n);
    await rt.advanceTime(5n * SECOND);
    assert.equal(await actor.timer_fires(), 0n);
    await rt.advanceTime(6n * SECOND);
    assert.equal(await actor.timer_fires(), 1n);
    await rt.advanceTime(60n * SECOND);
    assert.equal(await actor.timer_fires(), 1n);
  });

  it('seeds each canister from raw_rand: random bytes differ across canisters and calls', async () => {
    const { rt, actor } = await probe();
    const other = probeActor(rt, await installProbe(rt));
    const a1 = await actor.random_bytes();
    const a2 = await actor.random_bytes();
    const b1 = await other.random_bytes();
    assert.equal(a1.length, 16);
    assert.notDeepEqual(a1, a2);
    assert.notDeepEqual(a1, b1);
  });

  it('answers raw_rand from the management canister with 32 fresh bytes', async () => {
    const { actor } = await probe();
    const r1 = await actor.raw_rand();
    const r2 = await actor.raw_rand();
    assert.equal(r1.length, 32);
    assert.notDeepEqual(r1, r2);
  });

  it('follows the wall clock when asked to', async () => {
    const rt = new Runtime({ wallClock: true, timeNs: 0n, log: () => {} });
    const id = await installProbe(rt);
    const floor = BigInt(Date.now()) * 1_000_000n;
    const r = await rt.update(id, 'now', new Uint8Array(IDL.encode([], [])), { caller: Principal.anonymous() });
    assert.equal(r.kind, 'replied');
    const [seen] = IDL.decode([IDL.Nat64], (r as { reply: Uint8Array }).reply) as [bigint];
    assert.ok(seen >= floor, `${seen} < ${floor}`);
    assert.equal(rt.time(), seen);
  });
});
