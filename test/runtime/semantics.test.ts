import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import { IDL } from '@dfinity/candid';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';

import { CanisterCallError, RejectCode, type Runtime } from '../../replica/runtime/index.js';
import type { ProbeService } from '../fixtures/canisters/probe/probe.idl.js';
import { controller, probe, probeActor } from './probe.js';

describe('runtime: single canister semantics (compiled probe Wasm)', () => {
  let rt: Runtime;
  let id: Principal;
  let actor: ProbeService;
  before(async () => ({ rt, id, actor } = await probe('hello')));

  it('passes the init argument to canister_init', async () => {
    assert.equal(await actor.init_arg(), 'hello');
    assert.deepEqual(await actor.get('init'), ['hello']);
  });

  it('assigns local-replica style canister ids', () => {
    assert.equal(id.toText(), 'bkyz2-fmaaa-aaaaa-qaaaq-cai');
    assert.equal(rt.createCanister().toText(), 'bd3sg-teaaa-aaaaa-qaaba-cai');
  });

  it('reports the caller: anonymous, an Ed25519 identity, and the canister itself', async () => {
    assert.equal(await actor.whoami(), '2vxsx-fae');
    const identity = Ed25519KeyIdentity.generate();
    const asUser = probeActor(rt, id, identity);
    assert.equal(await asUser.whoami(), identity.getPrincipal().toText());
    assert.equal(await asUser.whoami_update(), identity.getPrincipal().toText());
    assert.equal((await actor.self_id()).toText(), id.toText());
  });

  it('rolls back a trapped update byte-identically and keeps working', async () => {
    await actor.put('kept', 'v');
    const before = rt.stateHash(id);
    const counter = await actor.heap_counter();
    await assert.rejects(actor.put_then_trap('lost'), (e: unknown) => {
      assert.ok(e instanceof CanisterCallError);
      assert.equal(e.code, RejectCode.CanisterError);
      assert.equal(e.errorCode, 'IC0503');
      assert.match(e.message, /boom lost/);
      return true;
    });
    assert.equal(rt.stateHash(id), before);
    await assert.rejects(actor.put_then_throw('lost2'), /thrown lost2/);
    assert.equal(rt.stateHash(id), before);
    assert.deepEqual(await actor.get('lost'), []);
    assert.equal(await actor.heap_counter(), counter);
    assert.equal(await actor.put('after', 'trap'), counter + 1n);
    assert.deepEqual(await actor.get('after'), ['trap']);
  });

  it('never persists anything a query writes', async () => {
    const before = rt.stateHash(id);
    const counter = await actor.heap_counter();
    assert.equal(await actor.put_in_query('q', 'v'), counter + 1000n);
    assert.equal(rt.stateHash(id), before);
    assert.deepEqual(await actor.get('q'), []);
    assert.equal(await actor.heap_counter(), counter);
  });

  it('runs a query method called as an update in replicated mode, without persisting', async () => {
    const result = await rt.update(id, 'replicated', new Uint8Array(IDL.encode([], [])), { caller: Principal.anonymous() });
    assert.equal(result.kind, 'replied');
    assert.deepEqual(IDL.decode([IDL.Bool], (result as { reply: Uint8Array }).reply), [true]);
    assert.equal(await actor.replicated(), false);
  });

  it('turns msg_reject into an IC0406 CanisterReject with the message', async () => {
    await assert.rejects(actor.reject_with('no thanks'), (e: unknown) => {
      assert.ok(e instanceof CanisterCallError);
      assert.equal(e.code, RejectCode.CanisterReject);
      assert.equal(e.errorCode, 'IC0406');
      assert.equal(e.message, 'no thanks');
      return true;
    });
  });

  it('runs canister_inspect_message for ingress and refuses what it rejects', async () => {
    await assert.rejects(actor.refused_by_inspect(), (e: unknown) => e instanceof CanisterCallError && e.errorCode === 'IC0516');
    // Not ingress (e.g. a test driving the runtime directly): inspect does not apply.
    const direct = await rt.update(id, 'refused_by_inspect', new Uint8Array(IDL.encode([], [])), { caller: Principal.anonymous() });
    assert.equal(direct.kind, 'replied');
  });

  it('answers unknown canisters and methods with the IC error codes', async () => {
    const arg = new Uint8Array(IDL.encode([], []));
    const anon = Principal.anonymous();
    const noCanister = await rt.update(Principal.fromText('rrkah-fqaaa-aaaaa-aaaaq-cai'), 'x', arg, { caller: anon });
    assert.equal(noCanister.kind, 'rejected');
    assert.equal(noCanister.kind === 'rejected' && noCanister.errorCode, 'IC0301');
    const noMethod = await rt.update(id, 'nope', arg, { caller: anon });
    assert.equal(noMethod.kind === 'rejected' && noMethod.errorCode, 'IC0302');
    const updateAsQuery = await rt.query(id, 'put', new Uint8Array(IDL.encode([IDL.Text, IDL.Text], ['a', 'b'])), { caller: anon });
    assert.equal(updateAsQuery.kind === 'rejected' && updateAsQuery.errorCode, 'IC0302');
    const empty = rt.createCanister();
    const noModule = await rt.query(empty, 'get', arg, { caller: anon });
    assert.equal(noModule.kind === 'rejected' && noModule.code, RejectCode.DestinationInvalid);
  });

  it('knows its controllers', async () => {
    assert.equal(await actor.is_controller(controller), true);
    assert.equal(await actor.is_controller(Principal.anonymous()), false);
  });

  it('has a data certificate in queries only, from the provider', async () => {
    assert.equal(await actor.has_certificate(), true);
    await actor.set_certified(new Uint8Array([1, 2, 3]));
    assert.deepEqual([...rt.certifiedData(id)], [1, 2, 3]);
    let seen: Uint8Array | null = null;
    rt.setDataCertificateProvider((_cid, data) => { seen = data; return null; });
    assert.equal(await actor.has_certificate(), false);
    assert.deepEqual([...(seen ?? [])], [1, 2, 3]);
    rt.setDataCertificateProvider(null);
  });

  it('reports the time the runtime sets', async () => {
    assert.equal(await actor.now(), rt.time());
    rt.setTime(1_800_000_000_000_000_000n);
    assert.equal(await actor.now(), 1_800_000_000_000_000_000n);
  });

  it('answers cycles calls with a balance', async () => {
    assert.ok((await actor.cycle_balance()) > 0n);
  });

  it('exposes module hash, controllers and the embedded Candid', () => {
    const info = rt.canisterInfo(id);
    assert.ok(info);
    assert.equal(info.moduleHash?.length, 32);
    assert.deepEqual(info.controllers.map((p) => p.toText()), [controller.toText()]);
    assert.match(new TextDecoder().decode(info.customSection('candid:service') ?? new Uint8Array()), /call_echo/);
    assert.ok(info.publicCustomSectionNames.includes('candid:service'));
    assert.equal(rt.canisterInfo(Principal.fromText('rrkah-fqaaa-aaaaa-aaaaq-cai')), null);
  });
});
