/**
 * The CLI for controllers and readers, over HTTP against `replica start`: `reviewers
 * list|endorse|unendorse` and `proposals`, text and --json; and the griefing case end to end:
 * three endorsed reviewers reproduce, a fresh unendorsed identity submits another hash, and
 * `report` still says reproduced, with the unverified report in its headline sentence.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { syntheticResult } from '../fixtures/synthetic-result.js';
import type { ReportJson } from '../../attestor/client/report.js';
import type { EndorseJson, ReviewersJson } from '../../attestor/cli/commands/reviewers.js';
import type { ProposalsJson } from '../../attestor/cli/commands/proposals.js';
import { canisterWasmCopy, isolatedEnv, runCli, startReplica, tempDir } from './helpers.js';

const OLDER = '140009';
const P = '140010';

test('reviewers list|endorse|unendorse and proposals; an unendorsed dissent leaves the report reproduced', { timeout: 300_000 }, async (t) => {
  const home = tempDir();
  const stateDir = join(home, 'state');
  const env = isolatedEnv(home);
  const wasm = canisterWasmCopy(home);
  const principals: Record<string, string> = {};
  for (const name of ['ctl', 'ana', 'ben', 'cai', 'griefer']) {
    const made = await runCli(['identity', 'new', name, '--json'], { env });
    assert.equal(made.code, 0, made.stderr);
    principals[name] = JSON.parse(made.stdout).principal;
  }
  const replica = await startReplica(['--state-dir', stateDir, '--wasm', wasm, '--identity', 'ctl'], env);
  t.after(() => {
    replica.child.kill('SIGKILL');
  });
  const net = ['--network', replica.started.url, '--state-dir', stateDir];
  const cli = (args: string[]) => runCli([...args, ...net], { env });

  // Nothing yet.
  const empty = await cli(['proposals']);
  assert.equal(empty.code, 0, empty.stderr);
  assert.match(empty.stdout, /no proposals/);

  // ana, ben, cai reproduce P; the griefer, never endorsed, submits a different hash. ana also attests an older proposal.
  for (const name of ['ana', 'ben', 'cai', 'griefer']) {
    const paths: string[] = [];
    for (const proposal of name === 'ana' ? [OLDER, P] : [P]) {
      const result = join(home, `${name}-${proposal}.json`);
      writeFileSync(result, JSON.stringify(syntheticResult({ proposal, oses: ['guestos'], divergeOs: name === 'griefer' ? 'guestos' : null })));
      const out = join(home, `${name}-${proposal}.dsse.json`);
      const att = await runCli(['attest', result, '-o', out, '--identity', name], { env });
      assert.equal(att.code, 0, att.stderr);
      paths.push(out); // one OS: written where -o says
    }
    const sub = await cli(['submit', ...paths, '--identity', name, '--name', name === 'griefer' ? 'Ana' : name[0].toUpperCase() + name.slice(1)]);
    assert.equal(sub.code, 0, sub.stderr);
  }

  // Before any endorsement: all four unverified; the impostor "Ana" collides with ana.
  const before = await cli(['reviewers', 'list', '--json']);
  assert.equal(before.code, 0, before.stderr);
  const listed = (JSON.parse(before.stdout) as ReviewersJson).reviewers;
  assert.equal(listed.length, 4);
  assert.ok(listed.every((r) => !r.endorsed));
  assert.deepEqual(listed.filter((r) => r.nameCollides).map((r) => r.principal).sort(), [principals.ana, principals.griefer].sort());

  // A non-controller cannot endorse; a malformed principal is a usage error; neither changes anything.
  const refused = await cli(['reviewers', 'endorse', principals.griefer, '--identity', 'griefer']);
  assert.equal(refused.code, 2, refused.stdout + refused.stderr);
  assert.match(refused.stderr, /controllers; the selected identity is /);
  const bad = await cli(['reviewers', 'endorse', 'not-a-principal', '--identity', 'ctl']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /not a principal/);

  // The controller endorses the three.
  for (const name of ['ana', 'ben', 'cai']) {
    const e = await cli(['reviewers', 'endorse', principals[name], '--identity', 'ctl', '--json']);
    assert.equal(e.code, 0, e.stderr);
    const j = JSON.parse(e.stdout) as EndorseJson;
    assert.deepEqual([j.principal, j.endorsed, j.reviewer?.endorsed], [principals[name], true, true]);
  }
  const text = await cli(['reviewers', 'list']);
  assert.equal(text.code, 0, text.stderr);
  const rows = text.stdout.split('\n');
  // Endorsed first (by name), the impostor last, marked.
  assert.deepEqual(rows.slice(2, 6).map((l) => l.split(/\s+/)[1]), ['Ana', 'Ben', 'Cai', 'Ana']);
  assert.match(rows[5], new RegExp(`^${principals.griefer}\\s+Ana\\s+no \\(unverified\\)\\s+1\\s+name shared with another reviewer$`));
  assert.match(text.stdout, /3 of 4 endorsed; only endorsed reviewers decide verdicts/);

  // proposals: newest first, verdict and outcome per OS; the griefer's hash does not flip P.
  const props = await cli(['proposals', '--json']);
  assert.equal(props.code, 0, props.stderr);
  const pj = JSON.parse(props.stdout) as ProposalsJson;
  assert.deepEqual(pj.proposals.map((p) => [p.proposal, p.oses]), [
    [P, [{ os: 'guestos', verdict: 'reproduced', outcome: 'reproduced' }]],
    [OLDER, [{ os: 'guestos', verdict: 'pending', outcome: 'pending' }]]
  ]);
  assert.equal(pj.nextCursor, null);
  const paged = await cli(['proposals', '--limit', '1', '--json']);
  assert.deepEqual(JSON.parse(paged.stdout), { proposals: [pj.proposals[0]], nextCursor: P });
  const rest = await cli(['proposals', '--after', P]);
  assert.match(rest.stdout, new RegExp(`^${OLDER}\\s+\\(not synced from governance\\)\\s+1\\s+guestos pending$`, 'm'));
  assert.equal((await cli(['proposals', '--limit', '0'])).code, 2);

  // report: the same headline sentence as the page; the unverified report is shown, apart.
  const rep = await cli(['report', P]);
  assert.equal(rep.code, 0, rep.stderr);
  assert.match(rep.stdout, /^Verdict: reproduced /m);
  assert.match(rep.stdout, /^ {2}guestos: Claimed proposal hash reproduced by 3 of 3 endorsed reviewers \(quorum 3\); 1 unverified report differs$/m);
  assert.match(rep.stdout, new RegExp(`Ana \\[${principals.griefer.slice(0, 11)}\\] \\(unverified\\)`));
  const rj = (JSON.parse((await cli(['report', P, '--json'])).stdout) as { report: ReportJson }).report;
  const g = rj.oses[0];
  assert.deepEqual([g.verdict, g.outcome, g.endorsedMatching, g.endorsedDiffering, g.unverifiedMatching, g.unverifiedDiffering], ['reproduced', 'reproduced', 3, 0, 0, 1]);
  const ver = await cli(['verify', '--proposal', P, '--json']);
  assert.equal(ver.code, 0, ver.stdout + ver.stderr);
  assert.deepEqual(JSON.parse(ver.stdout).differences, []);

  // Un-endorsing takes the quorum away again.
  const un = await cli(['reviewers', 'unendorse', principals.cai, '--identity', 'ctl', '--json']);
  assert.equal(un.code, 0, un.stderr);
  assert.equal((JSON.parse(un.stdout) as EndorseJson).endorsed, false);
  const after = JSON.parse((await cli(['proposals', '--json'])).stdout) as ProposalsJson;
  assert.deepEqual(after.proposals[0].oses, [{ os: 'guestos', verdict: 'pending', outcome: 'pending' }]);
});
