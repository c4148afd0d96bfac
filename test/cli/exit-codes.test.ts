/** Bad input → exit 2 with one line; an unreachable replica → exit 3; --json → an error object. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';

import { errLines, isolatedEnv, runCli, tempDir } from './helpers.js';

/** A port nothing listens on: bind, note the port, close. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

test('usage errors: unknown option, bad proposal id, malformed commit → exit 2, one line', async () => {
  const env = isolatedEnv(tempDir());
  const cases: [string[], RegExp][] = [
    [['--bogus'], /unknown option '--bogus'/],
    [['report', 'twelve'], /"twelve" is not a proposal id/],
    [['build', '--commit', 'abc123'], /"abc123" is not a commit: expected 40 hex digits/],
    [['build', '--commit', 'g'.repeat(40)], /not a commit/],
    [['--network', 'mainnet', 'report', '1'], /--network must be "local", "ic" or an http\(s\) URL/],
    [['attest', '/nonexistent/result.json', '--pem', '/nonexistent/key.pem'], /cannot read PEM file/],
    [['verify'], /give envelope files to verify, or --proposal/]
  ];
  for (const [args, re] of cases) {
    const r = await runCli(args, { env });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(errLines(r).length, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stdout, '');
  }
});

test('--json errors are one JSON object on stdout with kind and exit code', async () => {
  const env = isolatedEnv(tempDir());
  const r = await runCli(['build', '--commit', 'xyz', '--json'], { env });
  assert.equal(r.code, 2);
  const j = JSON.parse(r.stdout) as { error: { kind: string; exitCode: number; message: string } };
  assert.equal(j.error.kind, 'input');
  assert.equal(j.error.exitCode, 2);
  assert.match(j.error.message, /not a commit/);
});

test('an unreachable replica or canister → exit 3, one line', async () => {
  const env = isolatedEnv(tempDir());
  const port = await closedPort();
  const url = `http://127.0.0.1:${port}`;
  // root key fetched from /api/v2/status: the fetch fails
  const fetched = await runCli(['report', '1', '--network', url, '--canister', 'bkyz2-fmaaa-aaaaa-qaaaq-cai'], { env });
  assert.equal(fetched.code, 3, fetched.stderr);
  assert.equal(errLines(fetched).length, 1, fetched.stderr);
  assert.match(fetched.stderr, new RegExp(`cannot reach ${url}`));
  // root key given: the query itself fails
  const home = env.HOME!;
  const keyFile = `${home}/root.hex`;
  (await import('node:fs')).writeFileSync(keyFile, '308182301d060d2b0601040182dc7c0503010201060c2b0601040182dc7c05030201036100' + 'ab'.repeat(96));
  const query = await runCli(['report', '1', '--network', url, '--canister', 'bkyz2-fmaaa-aaaaa-qaaaq-cai', '--root-key', keyFile], { env });
  assert.equal(query.code, 3, query.stderr);
  assert.equal(errLines(query).length, 1, query.stderr);
});
