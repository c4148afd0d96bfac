/**
 * The end-to-end: three reviewer identities run `icos-attest run` on a synthetic HostOS
 * proposal (dashboard API, two CDN mirrors and a synthetic ic repo, all local) against the
 * embedded replica; carol's build makes a non-deterministic HostOS. The report and
 * `verify --proposal` show exactly that, and every envelope is on disk.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';

import { prepareRepo } from '../../attestor/icos/build/repo.js';
import { runBuild } from '../../attestor/icos/build/run.js';
import type { ReportJson } from '../../attestor/client/report.js';
import { makeCdnTree } from '../../demo/cdn-tree.js';
import { generateIcRepo } from '../../demo/ic-repo.js';
import { startCdn, type CdnServer } from '../../demo/cdn-server.js';
import { canisterWasmCopy, isolatedEnv, runCli, spawnCli, tempDir } from './helpers.js';

const PROPOSAL = '150001';

async function forwardFrom(host: string, target: string, servers: { close(): Promise<void> }[]): Promise<{ url: string }> {
  const to = new URL(target);
  const proxy = createServer((req, res) => {
    const up = request({ host: to.hostname, port: to.port, path: req.url, method: req.method, headers: { ...req.headers, host: to.host } }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => proxy.listen(0, host, () => r()));
  servers.push({ close: () => new Promise<void>((r) => { proxy.close(() => r()); proxy.closeAllConnections(); }) });
  return { url: `http://${host}:${(proxy.address() as AddressInfo).port}` };
}

function dashboardJson(commit: string, sha256: string, urls: string[]) {
  const fixture = JSON.parse(readFileSync(new URL('../fixtures/dashboard/proposal-139202-hostos.json', import.meta.url), 'utf8')) as Record<string, unknown>;
  return {
    ...fixture,
    id: Number(PROPOSAL),
    proposal_id: Number(PROPOSAL),
    title: `Elect new HostOS version (commit ${commit.slice(0, 7)})`,
    payload: { hostos_version_to_elect: commit, hostos_versions_to_unelect: [], release_package_sha256_hex: sha256, release_package_urls: urls }
  };
}

test('three reviewers `run` a synthetic HostOS proposal; carol diverges; report and verify --proposal show it', { timeout: 600_000 }, async (t) => {
  const base = tempDir('icos-attest-run-');
  const env = isolatedEnv(base);
  const servers: { close(): Promise<void> }[] = [];
  let replica: ChildProcess | null = null;
  t.after(async () => {
    replica?.kill('SIGKILL');
    await Promise.all(servers.map((s) => s.close()));
  });

  // The published release: an official build of the synthetic repo on two mirrors.
  const fx = generateIcRepo(base);
  const commit = fx.commits['2025-26'];
  const official = join(base, 'official');
  const prepared = await prepareRepo({ repoUrl: fx.repoDir, workdir: official, commit });
  assert.ok(prepared.ok, JSON.stringify(prepared));
  const built = await runBuild({ repoDir: prepared.value.repoDir, workdir: official, commit, os: ['hostos', 'setupos'], tempDirs: [tmpdir()] });
  assert.ok(built.ok, JSON.stringify(built));
  // Statements name mirrors by host name, so the two mirrors need two hosts: the second is
  // reached through 127.0.0.2 (still loopback), forwarding to its server.
  const mirrors: { url: string }[] = [];
  let published: Record<string, string> = {};
  for (const [i, style] of (['plain', 'star'] as const).entries()) {
    const root = join(base, `mirror-${i}`);
    published = makeCdnTree({ root, commit, artifacts: built.value.result.artifacts, sumsStyle: style }).sha256;
    const cdn: CdnServer = await startCdn(root);
    servers.push(cdn);
    mirrors.push(i === 0 ? cdn : await forwardFrom('127.0.0.2', cdn.url, servers));
  }
  const hostSha = published['hostos/update-img.tar.zst']!;
  const urls = mirrors.map((m) => `${m.url}/ic/${commit}/host-os/update-img/update-img.tar.zst`);

  // The dashboard API, answering the real JSON shape.
  const dash = createServer((req, res) => {
    if (req.url === `/api/v3/proposals/${PROPOSAL}`) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(dashboardJson(commit, hostSha, urls)));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => dash.listen(0, '127.0.0.1', () => r()));
  servers.push({ close: () => new Promise<void>((r) => dash.close(() => r())) });
  const dashboardUrl = `http://127.0.0.1:${(dash.address() as AddressInfo).port}/api/v3`;

  // The embedded replica.
  const stateDir = join(base, 'state');
  replica = spawnCli(['replica', 'start', '--port', '0', '--state-dir', stateDir, '--wasm', canisterWasmCopy(base), '--json'], { env });
  let out = '';
  replica.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const started = await new Promise<{ url: string }>((resolve, reject) => {
    const timer = setInterval(() => {
      try {
        resolve(JSON.parse(out));
        clearInterval(timer);
      } catch {
        /* not yet */
      }
    }, 100);
    replica!.on('close', (code) => {
      clearInterval(timer);
      reject(new Error(`replica exited ${code}`));
    });
  });

  const principals: Record<string, string> = {};
  const envelopes: Record<string, string[]> = {};
  for (const name of ['alice', 'bob', 'carol']) {
    const made = await runCli(['identity', 'new', name, '--json'], { env });
    assert.equal(made.code, 0, made.stderr);
    principals[name] = JSON.parse(made.stdout).principal;
    const renv = name === 'carol' ? { ...env, ICOS_FAKE_NONDETERMINISTIC: 'hostos', ICOS_ATTEST_BUILD_ENV: 'ICOS_FAKE_NONDETERMINISTIC' } : env;
    const r = await runCli(
      [
        'run', PROPOSAL, '--json',
        '--identity', name,
        '--network', started.url, '--state-dir', stateDir,
        '--source', 'dashboard', '--dashboard-url', dashboardUrl,
        '--mirror', mirrors[0].url, '--mirror', mirrors[1].url,
        '--repo-url', fx.repoDir, '--workdir', join(base, `work-${name}`), '--cache-dir', join(base, `cache-${name}`),
        '--ignore-prerequisites', '--envelope', join(base, `${name}.dsse.json`), '--name', name
      ],
      { env: renv, timeoutMs: 300_000 }
    );
    const j = JSON.parse(r.stdout) as { ok: boolean; check: { ok: boolean; path: string }; envelopes: { os: string; path: string; artifacts: { outcome: string }[] }[]; submitted: { submitted: { id: string }[] } };
    assert.equal(r.code, name === 'carol' ? 1 : 0, r.stderr);
    assert.equal(j.check.ok, true);
    assert.deepEqual(j.envelopes.map((e) => e.os).sort(), ['hostos', 'setupos']);
    const outcomes = Object.fromEntries(j.envelopes.map((e) => [e.os, e.artifacts[0].outcome]));
    assert.deepEqual(outcomes, { hostos: name === 'carol' ? 'mismatch' : 'match', setupos: 'match' });
    assert.equal(j.submitted.submitted.length, 2);
    envelopes[name] = j.envelopes.map((e) => e.path);
    assert.ok(envelopes[name].every((p) => existsSync(p)));
    if (name === 'alice') {
      // a check report alone can be attested too (no build: the downloaded hashes, script null)
      const checkOnly = await runCli(['attest', j.check.path, '-o', join(base, 'alice-check.json'), '--identity', name, '--json'], { env });
      assert.equal(checkOnly.code, 0, checkOnly.stderr);
      const cj = JSON.parse(checkOnly.stdout) as { envelopes: { os: string; path: string; artifacts: { sha256: string; outcome: string }[] }[] };
      assert.deepEqual(cj.envelopes.map((e) => [e.os, e.artifacts[0].outcome]).sort(), [['hostos', 'match'], ['setupos', 'match']]);
      assert.equal(cj.envelopes.find((e) => e.os === 'hostos')!.artifacts[0].sha256, hostSha);
      const payload = JSON.parse(Buffer.from(JSON.parse(readFileSync(cj.envelopes[0].path, 'utf8')).payload, 'base64').toString('utf8'));
      assert.equal(payload.predicate.environment.script, null);
    }
  }

  const net = ['--network', started.url, '--state-dir', stateDir];
  const rep = await runCli(['report', PROPOSAL, '--json', ...net], { env });
  assert.equal(rep.code, 0, rep.stderr);
  const report = (JSON.parse(rep.stdout) as { report: ReportJson }).report;
  const host = report.oses.find((o) => o.os === 'hostos')!;
  // Nobody is endorsed here: carol's different build is an unverified report, which decides nothing.
  assert.equal(host.verdict, 'pending');
  assert.deepEqual([host.unverifiedMatching, host.unverifiedDiffering], [2, 1]);
  const groups = host.artifacts[0].groups.map((g) => ({ sha256: g.sha256, who: g.members.map((m) => m.reviewer).sort() }));
  assert.deepEqual(groups.map((g) => g.who), [[principals.alice, principals.bob].sort(), [principals.carol]]);
  assert.equal(groups[0].sha256, hostSha);
  assert.notEqual(groups[1].sha256, hostSha);
  const setup = report.oses.find((o) => o.os === 'setupos')!;
  assert.equal(setup.artifacts[0].groups.length, 1);
  assert.equal(setup.artifacts[0].groups[0].members.length, 3);

  const ver = await runCli(['verify', '--proposal', PROPOSAL, '--json', ...net], { env });
  assert.equal(ver.code, 0, ver.stdout + ver.stderr);
  const vj = JSON.parse(ver.stdout) as { ok: boolean; attestations: unknown[] };
  assert.equal(vj.ok, true);
  assert.equal(vj.attestations.length, 6);

  // diagnosis from the two envelopes alone: the first divergent component of carol's HostOS
  const diff = await runCli(['diff', envelopes.alice.find((p) => p.includes('hostos'))!, envelopes.carol.find((p) => p.includes('hostos'))!, '--json'], { env });
  assert.equal(diff.code, 1, diff.stderr);
  const dj = JSON.parse(diff.stdout) as { identical: boolean; artifacts: { firstDivergent: string[] | null }[] };
  assert.equal(dj.identical, false);
  assert.deepEqual(dj.artifacts[0].firstDivergent, ['./build-id.txt']);
});
