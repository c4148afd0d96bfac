/** `demo --exit` (what `npm start` runs, minus the waiting): the report shows carol's HostOS apart. */
import { test } from 'node:test';
import assert from 'node:assert/strict';

import type { ReportJson } from '../../attestor/client/report.js';
import { canisterWasmCopy, isolatedEnv, runCli, tempDir } from './helpers.js';

test('demo --exit --json: three reviewers, guestos reproduced, hostos diverged, verification agrees', { timeout: 300_000 }, async () => {
  const home = tempDir();
  const env = isolatedEnv(home);
  const r = await runCli(['demo', '--exit', '--json', '--wasm', canisterWasmCopy(home)], { env, timeoutMs: 240_000 });
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { reviewers: { name: string; principal: string }[]; report: ReportJson; verification: { ok: boolean; differences: string[] }; dashboardUrl: string };
  assert.deepEqual(j.reviewers.map((x) => x.name), ['alice', 'bob', 'carol']);
  assert.equal(j.verification.ok, true, j.verification.differences.join('; '));
  const verdicts = Object.fromEntries(j.report.oses.map((o) => [o.os, o.verdict]));
  assert.deepEqual(verdicts, { guestos: 'reproduced', hostos: 'diverged' });
  const carol = j.reviewers.find((x) => x.name === 'carol')!.principal;
  const host = j.report.oses.find((o) => o.os === 'hostos')!.artifacts[0];
  assert.deepEqual(host.groups.map((g) => g.members.length), [2, 1]);
  assert.equal(host.groups[1].members[0].reviewer, carol);
  assert.match(j.dashboardUrl, /^http:\/\/[a-z0-9-]+\.localhost:\d+\/$/);
});
