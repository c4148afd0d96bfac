import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { RuntimeError } from '../../replica/runtime/index.js';
import { initArg, probe, probeWasm } from './probe.js';

describe('runtime: install and upgrade (compiled probe Wasm)', () => {
  it('upgrade runs pre_upgrade, keeps stable data and loses heap data', async () => {
    const { rt, id, actor } = await probe('first');
    await actor.put('k', 'v');
    await actor.put('k2', 'v2');
    assert.equal(await actor.heap_counter(), 2n);
    await rt.install(id, probeWasm(), { mode: 'upgrade', arg: initArg('second') });
    assert.deepEqual(await actor.get('k'), ['v']);
    assert.deepEqual(await actor.get('pre_upgrade_heap'), ['2']);
    assert.equal(await actor.heap_counter(), 0n);
    assert.equal(await actor.init_arg(), 'upgraded:second');
    assert.equal(await actor.put('k3', 'v3'), 1n);
  });

  it('a trap in post_upgrade throws and leaves the old state and module working', async () => {
    const { rt, id, actor } = await probe('first');
    await actor.put('k', 'v');
    const before = rt.stateHash(id);
    await assert.rejects(rt.install(id, probeWasm(), { mode: 'upgrade', arg: initArg('trap') }), (e: unknown) => {
      assert.ok(e instanceof RuntimeError);
      assert.equal(e.kind, 'trapped');
      assert.match(e.message, /post_upgrade refused/);
      return true;
    });
    assert.equal(rt.stateHash(id), before);
    assert.deepEqual(await actor.get('post_upgrade'), []);
    assert.deepEqual(await actor.get('pre_upgrade_heap'), []);
    assert.equal(await actor.heap_counter(), 1n);
    assert.equal(await actor.put('k2', 'v2'), 2n);
  });

  it('a trap in init leaves the canister empty; install twice is refused; reinstall wipes stable memory', async () => {
    const { rt, id, actor } = await probe('first');
    await actor.put('k', 'v');
    await assert.rejects(rt.install(id, probeWasm(), { arg: initArg('x') }), (e: unknown) => e instanceof RuntimeError && e.kind === 'already-installed');
    await rt.install(id, probeWasm(), { mode: 'reinstall', arg: initArg('again') });
    assert.deepEqual(await actor.get('k'), []);
    assert.equal(await actor.init_arg(), 'again');
    const empty = rt.createCanister();
    await assert.rejects(rt.install(empty, probeWasm(), { arg: initArg('trap') }), /init refused/);
    assert.equal(rt.canisterInfo(empty)?.moduleHash, null);
  });
});
