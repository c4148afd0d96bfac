/** The HTTP gateway: browser requests become the canister's http_request (and _update) calls. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Principal } from '@dfinity/principal';
import { Runtime } from '../../replica/runtime/index.js';
import { startReplicaServer, type ReplicaServer } from '../../replica/http/index.js';
import { httpResponse, replyingModule } from './gateway-wasm.js';

let runtime: Runtime;
let server: ReplicaServer;
let page: Principal;
let upgrading: Principal;

before(async () => {
  runtime = new Runtime({ log: () => {} });
  page = runtime.createCanister();
  await runtime.install(page, replyingModule([
    { export: 'canister_query http_request', reply: httpResponse(200, '<h1>attestations</h1>', [['Content-Type', 'text/html'], ['X-Served-By', 'canister']]) },
  ]));
  upgrading = runtime.createCanister();
  await runtime.install(upgrading, replyingModule([
    { export: 'canister_query http_request', reply: httpResponse(200, 'from the query', [], true) },
    { export: 'canister_update http_request_update', reply: httpResponse(201, 'from the update', [['content-type', 'text/plain']]) },
  ]));
  server = await startReplicaServer({ runtime });
});
after(async () => { await server.close(); });

/** A GET with an explicit Host header, as a browser sends for http://<id>.localhost:<port>/. */
function get(path: string, host: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path, headers: { host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('http://<canister-id>.localhost:<port>/ serves the canister\'s http_request reply', async () => {
  const res = await get('/index.html', `${page.toText()}.localhost:${server.port}`);
  assert.equal(res.status, 200);
  assert.equal(res.body, '<h1>attestations</h1>');
  assert.equal(res.headers['content-type'], 'text/html');
  assert.equal(res.headers['x-served-by'], 'canister');
});

test('http://127.0.0.1:<port>/...?canisterId=<id> serves the same canister', async () => {
  const res = await fetch(`${server.url}/index.html?canisterId=${page.toText()}`);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), '<h1>attestations</h1>');
});

test('a reply with upgrade = opt true is answered by http_request_update', async () => {
  const res = await fetch(`${server.url}/?canisterId=${upgrading.toText()}`, { method: 'POST', body: 'form' });
  assert.equal(res.status, 201);
  assert.equal(await res.text(), 'from the update');
});

test('no canister id → 400 with a hint; an unknown canister → 404', async () => {
  const none = await fetch(`${server.url}/index.html`);
  assert.equal(none.status, 400);
  assert.match(await none.text(), /canisterId=/);
  const unknown = await fetch(`${server.url}/?canisterId=ryjl3-tyaaa-aaaaa-aaaba-cai`);
  assert.equal(unknown.status, 404);
  assert.match(await unknown.text(), /not found/);
});

test('the API stays reachable on a canister host name (for pages that use their own origin)', async () => {
  const res = await get('/api/v2/status', `${page.toText()}.localhost:${server.port}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'application/cbor');
  assert.equal(res.headers['access-control-allow-origin'], '*');
});
