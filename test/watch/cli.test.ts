/**
 * `watch` on the command line, before any network: bad flags are usage errors (exit 2), a
 * damaged state file is refused with one line and left exactly as it was, --retry of a proposal
 * the state does not hold is an input error; governance out of reach is exit 3 with --once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { newEd25519Pem } from '../../attestor/identity/dfx.js';
import { errLines, isolatedEnv, runCli, tempDir } from '../cli/helpers.js';

const base = tempDir('icos-attest-watch-cli-');
const env = isolatedEnv(base);
const pem = join(base, 'k.pem');
writeFileSync(pem, newEd25519Pem(), { mode: 0o600 });
// a port nothing listens on
const common = ['--network', 'http://127.0.0.1:9', '--canister', 'bkyz2-fmaaa-aaaaa-qaaaq-cai', '--pem', pem];

test('watch: bad durations and flag combinations are usage errors', async () => {
  for (const [args, re] of [
    [['--build-duration', 'soon'], /--build-duration takes a duration like 2h/],
    [['--interval', '0'], /--interval takes a duration/],
    [['--retry', 'abc'], /is not a proposal id/],
    [['--dry-run', '--retry', '5'], /cannot be combined with --dry-run/]
  ] as const) {
    const r = await runCli(['watch', '--once', ...common, ...args], { env });
    assert.equal(r.code, 2, r.stderr);
    assert.equal(errLines(r).length, 1, r.stderr);
    assert.match(r.stderr, re);
  }
});

test('watch: a damaged state file is refused, one line, and left as it was; --retry of an unknown proposal', async () => {
  const state = join(base, 'state.json');
  const text = '{"format": "icos-attest/watch-state/v1", "proposals": {"7": {"id": "7"}}}';
  writeFileSync(state, text);
  const r = await runCli(['watch', '--once', '--json', ...common, '--state-file', state], { env });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^icos-attest: .*state\.json is damaged: proposal 7: field "elects" is missing or malformed; move it aside/);
  assert.equal(JSON.parse(r.stdout).error.kind, 'input');
  assert.equal(readFileSync(state, 'utf8'), text);

  const fresh = join(base, 'fresh.json');
  const retry = await runCli(['watch', '--once', ...common, '--state-file', fresh, '--retry', '12'], { env });
  assert.equal(retry.code, 2, retry.stderr);
  assert.match(retry.stderr, /proposal 12 is not in the watch state/);
});

test('watch --once: governance out of reach is a network error (exit 3)', async () => {
  const r = await runCli(['watch', '--once', ...common, '--state-file', join(base, 's3.json')], { env, timeoutMs: 60_000 });
  assert.equal(r.code, 3, r.stderr);
  assert.equal(errLines(r).filter((l) => l.startsWith('icos-attest:')).length, 1, r.stderr);
});
