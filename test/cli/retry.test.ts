/**
 * Submit retries transport failures, never canister answers; a reply lost on the way back is
 * retried and the canister gives the same id (idempotent), storing one attestation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Principal } from '@dfinity/principal';

import { backoffDelay, withRetry } from '../../attestor/client/retry.js';
import { Context } from '../../attestor/cli/context.js';
import { startLocalReplica } from '../../attestor/cli/local-replica.js';
import { newEd25519Pem } from '../../attestor/identity/dfx.js';
import { syntheticResult } from '../fixtures/synthetic-result.js';
import { attestFile, submitFiles } from '../../attestor/cli/commands/review.js';
import type { AttestationPage } from '../../protocol/service.js';
import { canisterWasmCopy, tempDir } from './helpers.js';

test('withRetry: backs off exponentially on network failures, gives up after the attempts', async () => {
  const sleeps: number[] = [];
  let calls = 0;
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  await assert.rejects(
    withRetry(async () => {
      calls++;
      throw new TypeError('fetch failed', { cause: refused });
    }, { attempts: 4, baseDelayMs: 100, sleep: async (ms) => void sleeps.push(ms) }),
    /fetch failed/
  );
  assert.equal(calls, 4);
  assert.deepEqual(sleeps, [100, 200, 400]);
  assert.equal(backoffDelay(10, 500, 8000), 8000);
});

test('withRetry: a canister reject is not retried', async () => {
  let calls = 0;
  await assert.rejects(
    withRetry(async () => {
      calls++;
      throw Object.assign(new Error('Call was rejected: canister trapped'), { name: 'RejectError' });
    }, { sleep: async () => {} }),
    /rejected/
  );
  assert.equal(calls, 1);
});

test('a submit whose reply is lost is retried and stored once, with the same id', { timeout: 120_000 }, async (t) => {
  const dir = tempDir();
  const controllerPem = join(dir, 'controller.pem');
  writeFileSync(controllerPem, newEd25519Pem());
  const controller = Principal.fromText(new Context({ pem: controllerPem }).identity().principal);
  const replica = await startLocalReplica({ stateDir: null, port: 0, controller, wasm: new Uint8Array(readFileSync(canisterWasmCopy(dir))), log: () => {} });
  t.after(() => replica.close());

  // A proxy that swallows the answers to the first two submit calls: the request reaches the replica,
  // the client sees the connection drop.
  const target = new URL(replica.url);
  let dropped = 0;
  const proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const up = request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
        const body: Buffer[] = [];
        r.on('data', (c: Buffer) => body.push(c));
        r.on('end', () => {
          if (/\/call$/.test(req.url ?? '') && dropped < 2 && Buffer.concat(chunks).includes(Buffer.from('submit_attestation'))) {
            dropped++;
            res.socket?.destroy();
            return;
          }
          res.writeHead(r.statusCode ?? 502, r.headers);
          res.end(Buffer.concat(body));
        });
      });
      up.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  t.after(() => new Promise<void>((r) => { proxy.close(() => r()); proxy.closeAllConnections(); }));
  const rootKey = join(dir, 'root.hex');
  writeFileSync(rootKey, Buffer.from(replica.rootKey).toString('hex'));
  const pem = join(dir, 'rev.pem');
  writeFileSync(pem, newEd25519Pem());
  const ctx = new Context({ pem, network: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, canister: replica.canisterId, rootKey, quiet: true, stateDir: dir });
  const result = join(dir, 'result.json');
  writeFileSync(result, JSON.stringify(syntheticResult({ proposal: '9', oses: ['guestos'] })));
  const files = await attestFile(ctx, result, {});
  const first = await submitFiles(ctx, files.map((f) => f.path));
  assert.equal(dropped, 2, 'the proxy dropped two replies (past the agent’s own retry)');
  const again = await submitFiles(ctx, files.map((f) => f.path));
  assert.equal(again.submitted[0].id, first.submitted[0].id);
  const client = await new Context({ network: replica.url, canister: replica.canisterId, rootKey, stateDir: dir }).client();
  const page = await client.call<AttestationPage>('list_attestations', { proposal: [9n], os: [], reviewer: [], include_revoked: true }, [], 10);
  assert.equal(page.attestations.length, 1);
});
