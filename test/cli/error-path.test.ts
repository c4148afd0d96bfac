/**
 * One error path (issue 17): each failure a reviewer meets, through the real CLI. Every case
 * asserts the exit code, that stderr is exactly one line with no stack frame, HTTP dump or
 * errno code, and with --json the error kind on stdout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { errLines, isolatedEnv, runCli, tempDir, type CliRun } from './helpers.js';

const CANISTER = 'bkyz2-fmaaa-aaaaa-qaaaq-cai';
const COMMIT = '8d1e2f4a93b7c0e5d6f8a1b2c3d4e5f60718293a';
const SHA = '4c4ba8b9e3f6d2a1c0b9a8f7e6d5c4b3a29180706f5e4d3c2b1a09f8e7d6c5b4';

/** Neither "    at f (file:1:2)" frames nor HTTP header dumps nor raw errno codes. */
function assertOneCleanLine(r: CliRun, label: string): void {
  const lines = errLines(r);
  assert.equal(lines.length, 1, `${label}: stderr is not one line:\n${r.stderr}`);
  assert.match(lines[0]!, /^icos-attest: /, label);
  assert.doesNotMatch(r.stderr, /\bat .*:\d+:\d+|node:internal|Headers:|Body:|<html|\bE[A-Z]{4,}\b/, `${label}: ${r.stderr}`);
}

async function listen<T extends Server | ReturnType<typeof createNetServer>>(srv: T, t: { after(fn: () => Promise<void> | void): void }): Promise<number> {
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  t.after(() => new Promise<void>((r) => srv.close(() => r())));
  return (srv.address() as AddressInfo).port;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** A TCP server that accepts connections and never says a word. */
async function silentServer(t: { after(fn: () => Promise<void> | void): void }): Promise<number> {
  const sockets = new Set<Socket>();
  const srv = createNetServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
  });
  t.after(() => {
    for (const s of sockets) s.destroy();
  });
  return listen(srv, t);
}

/** A plain web server (no IC replica): 501 with an HTML body for everything. */
async function plainWebServer(t: { after(fn: () => Promise<void> | void): void }): Promise<number> {
  const srv = createHttpServer((_req, res) => {
    res.writeHead(501, { 'content-type': 'text/html' });
    res.end('<html><body><h1>Not Implemented</h1>\n<p>this is not a replica</p></body></html>');
  });
  return listen(srv, t);
}

