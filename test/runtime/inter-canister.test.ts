import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Principal } from '@dfinity/principal';

import { CanisterCallError, RejectCode } from '../../replica/runtime/index.js';
import { installProbe, probe, probeActor } from './probe.js';

describe('runtime: inter-canister calls (two compiled probe canisters)', () => {
  it('delivers the reply to the callback, which runs as its own message', async () => {
    const { rt, actor } = await probe();
    const b = await installProbe(rt);
    assert.equal(await actor.call_echo(b, 'ping'), 'ping');
    assert.deepEqual(await actor.after_call(), ['ping']);
  });

  it('delivers rejects: callee trapped, method missing, canister missing, callee msg_reject', async () => {
    const { rt, actor } = await probe();
    const b = await installProbe(rt);
    assert.match(await actor.call_catch(b, 'put_then_trap', 'x'), /^rejected 5: .*boom x/);
    assert.deepEqual(await probeActor(rt, b).get('x'), []);
    assert.match(await actor.call_catch(b, 'no_such_method', 'x'), /^rejected 3: .*no update method 'no_such_method'/);
    assert.match(await actor.call_catch(Principal.fromText('rrkah-fqaaa-aaaaa-aaaaq-cai'), 'echo', 'x'), /^rejected 3: .*not found/);
    assert.match(await actor.call_catch(b, 'reject_with', 'nope'), /^rejected 4: nope$/);
    assert.match(await actor.call_catch(Principal.fromText('aaaaa-aa'), 'canister_status', 'x'), /^rejected 3: /);
  });

  it('a trap in the reply callback rolls back that callback only', async () => {
    const { rt, id, actor } = await probe();
    const b = await installProbe(rt);
    await assert.rejects(actor.call_then_trap(b, 'k'), (e: unknown) => {
      assert.ok(e instanceof CanisterCallError);
      assert.equal(e.code, RejectCode.CanisterError);
      assert.equal(e.errorCode, 'IC0503');
      assert.match(e.message, /trap after call k/);
      return true;
    });
    // The first message (before the await) committed; the callback's writes did not.
    assert.deepEqual(await actor.get('k:before'), ['x']);
    assert.deepEqual(await actor.get('k:after'), []);
    assert.equal(await actor.heap_counter(), 1n);
    // And the canister keeps working, including further calls.
    assert.equal(await actor.call_echo(b, 'again'), 'again');
    assert.equal(typeof rt.stateHash(id), 'string');
  });

  it('runs the callback as a later message: a query in between sees the state before it', async () => {
    const { rt, actor } = await probe();
    const b = await installProbe(rt);
    const pending = actor.call_echo(b, 'later');
    assert.deepEqual(await actor.after_call(), []);
    assert.equal(await pending, 'later');
    assert.deepEqual(await actor.after_call(), ['later']);
  });

  it('moves cycles: the callee accepts half, the rest is refunded to the caller', async () => {
    const { rt, actor } = await probe();
    const b = await installProbe(rt);
    const other = probeActor(rt, b);
    const [a0, b0] = [await actor.cycle_balance(), await other.cycle_balance()];
    assert.equal(await actor.send_cycles(b, 1_000_000n), '500000 500000');
    assert.equal(await actor.cycle_balance(), a0 - 500_000n);
    assert.equal(await other.cycle_balance(), b0 + 500_000n);
  });

  it('a canister can call itself', async () => {
    const { id, actor } = await probe();
    assert.equal(await actor.call_echo(id, 'me'), 'me');
  });
});
