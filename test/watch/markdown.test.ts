/**
 * `report --format markdown`: the forum post for the demo's two proposals (the certified reports
 * of a real demo run, kept under test/fixtures/markdown) is exactly the committed expected file;
 * the same report always gives the same text; and what reviewers control cannot inject markdown.
 * To regenerate the expected files after an intended change: UPDATE_MARKDOWN_FIXTURES=1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';

import type { ReportJson } from '../../attestor/client/report.js';
import { canisterWebUrl, escapeMarkdown, renderMarkdown } from '../../attestor/report/markdown.js';

const dir = new URL('../fixtures/markdown/', import.meta.url);

function fixture(id: string): { canisterId: string; report: ReportJson } {
  return JSON.parse(readFileSync(new URL(`report-${id}.json`, dir), 'utf8')) as { canisterId: string; report: ReportJson };
}

function render(id: string, report?: ReportJson): string {
  const f = fixture(id);
  return renderMarkdown(report ?? f.report, { canisterId: f.canisterId, canisterUrl: canisterWebUrl('https://icp-api.io', f.canisterId, true), network: 'ic' });
}

for (const id of ['140010', '140011']) {
  test(`markdown summary of demo proposal ${id} is the committed expected file`, () => {
    const got = render(id);
    const expectedPath = new URL(`report-${id}.md`, dir);
    if (process.env.UPDATE_MARKDOWN_FIXTURES === '1') writeFileSync(expectedPath, got);
    assert.equal(got, readFileSync(expectedPath, 'utf8'));
    assert.equal(render(id), got, 'deterministic');
  });
}

test('markdown: hashes in full, reviewers with links to their attestations, the verify commands', () => {
  const { report, canisterId } = fixture('140011');
  const md = render('140011');
  const art = report.oses[0]!.artifacts[0]!;
  for (const g of art.groups) {
    assert.ok(md.includes(`\`${g.sha256}\``), 'every group hash in full');
    for (const m of g.members) assert.ok(md.includes(`[#${m.attestationId}](https://${canisterId}.icp0.io/attestation/${m.attestationId}.json)`));
  }
  assert.match(md, /^## IC-OS review of proposal 140011: HostOS diverged$/m);
  assert.ok(md.includes('https://dashboard.internetcomputer.org/proposal/140011'));
  assert.ok(md.includes(`icos-attest --network ic --canister ${canisterId} verify --proposal 140011`));
  assert.ok(md.includes('first divergent component'));
});

test('markdown: names, titles and findings from the data cannot inject links, images, HTML or table cells', () => {
  const { report } = fixture('140010');
  const evil = structuredClone(report);
  const m = evil.oses[0]!.artifacts[0]!.groups[0]!.members[0]!;
  m.name = '[vote yes](https://evil.example) ![x](https://evil.example/p.png) <script>alert(1)</script> | cell\n## heading';
  evil.governance!.title = '**Adopt** `now` <b>';
  const md = render('140010', evil);
  assert.ok(!/(?<!\\)\]\(https:\/\/evil/.test(md), 'no link or image survives: every bracket is escaped');
  assert.ok(md.includes('\\[vote yes\\](https://evil.example)'), 'the name is shown as text');
  assert.ok(!md.includes('<script>') && !md.includes('<b>'));
  assert.ok(!/^## heading/m.test(md), 'no new heading');
  const row = md.split('\n').find((l) => l.includes('vote yes'))!;
  assert.equal(row.split(/(?<!\\)\|/).length, 7, 'the table row keeps its five cells');
  assert.equal(escapeMarkdown('a_b*c'), 'a\\_b\\*c');
});

test('markdown: the canister pages on each network', () => {
  assert.equal(canisterWebUrl('https://icp-api.io', 'aaaaa-aa', true), 'https://aaaaa-aa.icp0.io');
  assert.equal(canisterWebUrl('http://127.0.0.1:4943', 'aaaaa-aa', false), 'http://aaaaa-aa.localhost:4943');
});
