/**
 * Governance unreachable (no such canister, uninstalled), rejecting (a canister without the
 * method) or answering "no such proposal": sync_proposal returns a typed Err, the stored record
 * stays exactly as it was, and the failure is visible in sync_status and get_proposal.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { METHODS } from '../../protocol/service.js';
import { CanisterCallError } from '../../replica/runtime/index.js';
import { callFailure } from '../../canister/proposals/failures.js';
import { makeProposalInfo } from '../../protocol/nns/build.js';
import { IC_OS_ELECTION_TOPIC, NNS_FUNCTION, PROPOSAL_STATUS } from '../../protocol/nns/functions.js';
import { deploySync, guestSeed, INTERVAL_S, PROBE_WASM, wasm, CONTROLLER, SOMEONE, type SyncEnv } from './harness.js';
import { errOf, ok, SECOND, seeded, some, storedFields } from './util.js';

const G = '4c4ba8b9e3f6d2a1c0b9a8f7e6d5c4b3a29180706f5e4d3c2b1a09f8e7d6c5b4';
const OTHER = '1111111111111111111111111111111111111111111111111111111111111111';
const ID = 139701n;

/** A synced proposal, then governance changes its answer (so a successful read would change the record). */
async function syncedThenChanged(): Promise<{ env: SyncEnv; before: unknown; reportBefore: unknown }> {
  const env = await deploySync();
  seeded(await env.gov.add_election(guestSeed(ID, G)));
  ok(await env.user.sync_proposal(ID));
  seeded(await env.gov.add_election(guestSeed(ID, OTHER)));
  seeded(await env.gov.set_status(ID, PROPOSAL_STATUS.rejected));
  await env.rt.advanceTime(SECOND);
  const before = storedFields(some(await env.user.get_proposal(ID)));
  const reportBefore = JSON.stringify(await env.user.proposal_report(ID), (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
  return { env, before, reportBefore };
}

async function assertUnchangedWithError(env: SyncEnv, before: unknown, reportBefore: unknown, kind: RegExp): Promise<void> {
  const now = some(await env.user.get_proposal(ID));
  assert.deepEqual(storedFields(now), before, 'the stored record is unchanged');
  const report = some(await env.user.proposal_report(ID));
  const { governance: g, ...rest } = report;
  const { governance: _g, ...parsed } = JSON.parse(reportBefore as string)[0];
  assert.deepEqual(JSON.parse(JSON.stringify(rest, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))), parsed, 'the report is unchanged');
  assert.deepEqual(some(g ?? []).sha256, [G]);
  const last = some(now.last_error, 'last_error on the proposal');
  assert.match(last.kind, kind);
  assert.deepEqual(last.proposal, [ID]);
  const status = await env.user.sync_status();
  assert.match(status.errors[0].kind, kind);
  assert.ok(status.errors[0].message.length > 20, 'the message says what happened');
}

describe('canister sync: governance failures leave stored data unchanged and the error visible', () => {
  it('governance id of a canister that does not exist: governance-unreachable', async () => {
    const { env, before, reportBefore } = await syncedThenChanged();
    const nowhere = Principal.fromText('rrkah-fqaaa-aaaaa-aaaaq-cai');
    ok(await env.controller.set_sync_config({ governance: nowhere, interval_seconds: INTERVAL_S }));
    const e = errOf(await env.user.sync_proposal(ID));
    assert.equal(e.kind, 'governance-unreachable');
    assert.match(e.message, /rrkah-fqaaa-aaaaa-aaaaq-cai/);
    assert.match(e.message, /rejected \(3 DestinationInvalid\)/);
    await assertUnchangedWithError(env, before, reportBefore, /^governance-unreachable$/);
  });

  it('governance uninstalled', async () => {
    const { env, before, reportBefore } = await syncedThenChanged();
    env.rt.uninstall(env.governance);
    const e = errOf(await env.user.sync_proposal(ID));
    assert.match(e.kind, /^governance-(unreachable|rejected)$/);
    assert.match(e.message, new RegExp(env.governance.toText()));
    await assertUnchangedWithError(env, before, reportBefore, /^governance-(unreachable|rejected)$/);
  });

  it('governance rejecting the call (a canister without get_proposal_info)', async () => {
    const { env, before, reportBefore } = await syncedThenChanged();
    const probe = env.rt.createCanister({ controllers: [CONTROLLER] });
    await env.rt.install(probe, wasm(PROBE_WASM), { arg: new Uint8Array([0x44, 0x49, 0x44, 0x4c, 0x00, 0x01, 0x71, 0x00]) });
    ok(await env.controller.set_sync_config({ governance: probe, interval_seconds: INTERVAL_S }));
    const e = errOf(await env.user.sync_proposal(ID));
    assert.match(e.kind, /^governance-(unreachable|rejected)$/);
    assert.match(e.message, /get_proposal_info/);
    await assertUnchangedWithError(env, before, reportBefore, /^governance-(unreachable|rejected)$/);
  });

  it('the timer against an unreachable governance records the failure and changes nothing', async () => {
    const { env, before, reportBefore } = await syncedThenChanged();
    env.rt.uninstall(env.governance);
    await env.rt.advanceTime(BigInt(INTERVAL_S) * SECOND);
    const status = await env.user.sync_status();
    const discovery = status.errors.find((x) => x.proposal.length === 0);
    assert.ok(discovery, 'discovery failed (list_proposals)');
    assert.match(discovery.message, /list_proposals/);
    assert.ok(status.errors.some((x) => x.proposal.length === 1 && x.proposal[0] === ID), 'and the refresh of the open proposal');
    assert.ok(status.last_tick_at_ns[0]! > status.last_success_at_ns[0]!, 'the last run did not succeed');
    await assertUnchangedWithError(env, before, reportBefore, /^governance-(unreachable|rejected)$/);
  });

  it('open proposals governance deleted keep their record, show the error, and do not starve the others', async () => {
    const env = await deploySync();
    for (let id = 1n; id <= 24n; id++) seeded(await env.gov.add_election(guestSeed(id, G)));
    for (let id = 1n; id <= 4n; id++) ok(await env.user.sync_proposal(id));
    const before = storedFields(some(await env.user.get_proposal(1n)));
    for (const id of [1n, 2n, 3n]) seeded(await env.gov.remove_proposal(id));
    seeded(await env.gov.set_status(4n, PROPOSAL_STATUS.executed));
    await env.rt.advanceTime(BigInt(INTERVAL_S) * SECOND); // lists 24..5; refreshes 1, 2, 3: not found
    const one = some(await env.user.get_proposal(1n));
    assert.deepEqual(storedFields(one), before);
    assert.equal(some(one.last_error).kind, 'not-found');
    assert.equal(some(await env.user.get_proposal(4n)).status, 'open', 'not refreshed yet');
    await env.rt.advanceTime(BigInt(INTERVAL_S) * SECOND); // 4 is now the least recently tried
    assert.equal(some(await env.user.get_proposal(4n)).status, 'executed');
  });

  it('a proposal governance does not have: not-found, nothing stored', async () => {
    const env = await deploySync();
    const e = errOf(await env.user.sync_proposal(424242n));
    assert.equal(e.kind, 'not-found');
    assert.match(e.message, /no proposal 424242/);
    assert.deepEqual(await env.user.get_proposal(424242n), []);
    assert.deepEqual(await env.user.proposal_report(424242n), []);
    assert.equal((await env.user.sync_status()).proposals, 0n);
    assert.equal((await env.user.sync_status()).errors[0].kind, 'not-found');
  });

  it('an election whose payload is not valid Candid: bad-payload, nothing stored; the timer stores the rest', async () => {
    const env = await deploySync();
    const broken = makeProposalInfo({
      id: 139750n,
      title: 'Broken election',
      summary: '',
      topic: IC_OS_ELECTION_TOPIC,
      action: { ExecuteNnsFunction: { nns_function: NNS_FUNCTION.ReviseElectedGuestosVersions, payload: Uint8Array.of(1, 2, 3) } },
      proposedAtSeconds: 1n
    });
    seeded(await env.gov.add_proposal(broken));
    seeded(await env.gov.add_election(guestSeed(139751n, G)));
    const e = errOf(await env.user.sync_proposal(139750n));
    assert.equal(e.kind, 'bad-payload');
    assert.match(e.message, /139750/);
    assert.deepEqual(await env.user.get_proposal(139750n), []);
    await env.rt.advanceTime(BigInt(INTERVAL_S) * SECOND);
    assert.deepEqual(await env.user.get_proposal(139750n), []);
    assert.equal((await env.user.get_proposal(139751n)).length, 1);
    const status = await env.user.sync_status();
    assert.ok(status.errors.some((x) => x.kind === 'bad-payload' && x.proposal[0] === 139750n));
  });

  it('reject codes: 4 and 5 come from governance (rejected), the others mean it was not reached', () => {
    const gov = Principal.fromText('rrkah-fqaaa-aaaaa-aaaaq-cai');
    assert.equal(callFailure(gov, 'get_proposal_info', { type: 'CallRejected', rejectCode: 5, rejectMessage: 'trapped' }).kind, 'governance-rejected');
    assert.equal(callFailure(gov, 'get_proposal_info', { type: 'CallRejected', rejectCode: 4, rejectMessage: 'no' }).kind, 'governance-rejected');
    for (const code of [1, 2, 3, 6]) assert.equal(callFailure(gov, 'list_proposals', { type: 'CallRejected', rejectCode: code, rejectMessage: 'x' }).kind, 'governance-unreachable');
    const perform = callFailure(gov, 'list_proposals', { type: 'CallPerformFailed' });
    assert.equal(perform.kind, 'governance-unreachable');
    assert.match(perform.message, /CallPerformFailed/);
  });

  it('set_sync_config is for controllers and validates its input', async () => {
    const env = await deploySync();
    // As ingress, inspect_message refuses a non-controller before execution; called directly
    // (as another canister would), the method itself answers not-controller.
    await assert.rejects(env.user.set_sync_config({ governance: env.governance, interval_seconds: 60 }), (e: unknown) => e instanceof CanisterCallError && e.errorCode === 'IC0516');
    const arg = new Uint8Array(IDL.encode([...METHODS.set_sync_config.args], [{ governance: env.governance, interval_seconds: 60 }]));
    const direct = await env.rt.update(env.attestations, 'set_sync_config', arg, { caller: SOMEONE });
    assert.equal(direct.kind, 'replied');
    if (direct.kind === 'replied') {
      const [r] = IDL.decode([METHODS.set_sync_config.ret], direct.reply) as unknown as [Parameters<typeof errOf>[0]];
      assert.equal(errOf(r).kind, 'not-controller');
    }
    assert.equal(errOf(await env.controller.set_sync_config({ governance: env.governance, interval_seconds: 3 })).kind, 'invalid-config');
    assert.equal(errOf(await env.controller.set_sync_config({ governance: Principal.anonymous(), interval_seconds: 60 })).kind, 'invalid-config');
    assert.equal((await env.user.sync_status()).config.governance.toText(), env.governance.toText());
  });
});
