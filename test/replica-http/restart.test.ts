/** A replica restarted with its saved identity key keeps its root key, so clients keep trusting it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpAgent, Actor } from '@dfinity/agent';
import { IDL } from '@dfinity/candid';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { Runtime } from '../../replica/runtime/index.js';
import { startReplicaServer, ReplicaServerError } from '../../replica/http/index.js';
import { probeIdl, probeWasm, type Probe } from './local-replica.js';

test('restart with the saved BLS key: same root key and URL; agents built for the first run still verify', async () => {
  const runtime = new Runtime({ log: () => {} });
  const id = runtime.createCanister();
  await runtime.install(id, probeWasm(), { arg: new Uint8Array(IDL.encode([IDL.Text], ['restart'])) });
  const first = await startReplicaServer({ runtime });
  const identity = Ed25519KeyIdentity.generate();
  const agent = await HttpAgent.create({ host: first.url, rootKey: first.rootKey, identity });
  const probe = Actor.createActor<Probe>(probeIdl, { agent, canisterId: id });
  await probe.put('kept', 'yes');
  await first.close();

  const second = await startReplicaServer({ runtime, port: first.port, identityKey: first.blsSecretKey });
  try {
    assert.equal(second.url, first.url);
    assert.deepEqual(second.rootKey, first.rootKey);
    assert.deepEqual(await probe.get('kept'), ['yes']);
    assert.equal(await probe.whoami_update(), identity.getPrincipal().toText());
    // A client that fetches the root key from /api/v2/status gets the same one.
    const fetched = await HttpAgent.create({ host: second.url, shouldFetchRootKey: true });
    assert.deepEqual(fetched.rootKey, first.rootKey);
  } finally {
    await second.close();
  }
});

test('a stored identity key that is not a BLS secret is refused with an error the caller can act on', async () => {
  await assert.rejects(startReplicaServer({ runtime: new Runtime({ log: () => {} }), identityKey: new Uint8Array(32).fill(0xff) }), (e: unknown) =>
    e instanceof ReplicaServerError && e.kind === 'invalid-identity-key' && /delete the stored key/.test(e.message));
});
