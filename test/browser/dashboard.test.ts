/**
 * The dashboard as a person sees it: headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core) loads the attestations canister's pages through the embedded replica's HTTP
 * gateway, both as `http://<canister-id>.localhost:<port>/…` and `…/?canisterId=<id>`, after three
 * endorsed reviewers attested a GuestOS election (each also built HostOS, which has no proposal
 * hash; one HostOS build diverges; one reviewer has a `<script>` in its name) and one unendorsed
 * identity calling itself "Alice" submitted a made-up GuestOS hash. Every route is audited with
 * axe-core (no serious or critical violations) on a desktop and a 390 px phone viewport, in the
 * light and the dark colour scheme, and screenshotted under test-output/.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Principal } from '@dfinity/principal';
import type { Page } from 'playwright-core';

import { syntheticHash, syntheticResult } from '../fixtures/synthetic-result.js';
import { unwrapResult } from '../../attestor/client/client.js';
import { attestFile, submitFiles } from '../../attestor/cli/commands/review.js';
import { Context } from '../../attestor/cli/context.js';
import { startLocalReplica, type LocalReplica } from '../../attestor/cli/local-replica.js';
import { newEd25519Pem } from '../../attestor/identity/dfx.js';
import type { OsName } from '../../protocol/types.js';
import type { ProposalReport } from '../../protocol/service.js';
import { badgeStatus } from '../../canister/http/badge.js';
import { ATTESTATIONS_WASM, OUTPUT_DIR, assertWasm, removeDir, tempDir } from '../e2e/cli.js';
import { auditPage, launchChromium, CHROMIUM, DESKTOP, PHONE } from './chromium.js';

const PROPOSAL = '140777';
const EVIL = '<script>window.__pwned=1</script>Bob';

const base = tempDir('icos-browser-');
let replica: LocalReplica | undefined;
const principals: Record<string, string> = {};
let report: ProposalReport | undefined;

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

  const reviewers: { key: string; name: string; diverge: OsName | null; endorse: boolean }[] = [
    { key: 'alice', name: 'Alice', diverge: null, endorse: true },
    { key: 'bob', name: EVIL, diverge: null, endorse: true },
    { key: 'carol', name: 'Carol', diverge: 'hostos', endorse: true },
    // A throwaway identity: never endorsed, takes Alice's name, reports a different GuestOS hash.
    { key: 'mallory', name: 'alice', diverge: 'guestos', endorse: false },
  ];
  for (const r of reviewers) {
    const ctx = new Context({ ...net, pem: pem(r.key) });
    const dir = join(base, r.key);
    mkdirSync(dir);
    const resultPath = join(dir, 'result.json');
    const result = syntheticResult({ proposal: PROPOSAL, oses: ['guestos', 'hostos'], divergeOs: r.diverge }) as { oses: { os: string; artifacts: { proposalSha256: string | null }[] }[] };
    // A GuestOS election: the proposal carries no HostOS hash, so HostOS builds are compared with the CDN only.
    for (const o of result.oses) if (o.os === 'hostos') for (const a of o.artifacts) a.proposalSha256 = null;
    // The impostor's made-up hash comes with an ordinary environment: nothing explains it.
    if (!r.endorse) (result as Record<string, unknown>).environment = syntheticResult({ proposal: PROPOSAL, oses: ['guestos'] }).environment;
    writeFileSync(resultPath, JSON.stringify(result));
    const files = await attestFile(ctx, resultPath, {});
    await submitFiles(ctx, files.map((f) => f.path), r.name);
    principals[r.key] = ctx.identity().principal;
    if (r.endorse) unwrapResult(await admin.call('endorse_reviewer', Principal.fromText(principals[r.key]!), true), 'endorse_reviewer');
  }
  const got = (await admin.call('proposal_report', BigInt(PROPOSAL))) as [] | [ProposalReport];
  report = got[0];
  if (process.env.DUMP_REPORT) writeFileSync(process.env.DUMP_REPORT, JSON.stringify(report, (_k, v) => (typeof v === 'bigint' ? v.toString() : v && v._isPrincipal ? Principal.from(v).toText() : v), 1));
});

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

test('headless Chromium: the proposal page answers in one sentence, the picture and the matrix tell who differs; hostile names stay text', async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium) to run the browser test`);
    return;
  }
  const context = await launchChromium(join(base, 'chromium-profile'));
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

    // Headline: the elected OS's outcome, decided by endorsed reviewers only: the throwaway
    // identity's made-up hash is shown and counted apart, and does not turn the page red.
    assert.equal(squash(await page.locator('h1').innerText()), `Proposal ${PROPOSAL} reproduced`);
    assert.equal(
      squash(await page.locator('p.sentence').first().innerText()),
      'Claimed proposal hash reproduced by 3 of 3 endorsed reviewers (quorum 3); 1 unverified report differs'
    );
    const lead = squash((await page.locator('p.lead').allInnerTexts()).join(' | '));
    assert.match(lead, /^Verdict for guestos, built against a proposal hash claimed by reviewers; the proposal was not read from governance\.$/);
    const body0 = squash(await page.locator('body').innerText());
    assert.match(body0, /Also built \(no proposal hash\): hostos diverged\./);
    assert.equal(await page.locator(`a[href="https://dashboard.internetcomputer.org/proposal/${PROPOSAL}"]`).count(), 1, 'links the NNS dashboard');

    // Landmarks.
    for (const l of ['header', 'nav', 'main', 'footer']) assert.equal(await page.locator(l).count() >= 1, true, `a <${l}> landmark`);
    assert.match(squash(await page.locator('footer').innerText()), new RegExp(`icos-attest verify --proposal ${PROPOSAL}`));

    // Per OS: a heading with the outcome, a sentence, the agreement bar with a quorum marker, the matrix.
    const osHeadings = (await page.locator('h2').allInnerTexts()).map(squash);
    assert.deepEqual(osHeadings, ['guestos reproduced quorum 3 · has a proposal hash', 'hostos diverged quorum 3 · also built']);
    const bars = page.locator('svg.bar');
    assert.equal(await bars.count(), 2);
    assert.equal(await bars.first().locator('title').textContent(), '3 endorsed matching of quorum 3, 0 endorsed differing; unverified, not counted: 0 matching, 1 differing');
    assert.equal(await bars.first().locator('line.q').count(), 1, 'the quorum marker');
    assert.equal(await bars.first().locator('rect.ud').count(), 1, 'the unverified dissent is drawn apart');
    assert.equal(await bars.nth(1).locator('title').textContent(), '2 endorsed matching of quorum 3, 1 endorsed differing; unverified, not counted: 1 matching, 0 differing');

    // The matrix: endorsed reviewers first; every name isolated in <bdi> with its principal prefix;
    // the impostor's name is marked as colliding; the divergence hint sits in the differing person's row.
    const matrix = page.locator('table.matrix').first();
    const rows = await matrix.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.children).map((c) => (c.textContent ?? '').replace(/\s+/g, ' ').trim())));
    assert.equal(rows.length, 4);
    assert.deepEqual(rows.map((x) => x[0]!.includes('unverified')), [false, false, false, true], 'endorsed first');
    assert.ok(rows[3]![0]!.startsWith('alice') && rows[3]![0]!.includes(principals.mallory!.split('-')[0]!) && rows[3]![0]!.includes('same name as another reviewer'), rows[3]![0]);
    const alice = rows.find((x) => x[0]!.startsWith('Alice'))!;
    assert.ok(alice[0]!.includes('same name as another reviewer') && !alice[0]!.includes('unverified'), `the endorsed Alice is marked too: ${alice[0]}`);
    assert.match(rows[3]![1]!, /^✗ differs: \w{8}…\w{8}$/);
    for (const row of rows.slice(0, 3)) assert.equal(row[1], '✓ matches');
    assert.notEqual(rows[3]![2], '-', 'the hint is next to the person it concerns');
    const bdi = await matrix.locator('tbody th bdi').allInnerTexts();
    assert.deepEqual(bdi.slice(0, 3).sort(), [EVIL, 'Alice', 'Carol'].sort());
    assert.equal(await page.locator('b.name:not(:has(bdi)):not(:has(i))').count(), 0, 'every name is in a <bdi>');
    const hostRows = await page.locator('table.matrix').nth(1).locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.children).map((c) => (c.textContent ?? '').replace(/\s+/g, ' ').trim())));
    const carol = hostRows.find((x) => x[0]!.startsWith('Carol'))!;
    assert.match(carol[1]!, /^✗ differs/);
    assert.match(carol[2]!, /tmpfs/, `Carol's row says why: ${carol[2]}`);

    // The hash-group tables: the one after each artifact heading lists the groups.
    const groupTables = page.locator('table:has(th:text-is("Built sha256"))');
    assert.equal(await groupTables.count(), 2);
    const rowsOf = async (i: number) =>
      groupTables
        .nth(i)
        .locator('tbody tr')
        .evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td, j) => ((j === 0 ? td.querySelector('code.full')?.textContent : td.textContent) ?? '').replace(/\s+/g, ' ').trim())));
    const guest = await rowsOf(0);
    assert.equal(guest.length, 2, `GuestOS: the endorsed group and the impostor's: ${JSON.stringify(guest)}`);
    assert.equal(guest[0]![0], syntheticHash('guestos'));
    const g = syntheticHash('guestos');
    const summary = groupTables.nth(0).locator('tbody tr td').first().locator('summary code');
    assert.equal(await summary.innerText(), `${g.slice(0, 8)}…${g.slice(-8)}`);
    assert.equal(await summary.getAttribute('title'), g);
    const full = groupTables.nth(0).locator('tbody tr td').first().locator('code.full');
    assert.equal(await full.isVisible(), false);
    // Keyboard: the summary is focusable and Enter opens the full value.
    await groupTables.nth(0).locator('tbody tr td').first().locator('summary').focus();
    await page.keyboard.press('Enter');
    assert.equal(await full.isVisible(), true);
    assert.equal(guest[0]![1], 'yes', 'matches the proposal');
    assert.equal(guest[0]![3], '3', 'three reviewers in the group');
    assert.match(guest[1]![3]!, /^1 \(0 endorsed\)$/);

    // Verdict tags are styled, not just words: colours differ between reproduced and diverged.
    const tag = (v: string) => page.locator(`h2 .v.${v}`).first().evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.notEqual(await tag('reproduced'), await tag('diverged'));

    // The divergence hint names the component that differs (root.img in the synthetic build), in plain words.
    const hints = (await page.locator('ul.hints > li').allInnerTexts()).map(squash);
    const hostHint = hints.find((h) => h.includes('(the CDN hash)'))!;
    assert.match(hostHint, /^1 build of \w{8}…\w{8} vs the reference: 3 builds of \w{8}…\w{8} \(the CDN hash\)\. update-img\.tar\.zst › root\.img differs first: same size \(\d+ bytes\), different content\./);
    assert.match(hostHint, /dirs\[host:\/var\/sysimage\]\.tmpfs: true in the reference builds, false here\. This separates the groups completely\./);

    // The hostile name is shown as text and never parsed as markup, let alone run.
    const body = await page.locator('body').innerText();
    assert.ok(body.includes(EVIL), 'the name with <script> is rendered literally');
    assert.equal(await page.locator('script').count(), 0, 'no <script> element made it into the DOM');
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.deepEqual(dialogs, []);

    // The badge's words for this report: the outcome with its counts, and the unverified dissent.
    assert.equal(badgeStatus(report!), 'reproduced 3/3 · 1 unverified differs');

    // An attestation page: readable, with the raw JSON a link away.
    const attLink = page.locator('table.groups a[href^="/attestation/"]').first();
    const attHref = (await attLink.getAttribute('href'))!;
    await Promise.all([page.waitForURL(`**${attHref}`), attLink.click()]);
    assert.match(squash(await page.locator('h1').innerText()), /^Attestation #\d+$/);
    const facts = squash(await page.locator('main table').first().innerText());
    for (const word of ['Reviewer', 'Commit', 'Built', '2026-11-25T10:00:00Z to 2026-11-25T11:12:00Z (72 min 0 s)', 'Signature verified', 'Status counted']) assert.ok(facts.includes(word), `${word} in ${facts}`);
    assert.ok((await page.locator('h2').allInnerTexts()).map(squash).includes('Environment'));
    await page.locator('details:has(pre.manifest) > summary').first().click();
    assert.match(await page.locator('pre.manifest').first().innerText(), /root\.img/);
    const raw = page.locator(`a[href="${attHref}.json"]`).first();
    const envRes = await page.goto(`http://${r.canisterId}.localhost:${port}${attHref}.json`);
    assert.equal(envRes?.status(), 200);
    assert.equal(JSON.parse(await envRes!.text()).payloadType, 'application/vnd.in-toto+json');
    void raw;

    // An unknown proposal is a 404 page, not an error.
    const missing = await page.goto(`http://${r.canisterId}.localhost:${port}/proposal/1`);
    assert.equal(missing?.status(), 404);
    assert.match(await page.locator('h1').innerText(), /Not found/);

    const unexpected = consoleErrors.filter((m) => !m.endsWith(`/proposal/1)`));
    assert.deepEqual(unexpected, [], 'no console errors (CSP violations would show here)');
  } finally {
    await context.close();
  }
});

test('both URL forms: every internal link followed in the browser answers 200 and keeps the form', async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} is missing`);
    return;
  }
  const context = await launchChromium(join(base, 'chromium-profile-links'));
  try {
    const page = await context.newPage();
    const r = replica!;
    const port = new URL(r.url).port;
    const forms = [
      { name: 'subdomain', home: `http://${r.canisterId}.localhost:${port}/`, keeps: (u: URL) => u.hostname === `${r.canisterId}.localhost` },
      { name: 'query', home: `${r.url}/?canisterId=${r.canisterId}`, keeps: (u: URL) => u.searchParams.get('canisterId') === r.canisterId },
    ];
    for (const form of forms) {
      const res = await page.goto(form.home);
      assert.equal(res?.status(), 200, `${form.name}: home`);
      // Index → proposal → attestation → JSON → back home through the nav, each by clicking.
      const steps = [`a[href="/proposal/${PROPOSAL}"]`, 'table.groups a[href^="/attestation/"]', 'a[href$=".json"]'];
      for (const sel of steps) {
        const link = page.locator(sel).first();
        assert.equal(await link.count(), 1, `${form.name}: ${sel} on ${page.url()}`);
        const [response] = await Promise.all([page.waitForNavigation(), link.click()]);
        assert.equal(response?.status(), 200, `${form.name}: ${sel} → ${page.url()}`);
        assert.ok(form.keeps(new URL(page.url())), `${form.name}: ${page.url()} keeps the URL form`);
        if (sel.endsWith('.json"]')) await page.goBack();
      }
      // Every link on the proposal page answers (badge and JSON included).
      const proposalUrl = form.name === 'query' ? `${r.url}/proposal/${PROPOSAL}?canisterId=${r.canisterId}` : `http://${r.canisterId}.localhost:${port}/proposal/${PROPOSAL}`;
      await page.goto(proposalUrl);
      const hrefs = [...new Set(await page.locator('a[href^="/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')!.split('#')[0]!)))];
      assert.ok(hrefs.length >= 5, JSON.stringify(hrefs));
      // As a click would: the page's URL as referrer (the page's CSP allows it no fetch()).
      const follower = await context.newPage();
      for (const href of hrefs) {
        const res = await follower.goto(new URL(href, proposalUrl).href, { referer: proposalUrl });
        assert.equal(res?.status(), 200, `${form.name}: ${href}`);
        assert.ok(form.keeps(new URL(follower.url())), `${form.name}: ${href} → ${follower.url()}`);
      }
      await follower.close();
      await page.locator('header nav a').first().click();
      await page.waitForLoadState();
      assert.equal(squash(await page.locator('h1').innerText()), 'IC-OS reproducibility attestations', `${form.name}: the nav leads home`);
      assert.ok(form.keeps(new URL(page.url())), page.url());
    }
  } finally {
    await context.close();
  }
});

test('axe-core on every route, desktop and phone, light and dark: no serious or critical violations; screenshots of each', async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} is missing`);
    return;
  }
  const context = await launchChromium(join(base, 'chromium-profile-axe'));
  try {
    const page = await context.newPage();
    const r = replica!;
    const port = new URL(r.url).port;
    const origin = `http://${r.canisterId}.localhost:${port}`;
    const routes: { name: string; url: string; status: number; ready?: (p: Page) => Promise<void> }[] = [
      { name: 'index', url: `${origin}/`, status: 200 },
      { name: 'proposal', url: `${origin}/proposal/${PROPOSAL}`, status: 200 },
      { name: 'attestation', url: `${origin}/attestation/1`, status: 200 },
      { name: 'not-found', url: `${origin}/proposal/1`, status: 404 },
      {
        name: 'candid-ui',
        url: `${r.url}/_/candid?id=${r.canisterId}`,
        status: 200,
        ready: async (p) => {
          await p.waitForSelector('body[data-ready]');
        },
      },
    ];
    mkdirSync(OUTPUT_DIR, { recursive: true });
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    for (const route of routes) {
      for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
        for (const scheme of ['light', 'dark'] as const) {
          await page.setViewportSize(viewport);
          await page.emulateMedia({ colorScheme: scheme });
          const res = await page.goto(route.url);
          assert.equal(res?.status(), route.status, route.url);
          await route.ready?.(page);
          const bad = await auditPage(page);
          assert.deepEqual(bad, [], `${route.name} ${size} ${scheme}: ${JSON.stringify(bad, null, 1)}`);
          if (size === 'phone' && route.name !== 'candid-ui') assert.equal(await overflow(), 0, `${route.name} must not scroll sideways at 390 px`);
          const shot = join(OUTPUT_DIR, `route-${route.name}-${size}${scheme === 'dark' ? '-dark' : ''}.png`);
          await page.screenshot({ path: shot, fullPage: true });
          assert.ok(existsSync(shot));
        }
      }
    }
    // The README's picture: the top of the proposal page, light scheme, 960 px wide.
    await page.setViewportSize({ width: 960, height: 700 });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(`${origin}/proposal/${PROPOSAL}`);
    await page.screenshot({ path: join(OUTPUT_DIR, 'readme-proposal.png'), clip: { x: 0, y: 0, width: 960, height: 700 } });
  } finally {
    await context.close();
  }
});

test('Candid UI on the embedded replica: proposal_report called from the page answers; an anonymous update gets the canister\'s refusal', async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} is missing`);
    return;
  }
  const context = await launchChromium(join(base, 'chromium-profile-candid'));
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const r = replica!;
    const res = await page.goto(`${r.url}/_/candid?id=${r.canisterId}`);
    assert.equal(res?.status(), 200);
    assert.match(res!.headers()['content-security-policy'] ?? '', /script-src 'self'/);
    await page.waitForSelector('body[data-ready]');
    assert.equal(await page.locator('body').getAttribute('data-ready'), 'true', await page.locator('#status').innerText());
    assert.match(await page.locator('#status').innerText(), /^\d+ methods of /);

    // The form is labelled with the argument name from the .did.
    const section = page.locator('#m-proposal_report');
    assert.match(squash(await section.locator('.sig').innerText()), /^\(proposal: nat64\) →/);
    const input = section.getByRole('textbox', { name: /proposal/ });
    await input.fill(PROPOSAL);
    await section.getByRole('button', { name: 'Query' }).click();
    const out = page.locator('pre[data-method="proposal_report"]');
    await page.waitForFunction(() => /ok|err/.test(document.querySelector('pre[data-method="proposal_report"]')?.className ?? ''));
    const text = await out.innerText();
    assert.equal(await out.getAttribute('class'), 'result ok', text);
    assert.match(text, /proposal\s*=\s*140_?777/);
    assert.match(text, /verdict="(reproduced|diverged)"/);
    assert.ok(text.includes(syntheticHash('guestos')), 'the report carries the elected hash');

    // An update as the anonymous principal: the canister's own refusal, shown on the page.
    const revoke = page.locator('#m-revoke_attestation');
    await revoke.getByRole('textbox', { name: /^id/ }).fill('1');
    await revoke.getByRole('textbox', { name: /^reason/ }).fill('not mine');
    await revoke.getByRole('button', { name: 'Call' }).click();
    const refusal = page.locator('pre[data-method="revoke_attestation"]');
    await page.waitForFunction(() => /ok|err/.test(document.querySelector('pre[data-method="revoke_attestation"]')?.className ?? ''));
    const refused = await refusal.innerText();
    assert.equal(await refusal.getAttribute('class'), 'result err', refused);
    assert.match(refused, /^Rejected: [\s\S]*Canister rejected the message[\s\S]*calls as the anonymous principal/);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
