/**
 * The dashboard as a person sees it: headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core) loads the attestations canister's pages through the embedded replica's HTTP
 * gateway, both as `http://<canister-id>.localhost:<port>/…` and `…?canisterId=<id>`, after three
 * reviewers attested a GuestOS election (each also built HostOS, which has no proposal hash; one
 * HostOS build diverges; one reviewer has a `<script>` in its name). The rendered page is checked
 * on a desktop and a 390 px phone viewport, and screenshots are saved under test-output/.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Principal } from '@dfinity/principal';

import { syntheticHash, syntheticResult } from '../fixtures/synthetic-result.js';
import { unwrapResult } from '../../attestor/client/client.js';
import { attestFile, submitFiles } from '../../attestor/cli/commands/review.js';
import { Context } from '../../attestor/cli/context.js';
import { startLocalReplica, type LocalReplica } from '../../attestor/cli/local-replica.js';
import { newEd25519Pem } from '../../attestor/identity/dfx.js';
import type { OsName } from '../../protocol/types.js';
import { ATTESTATIONS_WASM, OUTPUT_DIR, assertWasm, removeDir, tempDir } from '../e2e/cli.js';

const CHROMIUM = '/usr/bin/chromium';
const PROPOSAL = '140777';
const EVIL = '<script>window.__pwned=1</script>Bob';

const base = tempDir('icos-browser-');
let replica: LocalReplica | undefined;
const principals: Record<string, string> = {};

after(async () => {
  await replica?.close();
  removeDir(base);
});

before(async () => {
  if (!existsSync(CHROMIUM)) return;
  assertWasm(ATTESTATIONS_WASM);
  const pem = (name: string) => {
    const p = join(base, `${name}.pem`);
    writeFileSync(p, newEd25519Pem(), { mode: 0o600 });
    return p;
  };
  const quiet = { quiet: true };
  const controllerPem = pem('controller');
  const controller = Principal.fromText(new Context({ pem: controllerPem, ...quiet }).identity().principal);
  replica = await startLocalReplica({ stateDir: null, port: 0, controller, wasm: new Uint8Array(readFileSync(ATTESTATIONS_WASM)), log: () => {} });
  const rootKey = join(base, 'root-key.hex');
  writeFileSync(rootKey, Buffer.from(replica.rootKey).toString('hex'));
  const net = { network: replica.url, canister: replica.canisterId, rootKey, ...quiet, stateDir: join(base, 'no-state') };
  const admin = await new Context({ ...net, pem: controllerPem }).client(true);

  const reviewers: { key: string; name: string; diverge: OsName | null }[] = [
    { key: 'alice', name: 'Alice', diverge: null },
    { key: 'bob', name: EVIL, diverge: null },
    { key: 'carol', name: 'Carol', diverge: 'hostos' },
  ];
  for (const r of reviewers) {
    const ctx = new Context({ ...net, pem: pem(r.key) });
    const dir = join(base, r.key);
    mkdirSync(dir);
    const resultPath = join(dir, 'result.json');
    const result = syntheticResult({ proposal: PROPOSAL, oses: ['guestos', 'hostos'], divergeOs: r.diverge }) as { oses: { os: string; artifacts: { proposalSha256: string | null }[] }[] };
    // A GuestOS election: the proposal carries no HostOS hash, so HostOS builds are compared with the CDN only.
    for (const o of result.oses) if (o.os === 'hostos') for (const a of o.artifacts) a.proposalSha256 = null;
    writeFileSync(resultPath, JSON.stringify(result));
    const files = await attestFile(ctx, resultPath, {});
    await submitFiles(ctx, files.map((f) => f.path), r.name);
    principals[r.key] = ctx.identity().principal;
    unwrapResult(await admin.call('endorse_reviewer', Principal.fromText(principals[r.key]!), true), 'endorse_reviewer');
  }
});

test('headless Chromium renders the proposal page from the gateway: verdicts, hash groups, names as text', async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium) to run the browser test`);
    return;
  }
  const { chromium } = await import('playwright-core');
  const profile = join(base, 'chromium-profile');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  try {
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`${m.text()} (${m.location().url})`);
    });

    const r = replica!;
    const port = new URL(r.url).port;
    const subdomainUrl = `http://${r.canisterId}.localhost:${port}/proposal/${PROPOSAL}`;
    const res = await page.goto(subdomainUrl, { waitUntil: 'load' });
    assert.equal(res?.status(), 200, `GET ${subdomainUrl}`);
    assert.match(res!.headers()['content-type'] ?? '', /text\/html/);

    // Headline: the verdict of the OS the proposal is about (GuestOS, the one with a proposal hash),
    // not dragged down by the HostOS build it does not elect; that one is listed as "also built".
    const h1 = (await page.locator('h1').innerText()).replace(/\s+/g, ' ').trim();
    assert.equal(h1, `Proposal ${PROPOSAL} reproduced`);
    const lead = (await page.locator('p.lead').allInnerTexts()).join(' | ').replace(/\s+/g, ' ');
    assert.match(lead, /^Verdict for guestos, built against a proposal hash claimed by reviewers; the proposal was not read from governance\.$/);
    const body0 = (await page.locator('body').innerText()).replace(/\s+/g, ' ');
    assert.match(body0, /Also built \(no proposal hash\): hostos diverged\./);
    assert.equal(await page.locator(`a[href="https://dashboard.internetcomputer.org/proposal/${PROPOSAL}"]`).count(), 1, 'links the NNS dashboard');

    // Per OS: GuestOS reproduced by three endorsed reviewers at quorum 3; HostOS diverged.
    const osHeadings = (await page.locator('h2').allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim());
    assert.equal(osHeadings.length, 2, `OS headings: ${JSON.stringify(osHeadings)}`);
    assert.match(osHeadings[0]!, /^guestos reproduced quorum 3 · has a proposal hash$/);
    assert.match(osHeadings[1]!, /^hostos diverged quorum 3 · also built$/);

    // The hash-group tables: the one after each artifact heading lists the groups.
    const groupTables = page.locator('table:has(th:text-is("Built sha256"))');
    assert.equal(await groupTables.count(), 2);
    // The hash cell is read from its copyable full value; the other cells as text.
    const rowsOf = async (i: number) =>
      groupTables
        .nth(i)
        .locator('tbody tr')
        .evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td, j) => ((j === 0 ? td.querySelector('code.full')?.textContent : td.textContent) ?? '').replace(/\s+/g, ' ').trim())));

    const guest = await rowsOf(0);
    assert.equal(guest.length, 1, `GuestOS has one group: ${JSON.stringify(guest)}`);
    assert.equal(guest[0]![0], syntheticHash('guestos'));
    // Shown short (8…8) with the full value in the title; the full value opens on a click.
    const g = syntheticHash('guestos');
    const summary = groupTables.nth(0).locator('tbody tr td').first().locator('summary code');
    assert.equal(await summary.innerText(), `${g.slice(0, 8)}…${g.slice(-8)}`);
    assert.equal(await summary.getAttribute('title'), g);
    const full = groupTables.nth(0).locator('tbody tr td').first().locator('code.full');
    assert.equal(await full.isVisible(), false);
    await summary.click();
    assert.equal(await full.isVisible(), true);
    assert.equal(guest[0]![1], 'yes', 'matches the proposal');
    assert.equal(guest[0]![3], '3', 'three reviewers in the group');
    // Reviewers by name, each on its own line: name, endorsement, attestation link, principal.
    const names = await groupTables.nth(0).locator('ul.who > li > b').allInnerTexts();
    assert.deepEqual(names, [EVIL, 'Alice', 'Carol'].sort(), 'ordered by name');
    const first = (await groupTables.nth(0).locator('ul.who > li').first().innerText()).split('\n').map((x) => x.trim()).filter(Boolean);
    assert.match(first[0]!, /✔ endorsed attestation #\d+$/);

    const host = await rowsOf(1);
    assert.equal(host.length, 2, `HostOS has two groups: ${JSON.stringify(host)}`);
    assert.equal(host[0]![0], syntheticHash('hostos'), 'the matching group comes first');
    assert.equal(host[0]![1], 'n/a', 'no proposal hash for HostOS');
    assert.equal(host[0]![2], 'yes', 'matches the CDN');
    assert.equal(host[0]![3], '2');
    assert.ok(host[0]![4]!.includes('Alice') && host[0]![4]!.includes(EVIL) && !host[0]![4]!.includes('Carol'), host[0]![4]);
    assert.notEqual(host[1]![0], syntheticHash('hostos'));
    assert.equal(host[1]![2], 'no', 'the divergent group does not match the CDN');
    assert.equal(host[1]![3], '1');
    assert.ok(host[1]![4]!.includes('Carol') && host[1]![4]!.includes(principals.carol!), `Carol alone in the divergent group: ${host[1]![4]}`);

    // Verdict badges are styled, not just words: colours differ between reproduced and diverged.
    const badge = (v: string) => page.locator(`h2 .v.${v}`).first().evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.notEqual(await badge('reproduced'), await badge('diverged'));

    // The divergence hint names the component that differs (root.img in the synthetic build), in plain words.
    const body = await page.locator('body').innerText();
    const hint = (await page.locator('ul.hints > li').first().innerText()).replace(/\s+/g, ' ');
    assert.match(hint, /^1 build of \w{8}…\w{8} vs the reference: 2 builds of \w{8}…\w{8} \(the CDN hash\)\. update-img\.tar\.zst › root\.img differs first: same size \(\d+ bytes\), different content\./);
    assert.match(hint, /dirs\[host:\/var\/sysimage\]\.tmpfs: true in the reference builds, false here\. This separates the groups completely\./);
    assert.doesNotMatch(body, /build\(s\)|\(1\.00\)/);

    // The hostile name is shown as text and never parsed as markup, let alone run.
    assert.ok(body.includes(EVIL), 'the name with <script> is rendered literally');
    assert.equal(await page.locator('script').count(), 0, 'no <script> element made it into the DOM');
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.deepEqual(dialogs, []);

    mkdirSync(OUTPUT_DIR, { recursive: true });
    const shot = join(OUTPUT_DIR, 'dashboard-proposal.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(existsSync(shot));

    // On a phone (390 px) nothing scrolls sideways, even with a full hash opened above.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(OUTPUT_DIR, 'dashboard-proposal-narrow.png'), fullPage: true });
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(await overflow(), 0, 'at 390 px wide the proposal page must not scroll sideways');
    await page.setViewportSize({ width: 1280, height: 900 });

    // The same page through the ?canisterId= form of the gateway.
    const query = await page.goto(`${r.url}/proposal/${PROPOSAL}?canisterId=${r.canisterId}`);
    assert.equal(query?.status(), 200);
    assert.match(await page.locator('h1').innerText(), new RegExp(`Proposal ${PROPOSAL}`));

    // The index lists the proposal; its link leads to the same page (relative links work behind the gateway).
    const index = await page.goto(`http://${r.canisterId}.localhost:${port}/`);
    assert.equal(index?.status(), 200);
    const link = page.locator(`a[href="/proposal/${PROPOSAL}"]`);
    assert.equal(await link.count(), 1, 'the index links to the proposal');
    const cells = await page.locator('tbody tr').first().locator('td').allInnerTexts();
    assert.equal(cells[1]!.replace(/\s+/g, ' ').trim(), 'reproduced guestos (hash claimed by reviewers)');
    assert.equal(cells[2]!.replace(/\s+/g, ' ').trim(), 'hostos diverged');
    assert.match(await page.locator('body').innerText(), /by 3 reviewers \(3 endorsed\) on 1 proposal\./);
    await page.screenshot({ path: join(OUTPUT_DIR, 'dashboard-index.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(OUTPUT_DIR, 'dashboard-index-narrow.png'), fullPage: true });
    assert.equal(await overflow(), 0, 'at 390 px wide the index must not scroll sideways');
    await page.setViewportSize({ width: 1280, height: 900 });
    await Promise.all([page.waitForURL(`**/proposal/${PROPOSAL}`), link.click()]);
    assert.match(await page.locator('h1').innerText(), new RegExp(`Proposal ${PROPOSAL}`));

    // An attestation link from the table serves the signed envelope.
    const envLink = page.locator('a[href^="/attestation/"]').first();
    const href = await envLink.getAttribute('href');
    const envRes = await page.goto(`http://${r.canisterId}.localhost:${port}${href}`);
    assert.equal(envRes?.status(), 200);
    const envelope = JSON.parse(await envRes!.text());
    assert.equal(envelope.payloadType, 'application/vnd.in-toto+json');

    // An unknown proposal is a 404 page, not an error.
    const missing = await page.goto(`http://${r.canisterId}.localhost:${port}/proposal/1`);
    assert.equal(missing?.status(), 404);
    assert.match(await page.locator('h1').innerText(), /Not found/);

    // The favicon is inline (no request, no 404); the deliberate 404 above logs one error: nothing else may fail.
    const unexpected = consoleErrors.filter((m) => !m.endsWith(`/proposal/1)`));
    assert.deepEqual(unexpected, [], 'no console errors (CSP violations would show here)');
  } finally {
    await context.close();
  }
});
