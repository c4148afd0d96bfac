/**
 * `demo --exit` (what `npm start` runs, minus the serving): the real reviewer flow against a
 * local replica with the governance stand-in. GuestOS is reproduced by three endorsed
 * reviewers; carol's HostOS build differs and she stands alone; `verify --proposal` agrees with
 * the canister for both proposals; the exit code is 0 and nothing is left behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';

import type { ReportJson } from '../../attestor/client/report.js';
import { isolatedEnv, runCli, tempDir } from './helpers.js';

const GUEST_P = '140010';
const HOST_P = '140011';

interface DemoJson {
  url: string;
  canisterId: string;
  governanceId: string;
  dashboardUrl: string;
  dashboardUrls: string[];
  rootKeyPath: string;
  commit: string;
  mirrors: string[];
  official: Record<string, string>;
  reviewers: { key: string; name: string; principal: string; nondeterministic: string | null; runs: { proposal: string; os: string; exitCode: number; artifacts: { name: string; sha256: string; outcome: string }[]; attestations: string[] }[] }[];
  proposals: { id: string; elects: string; sha256: string | null; report: ReportJson; verification: { ok: boolean; differences: string[]; attestations: { valid: boolean }[] } }[];
  ok: boolean;
  problems: string[];
}

const describe = (r: { code: number | null; stdout: string; stderr: string }) => `exit ${r.code}\n--- stdout\n${r.stdout.slice(0, 3000)}\n--- stderr\n${r.stderr.slice(-3000)}`;

test('demo --exit: three reviewers run the real pipeline; GuestOS reproduced, carol’s HostOS diverges; verify agrees', { timeout: 240_000 }, async () => {
  const [json, human] = await Promise.all([
    runCli(['demo', '--exit', '--port', '0', '--json'], { env: isolatedEnv(tempDir()), timeoutMs: 200_000 }),
    runCli(['demo', '--exit', '--port', '0'], { env: isolatedEnv(tempDir()), timeoutMs: 200_000 })
  ]);

  // ---- the JSON document
  assert.equal(json.code, 0, describe(json));
  const j = JSON.parse(json.stdout) as DemoJson;
  assert.equal(j.ok, true, j.problems.join('\n'));
  assert.deepEqual(j.problems, []);
  assert.equal(j.governanceId, 'rrkah-fqaaa-aaaaa-aaaaq-cai', 'the stand-in has mainnet governance’s id');
  assert.equal(j.mirrors.length, 2);
  assert.match(j.mirrors[0]!, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.match(j.mirrors[1]!, /^http:\/\/127\.0\.0\.[12]:\d+$/);
  assert.notEqual(j.mirrors[0], j.mirrors[1]);
  assert.match(j.dashboardUrls[0]!, new RegExp(`^http://${j.canisterId}\\.localhost:\\d+/$`));
  assert.match(j.dashboardUrls[1]!, new RegExp(`^http://127\\.0\\.0\\.1:\\d+/\\?canisterId=${j.canisterId}$`));
  assert.ok(!existsSync(j.rootKeyPath), '--exit removes the demo’s temp folder');

  // Each reviewer ran `run` for both proposals; only carol's HostOS mismatched (exit 1, still submitted).
  assert.deepEqual(j.reviewers.map((r) => r.key), ['alice', 'bob', 'carol']);
  const outcome = (key: string, p: string) => {
    const run = j.reviewers.find((r) => r.key === key)!.runs.find((x) => x.proposal === p)!;
    assert.equal(run.attestations.length, 1, `${key} submitted one attestation for ${p}`);
    return [run.exitCode, run.artifacts.map((a) => a.outcome).join(',')];
  };
  for (const key of ['alice', 'bob', 'carol']) assert.deepEqual(outcome(key, GUEST_P), [0, 'match']);
  assert.deepEqual(outcome('alice', HOST_P), [0, 'match']);
  assert.deepEqual(outcome('bob', HOST_P), [0, 'match']);
  assert.deepEqual(outcome('carol', HOST_P), [1, 'mismatch']);
  const principal = (key: string) => j.reviewers.find((r) => r.key === key)!.principal;

  const proposal = (id: string) => j.proposals.find((p) => p.id === id)!;
  // GuestOS: the hash governance elects, reproduced by all three endorsed reviewers.
  const guest = proposal(GUEST_P);
  assert.equal(guest.elects, 'guestos');
  assert.equal(guest.sha256, j.official['guestos/update-img.tar.zst'], 'the canister read the elected hash from governance');
  assert.equal(guest.report.governance?.sha256, guest.sha256);
  assert.deepEqual(guest.report.oses.map((o) => [o.os, o.verdict]), [['guestos', 'reproduced']]);
  const ga = guest.report.oses[0]!.artifacts[0]!;
  assert.equal(ga.proposalSha256, guest.sha256);
  assert.equal(ga.endorsedMatching, 3);
  assert.equal(ga.groups.length, 1);
  assert.deepEqual(ga.groups[0]!.members.map((m) => m.reviewer).sort(), ['alice', 'bob', 'carol'].map(principal).sort());
  assert.ok(ga.groups[0]!.members.every((m) => m.endorsed));

  // HostOS: alice and bob match governance and the CDN; carol is alone with her own hash.
  const host = proposal(HOST_P);
  assert.equal(host.elects, 'hostos');
  assert.equal(host.sha256, j.official['hostos/update-img.tar.zst']);
  assert.deepEqual(host.report.oses.map((o) => [o.os, o.verdict]), [['hostos', 'diverged']]);
  const ha = host.report.oses[0]!.artifacts[0]!;
  assert.deepEqual(ha.groups.map((g) => g.members.length), [2, 1]);
  assert.equal(ha.groups[0]!.sha256, host.sha256);
  assert.equal(ha.groups[0]!.matchesProposal, true);
  assert.deepEqual(ha.groups[1]!.members.map((m) => m.reviewer), [principal('carol')]);
  assert.equal(ha.groups[1]!.matchesProposal, false);
  assert.equal(ha.groups[1]!.matchesCdn, false);
  assert.match(ha.hints[0]?.firstDivergent ?? '', /build-id\.txt$/, 'the hint names the component her build added');

  for (const p of j.proposals) {
    assert.equal(p.verification.ok, true, `verify --proposal ${p.id}: ${p.verification.differences.join('; ')}`);
    assert.equal(p.verification.attestations.length, 3);
    assert.ok(p.verification.attestations.every((a) => a.valid));
  }

  // ---- the human run: the steps on stderr; reports, verification and both dashboard URLs on stdout
  assert.equal(human.code, 0, describe(human));
  for (const step of ['replica:', 'ic repo:', 'CDN:', 'governance:', 'reviewers:', 'endorsed']) assert.match(human.stderr, new RegExp(`▸ ${step}`));
  assert.match(human.stderr, /carol +│ 140011 \[4\/5\] submit/);
  assert.match(human.stderr, /carol +│ 140011 exit 1: hostos\/update-img\.tar\.zst MISMATCH/);
  assert.match(human.stdout, /guestos reproduced/);
  assert.match(human.stdout, /hostos diverged/);
  assert.match(human.stdout, new RegExp(`verify --proposal ${GUEST_P}: 3 signatures check out`));
  assert.match(human.stdout, new RegExp(`verify --proposal ${HOST_P}: 3 signatures check out`));
  assert.match(human.stdout, /^Dashboard: http:\/\/[a-z0-9-]+\.localhost:\d+\/$/m);
  assert.match(human.stdout, /^ +or: http:\/\/127\.0\.0\.1:\d+\/\?canisterId=[a-z0-9-]+$/m);
});
