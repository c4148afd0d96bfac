/** Replica time: follows the wall clock, and an agent copes when the caller moved it ahead. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Actor } from '@dfinity/agent';
import type { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';
import { startLocalReplica, type LocalReplica } from './local-replica.js';

let r: LocalReplica;
before(async () => { r = await startLocalReplica(); });
after(async () => { await r.close(); });

test('an update with inter-canister calls completes over v3 and over v2 polling', async () => {
  const idl: IDL.InterfaceFactory = ({ IDL }) => IDL.Service({ call_echo: IDL.Func([IDL.Principal, IDL.Text], [IDL.Text], []) });
  const v2Only: typeof fetch = (url, init) =>
    fetch(String(url).replace(/\/api\/v3\/canister\/([^/]+)\/call$/, '/api/v3/canister/$1/call-unsupported'), init);
  for (const agent of [await r.agent(), await r.agent(undefined, { fetch: v2Only })]) {
    const probe = Actor.createActor<{ call_echo(p: Principal, s: string): Promise<string> }>(idl, { agent, canisterId: r.probeId });
    assert.equal(await probe.call_echo(r.probeId, 'round trip'), 'round trip');
  }
});

test('with replica time an hour ahead, a fresh agent re-syncs its clock and still queries and calls', async () => {
  const hour = 3_600_000_000_000n;
  r.runtime.setTime(r.runtime.time() + hour);
  const agent = await r.agent(undefined, { retryTimes: 1 });
  const probe = r.probe(agent);
  await probe.put('later', 'yes');
  assert.ok(agent.hasSyncedTime(), 'the agent synced to replica time after "Invalid request expiry"');
  assert.deepEqual(await probe.get('later'), ['yes']);
  const now = await probe.now();
  assert.ok(now >= BigInt(Date.now()) * 1_000_000n + hour - 60_000_000_000n, 'the time set ahead is kept, not pulled back to the wall clock');
});
