/**
 * Links in the `?canisterId=` URL form: a page served as http://127.0.0.1:<port>/?canisterId=<id>
 * links to /proposal/1 (root-relative, certified bytes identical in both URL forms); the gateway
 * sends such a request, which names no canister, to the same path with the referring page's
 * canisterId. Anything else without a canister stays a 400.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { Principal } from '@dfinity/principal';
import { Runtime } from '../../replica/runtime/index.js';
import { startReplicaServer, type ReplicaServer } from '../../replica/http/index.js';
import { referredLocation } from '../../replica/http/gateway.js';
import { httpResponse, replyingModule } from './gateway-wasm.js';

let runtime: Runtime;
let server: ReplicaServer;
let page: Principal;

before(async () => {
  runtime = new Runtime({ log: () => {} });
  page = runtime.createCanister();
  await runtime.install(page, replyingModule([{ export: 'canister_query http_request', reply: httpResponse(200, '<a href="/proposal/1">1</a>', [['content-type', 'text/html']]) }]));
  server = await startReplicaServer({ runtime });
});
after(async () => {
  await server.close();
});

function get(path: string, headers: Record<string, string>, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('a link followed from a ?canisterId= page is redirected to the same path with that canisterId, and then served', async () => {
  const host = `127.0.0.1:${server.port}`;
  const referer = `http://${host}/?canisterId=${page.toText()}`;
  const res = await get('/proposal/1?x=2', { host, referer });
  assert.equal(res.status, 307);
  assert.equal(res.headers.location, `/proposal/1?x=2&canisterId=${page.toText()}`);
  const followed = await get(res.headers.location!, { host, referer });
  assert.equal(followed.status, 200);
  assert.equal(followed.body, '<a href="/proposal/1">1</a>');
});

test('without a canister, a referer from another origin, or a referer naming no valid canister, it stays 400', async () => {
  const host = `127.0.0.1:${server.port}`;
  assert.equal((await get('/proposal/1', { host })).status, 400);
  assert.equal((await get('/proposal/1', { host, referer: `http://evil.example/?canisterId=${page.toText()}` })).status, 400);
  assert.equal((await get('/proposal/1', { host, referer: `http://${host}/?canisterId=not-a-principal!` })).status, 400);
  assert.equal((await get('/proposal/1', { host, referer: `http://${host}/` })).status, 400);
  assert.equal((await get('/proposal/1', { host, referer: `http://${host}/?canisterId=${page.toText()}` }, 'POST')).status, 400, 'only GET and HEAD are redirected');
});

test('referredLocation keeps path, query and fragment and replaces a stale canisterId', () => {
  const id = page.toText();
  assert.equal(referredLocation('h:1', '/a/b?c=1#f', `http://h:1/x?canisterId=${id}`), `/a/b?c=1&canisterId=${id}#f`);
  assert.equal(referredLocation('h:1', '/?canisterId=&q', `http://h:1/x?canisterId=${id}`), `/?canisterId=${id}&q=`);
  assert.equal(referredLocation('h:1', '/', 'not a url'), null);
  assert.equal(referredLocation(undefined, '/', `http://h:1/?canisterId=${id}`), null);
});
