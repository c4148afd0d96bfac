/** proposal show / check against a local dashboard API: the real shape, unknown and non-IC-OS proposals. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { errLines, isolatedEnv, runCli, tempDir } from './helpers.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/dashboard/${name}`, import.meta.url), 'utf8');

async function dashboard(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const byId: Record<string, string> = { '139202': fixture('proposal-139202-hostos.json'), '139203': fixture('proposal-139203-motion.json') };
  const srv = createServer((req, res) => {
    const id = /^\/api\/v3\/proposals\/(\d+)$/.exec(req.url ?? '')?.[1];
    if (id && byId[id]) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(byId[id]);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  t.after(() => new Promise<void>((r) => srv.close(() => r())));
  return `http://127.0.0.1:${(srv.address() as AddressInfo).port}/api/v3`;
}

test('proposal show --source dashboard: commit, hash and URLs; --json is the ElectionProposal', async (t) => {
  const env = isolatedEnv(tempDir(), {});
  const url = await dashboard(t);
  const human = await runCli(['proposal', 'show', '139202', '--source', 'dashboard', '--dashboard-url', url], { env });
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /HostOS election/);
  assert.match(human.stdout, /f1e2d3c4b5a6978877665544332211009a8b7c6d/);
  const json = await runCli(['proposal', 'show', '139202', '--json'], { env: { ...env, ICOS_ATTEST_PROPOSAL_SOURCE: 'dashboard', ICOS_ATTEST_DASHBOARD_URL: url } });
  assert.equal(json.code, 0, json.stderr);
  const p = JSON.parse(json.stdout) as { id: string; elects: string; commit: string; sha256: string; urls: string[]; source: string };
  assert.equal(p.id, '139202');
  assert.equal(p.elects, 'hostos');
  assert.equal(p.sha256, '9a4b0c7e1d2f3a5b6c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d');
  assert.equal(p.urls.length, 2);
  assert.equal(p.source, 'dashboard');
});

test('unknown proposal and a proposal that elects no IC-OS version: exit 2, one line; unreachable: exit 3', async (t) => {
  const env = isolatedEnv(tempDir());
  const url = await dashboard(t);
  for (const [args, re] of [
    [['proposal', 'show', '999', '--source', 'dashboard', '--dashboard-url', url], /not known to the dashboard/],
    [['proposal', 'show', '139203', '--source', 'dashboard', '--dashboard-url', url], /does not elect a GuestOS or HostOS version/],
    [['check', '139203', '--source', 'dashboard', '--dashboard-url', url], /does not elect/]
  ] as [string[], RegExp][]) {
    const r = await runCli(args, { env });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(errLines(r).length, 1, r.stderr);
    assert.match(r.stderr, re);
  }
  const down = await runCli(['proposal', 'show', '1', '--source', 'dashboard', '--dashboard-url', 'http://127.0.0.1:9/api/v3'], { env });
  assert.equal(down.code, 3, down.stderr);
  assert.equal(errLines(down).length, 1, down.stderr);
});