/** A dashboard API serving GuestOS proposal 139201 with `edit` applied to its payload. */
async function dashboardWith(t: { after(fn: () => Promise<void> | void): void }, edit: (payload: Record<string, unknown>) => void): Promise<string> {
  const proposal = JSON.parse(readFileSync(new URL('../fixtures/dashboard/proposal-139201-guestos.json', import.meta.url), 'utf8')) as { payload: Record<string, unknown> };
  edit(proposal.payload);
  const body = JSON.stringify(proposal);
  const srv = createHttpServer((req, res) => {
    if (req.url === '/api/v3/proposals/139201') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  return `http://127.0.0.1:${await listen(srv, t)}/api/v3`;
}

interface Case {
  name: string;
  args: string[];
  code: number;
  kind: string;
  stderr: RegExp;
}

async function runCase(c: Case, env: NodeJS.ProcessEnv): Promise<void> {
  const r = await runCli(c.args, { env });
  assert.equal(r.code, c.code, `${c.name}: exit ${r.code}\n${r.stderr}`);
  assertOneCleanLine(r, c.name);
  assert.match(r.stderr, c.stderr, c.name);
  const j = await runCli([...c.args, '--json'], { env });
  assert.equal(j.code, c.code, `${c.name} --json: ${j.stderr}`);
  assertOneCleanLine(j, `${c.name} --json`);
  const doc = JSON.parse(j.stdout) as { error: { kind: string; exitCode: number } };
  assert.equal(doc.error.kind, c.kind, c.name);
  assert.equal(doc.error.exitCode, c.code, c.name);
}

test('replica and governance failures: unreachable, a plain web server (not an IC replica), with and without --root-key', async (t) => {
  const home = tempDir();
  const env = isolatedEnv(home);
  const closed = `http://127.0.0.1:${await closedPort()}`;
  const web = `http://127.0.0.1:${await plainWebServer(t)}`;
  const rootKey = join(home, 'root.hex');
  writeFileSync(rootKey, '308182301d060d2b0601040182dc7c0503010201060c2b0601040182dc7c05030201036100' + 'ab'.repeat(96));
  const cases: Case[] = [
    { name: 'report, replica unreachable', args: ['report', '1', '--network', closed, '--canister', CANISTER], code: 3, kind: 'network', stderr: /cannot reach .*connection refused/ },
    { name: 'report, bad port', args: ['report', '1', '--network', 'http://127.0.0.1:1', '--canister', CANISTER], code: 3, kind: 'network', stderr: /cannot reach http:\/\/127\.0\.0\.1:1/ },
    { name: 'report, web server', args: ['report', '1', '--network', web, '--canister', CANISTER], code: 3, kind: 'network', stderr: /not an IC replica/ },
    { name: 'report, web server, --root-key', args: ['report', '1', '--network', web, '--canister', CANISTER, '--root-key', rootKey], code: 3, kind: 'network', stderr: /not an IC replica/ },
    { name: 'proposal show, governance unreachable', args: ['proposal', 'show', '140010', '--governance-network', closed], code: 3, kind: 'network', stderr: /connection refused/ },
    { name: 'proposal show, governance on a web server', args: ['proposal', 'show', '140010', '--governance-network', web], code: 3, kind: 'network', stderr: /not an IC replica/ }
  ];
  for (const c of cases) await runCase(c, env);
});

test('files: missing or a directory, in words (hash, attest, submit, root key)', async () => {
  const home = tempDir();
  const env = isolatedEnv(home);
  const created = await runCli(['identity', 'new', 'default'], { env });
  assert.equal(created.code, 0, created.stderr);
  const cases: Case[] = [
    { name: 'attest, no such file', args: ['attest', join(home, 'nope.json')], code: 2, kind: 'input', stderr: /no such file or directory/ },
    { name: 'attest, a directory', args: ['attest', home], code: 2, kind: 'input', stderr: /is a directory/ },
    { name: 'submit, no such file', args: ['submit', join(home, 'nope.json'), '--network', 'http://127.0.0.1:1', '--canister', CANISTER], code: 2, kind: 'input', stderr: /no such file or directory/ },
    { name: 'root key, no such file', args: ['report', '1', '--network', 'http://127.0.0.1:1', '--canister', CANISTER, '--root-key', join(home, 'nope.hex')], code: 2, kind: 'input', stderr: /no such file or directory/ },
    { name: 'unknown option', args: ['hash', '--bogus'], code: 2, kind: 'usage', stderr: /unknown option/ }
  ];
  for (const c of cases) await runCase(c, env);
  // hash reports unreadable files on stderr (its --json result lists them with their error)
  const h = await runCli(['hash', join(home, 'nope.bin')], { env });
  assert.equal(h.code, 2, h.stderr);
  assertOneCleanLine(h, 'hash nope.bin');
  assert.match(h.stderr, /nope\.bin: no such file or directory/);
  assert.equal(h.stdout, '');
  const hj = await runCli(['hash', home, '--json'], { env });
  assert.equal(hj.code, 2);
  assertOneCleanLine(hj, 'hash dir --json');
  const doc = JSON.parse(hj.stdout) as { files: { error: { kind: string; message: string } }[] };
  assert.equal(doc.files[0]!.error.kind, 'file-unreadable');
  assert.match(doc.files[0]!.error.message, /is a directory/);
});

test('proposal payloads are validated where read: exit 2 naming the field', async (t) => {
  const env = isolatedEnv(tempDir());
  const bad: [string, (p: Record<string, unknown>) => void, RegExp][] = [
    ['hash missing', (p) => delete p.release_package_sha256_hex, /release_package_sha256_hex is missing/],
    ['hash of 63 characters', (p) => (p.release_package_sha256_hex = SHA.slice(1)), /release_package_sha256_hex is not a sha256/],
    ['hash not hex', (p) => (p.release_package_sha256_hex = 'z' + SHA.slice(1)), /release_package_sha256_hex is not a sha256/],
    ['ftp URL', (p) => (p.release_package_urls = [`ftp://download.dfinity.systems/ic/${COMMIT}/guest-os/update-img/update-img.tar.zst`]), /release_package_urls holds a ftp URL/],
    ['file URL', (p) => (p.release_package_urls = ['file:///etc/passwd']), /release_package_urls holds a file URL/],
    ['commit of 7 characters', (p) => (p.replica_version_to_elect = COMMIT.slice(0, 7)), /replica_version_to_elect is not a git commit/]
  ];
  for (const [name, edit, re] of bad) {
    const url = await dashboardWith(t, edit);
    await runCase({ name, args: ['proposal', 'show', '139201', '--source', 'dashboard', '--dashboard-url', url], code: 2, kind: 'input', stderr: re }, env);
  }
  // the unedited payload still passes
  const good = await runCli(['proposal', 'show', '139201', '--source', 'dashboard', '--dashboard-url', await dashboardWith(t, () => {})], { env });
  assert.equal(good.code, 0, good.stderr);
});

/** The proposal's URLs on the given mirror, so a check talks to nothing else. */
const onMirror = (mirror: string) => (p: Record<string, unknown>) => {
  p.release_package_urls = [`${mirror}/ic/${COMMIT}/guest-os/update-img/update-img.tar.zst`];
};

test('check: a mirror that accepts and never answers → exit 3 within the idle timeout plus a margin, naming the mirror and the timeout', async (t) => {
  const home = tempDir();
  const env = isolatedEnv(home);
  const port = await silentServer(t);
  const mirror = `http://127.0.0.1:${port}`;
  const dash = await dashboardWith(t, onMirror(mirror));
  const args = ['check', '139201', '--source', 'dashboard', '--dashboard-url', dash, '--mirror', mirror, '--idle-timeout', '2', '--cache-dir', join(home, 'cache')];
  const started = Date.now();
  const r = await runCli(args, { env, timeoutMs: 60_000 });
  const seconds = (Date.now() - started) / 1000;
  assert.equal(r.code, 3, r.stderr);
  assert.ok(seconds < 2 + 8, `took ${seconds} s for an idle timeout of 2 s`);
  assert.doesNotMatch(r.stdout, /MISMATCH/);
  // progress lines may precede it; the error is the last line, and the only icos-attest: line
  const errors = errLines(r).filter((l) => l.startsWith('icos-attest: '));
  assert.equal(errors.length, 1, r.stderr);
  assert.match(errors[0]!, new RegExp(`no CDN mirror could be reached: 127\\.0\\.0\\.1:${port}: timed out after 2 s`));
  assert.doesNotMatch(r.stderr, /\bat .*:\d+:\d+|aborted/i);
  const quiet = await runCli([...args, '--quiet', '--json'], { env, timeoutMs: 60_000 });
  assert.equal(quiet.code, 3);
  assertOneCleanLine(quiet, 'check --quiet --json');
  assert.equal((JSON.parse(quiet.stdout) as { error: { kind: string } }).error.kind, 'network');
});

test('check: a mirror that refuses connections → exit 3, "connection refused"', async (t) => {
  const home = tempDir();
  const env = isolatedEnv(home);
  const mirror = `http://127.0.0.1:${await closedPort()}`;
  const dash = await dashboardWith(t, onMirror(mirror));
  await runCase(
    {
      name: 'check, refused',
      args: ['check', '139201', '--source', 'dashboard', '--dashboard-url', dash, '--mirror', mirror, '--cache-dir', join(home, 'cache'), '--quiet'],
      code: 3,
      kind: 'network',
      stderr: /no CDN mirror could be reached: 127\.0\.0\.1:\d+: connection refused/
    },
    env
  );
});

test('build --commit: a commit not in the repository, a repository that does not exist → exit 2, in words', async () => {
  const home = tempDir();
  const env = isolatedEnv(home);
  const repo = join(home, 'repo');
  const git = (args: string[], cwd: string) => {
    const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
    assert.equal(r.status, 0, r.stderr);
  };
  git(['init', '-q', repo], home);
  git(['commit', '-q', '--allow-empty', '-m', 'x'], repo);
  const absent = 'a'.repeat(40);
  const cases: Case[] = [
    {
      name: 'build, commit not in the repo',
      args: ['build', '--commit', absent, '--repo-url', repo, '--workdir', join(home, 'w1'), '--ignore-prerequisites', '--quiet'],
      code: 2,
      kind: 'input',
      stderr: new RegExp(`commit ${absent} is not in .*repo`)
    },
    {
      name: 'build, no such repository',
      args: ['build', '--commit', absent, '--repo-url', join(home, 'nope-repo'), '--workdir', join(home, 'w2'), '--ignore-prerequisites', '--quiet'],
      code: 2,
      kind: 'input',
      stderr: /does not appear to be a git repository/
    }
  ];
  for (const c of cases) await runCase(c, env);
});
