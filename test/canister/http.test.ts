/** The web dashboard served by `http_request`: pages, JSON, badge, 404s, escaping. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { parseEnvelope, verifyEnvelope } from '../../protocol/envelope.js';
import type { HttpResponse } from '../../protocol/service.js';
import { envelope, hash, profile, reviewer, type TestReviewer } from './fixtures.js';
import { deploy, type Deployed } from './harness.js';
import { ok } from './util.js';
import { deploySync, guestSeed } from '../canister-sync/harness.js';
import { seeded } from '../canister-sync/util.js';

const P = 141_000n;
/** A GuestOS election as reviewers attest it without governance: GuestOS has a (claimed) proposal hash, HostOS is CDN only. */
const P2 = 141_001n;
const G = hash('guestos');
const X = hash('divergent');
const H = hash('hostos');
const Y = hash('hostos-divergent');

const alice = reviewer('alice', 'ed25519');
const evil = reviewer('evil', 'secp256k1');
const EVIL_NAME = '<script>alert("x")</script>';
/** Two reviewers whose name order (Ann, Zed) is the reverse of their principal order. */
const [firstByPrincipal, secondByPrincipal] = [reviewer('r1', 'ed25519'), reviewer('r2', 'ed25519')].sort((a, b) =>
  a.principal.toText() < b.principal.toText() ? -1 : 1
);
const zed: TestReviewer = firstByPrincipal;
const ann: TestReviewer = secondByPrincipal;

/** The 8…8 short form the pages show for a hash. */
const short = (h: string) => `${h.slice(0, 8)}…${h.slice(-8)}`;

function header(r: HttpResponse, name: string): string | undefined {
  return r.headers.find(([k]) => k.toLowerCase() === name)?.[1];
}

function text(r: HttpResponse): string {
  return Buffer.from(r.body).toString('utf8');
}

describe('attestations canister: web dashboard', () => {
  let d: Deployed;
  let aliceId: bigint;
  const get = (url: string, method = 'GET') => d.anonymous.http_request({ method, url, headers: [['host', 'localhost']], body: new Uint8Array(), certificate_version: [] });

  before(async () => {
    d = await deploy();
    ok(await d.as(alice).register_reviewer(profile(alice)));
    ok(await d.as(evil).register_reviewer(profile(evil, EVIL_NAME)));
    aliceId = ok(await d.as(alice).submit_attestation(envelope(alice, { proposal: P, os: 'guestos', built: G, proposalHash: G })));
    ok(await d.as(evil).submit_attestation(envelope(evil, { proposal: P, os: 'guestos', built: X, proposalHash: G })));

    ok(await d.controller.set_config({ ...(await d.anonymous.get_config()), quorum: 2 }));
    ok(await d.as(zed).register_reviewer(profile(zed, 'Zed')));
    ok(await d.as(ann).register_reviewer(profile(ann, 'Ann')));
    for (const r of [zed, ann]) {
      ok(await d.controller.endorse_reviewer(r.principal, true));
      ok(await d.as(r).submit_attestation(envelope(r, { proposal: P2, os: 'guestos', built: G, proposalHash: G })));
    }
    const rootOf = (h: string): [string, string][] => [['root.img', h], ['boot.img', hash('boot')]];
    ok(await d.as(ann).submit_attestation(envelope(ann, { proposal: P2, os: 'hostos', built: H, proposalHash: null, cdn: H, tmpfs: true, manifest: rootOf(hash('root-a')) })));
    ok(await d.as(zed).submit_attestation(envelope(zed, { proposal: P2, os: 'hostos', built: Y, proposalHash: null, cdn: H, tmpfs: false, manifest: rootOf(hash('root-b')) })));
  });

  it('/ lists recent proposals with verdicts', async () => {
    const r = await get('/');
    assert.equal(r.status_code, 200);
    assert.equal(header(r, 'content-type'), 'text/html; charset=utf-8');
    const html = text(r);
    assert.match(html, /<a href="\/proposal\/141000">141000<\/a>/);
    const row = (id: bigint) => new RegExp(`<tr><td data-l="Proposal"><a href="/proposal/${id}">.*?</tr>`).exec(html)?.[0] ?? '';
    // Only GuestOS attested, with a claimed hash: its verdict is the proposal's. Neither reviewer
    // is endorsed, so the dissent cannot decide it: pending (only endorsed reviewers decide).
    assert.match(row(P), /<td data-l="Verdict"><span class="v pending">pending<\/span> <span class="muted">guestos \(hash claimed by reviewers\)<\/span><\/td>/);
    // GuestOS reproduced; the HostOS build (no proposal hash) diverged: shown as "also built", not as the verdict.
    assert.match(row(P2), /<td data-l="Verdict"><span class="v reproduced">reproduced<\/span>/);
    assert.match(row(P2), /<td data-l="Also built"><span class="nw">hostos <span class="v diverged">diverged<\/span><\/span><\/td>/);
    assert.match(html, /6 attestations \(0 revoked\) by 4 reviewers \(2 endorsed\) on 2 proposals\./);
    assert.match(html, /<link rel="icon" href="data:image\/svg\+xml,/);
    assert.doesNotMatch(html, /<script/i);
  });

  it('/proposal/<id> headlines the verdict of the OS with a proposal hash; other OSes are "also built"', async () => {
    const html = text(await get(`/proposal/${P2}`));
    assert.match(html, /<h1>Proposal 141001 <span class="v reproduced">reproduced<\/span><\/h1>/);
    assert.match(html, /Verdict for <b>guestos<\/b>, built against a proposal hash <span class="warn">claimed by reviewers; the proposal was not read from governance<\/span>/);
    assert.match(html, /Also built \(no proposal hash\): <span class="nw">hostos <span class="v diverged">diverged<\/span><\/span>/);
    assert.match(html, /<h2>guestos <span class="v reproduced">reproduced<\/span> <span class="muted">quorum 2 · has a proposal hash<\/span><\/h2>/);
    assert.match(html, /<h2>hostos <span class="v diverged">diverged<\/span> <span class="muted">quorum 2 · also built<\/span><\/h2>/);
    assert.ok(html.includes(`<span class="warn">claimed by reviewers; not read from governance</span>`), 'a claimed proposal hash is labelled as such');
    assert.ok(html.includes('none (no reviewer claimed one); builds are compared with the CDN only'));
    assert.ok(html.includes('href="https://dashboard.internetcomputer.org/proposal/141001"'), 'links the NNS dashboard');
    assert.match(html, /4 attestations stored, 2 reviewers counted, quorum 2 endorsed reviewers; last attestation submitted 20\d\d-\d\d-\d\d \d\d:\d\d UTC\./);
    // Reviewers by name, not by principal.
    const group = /<ul class="who">(.*?)<\/ul>/.exec(html)?.[1] ?? '';
    assert.ok(group.indexOf('<bdi>Ann</bdi>') >= 0 && group.indexOf('<bdi>Ann</bdi>') < group.indexOf('<bdi>Zed</bdi>'), group);
    // Each name isolated (<bdi>) with its principal's first group; the attestation's readable page linked.
    assert.match(group, /<b class="name"><bdi>Ann<\/bdi><\/b> <code class="pp" title="[a-z0-9-]+">[a-z0-9]{5}…<\/code> <span class="tag ok">✔ endorsed<\/span> <a href="\/attestation\/\d+">attestation #\d+<\/a><span class="sub"><details class="c">/);
    // Hint wording: counts in words, equal sizes said plainly, factor strength in words.
    assert.ok(html.includes(`<p>1 build of <code title="${Y}">${short(Y)}</code> vs the reference: 1 build of <code title="${H}">${short(H)}</code> <span class="muted">(the CDN hash)</span>.</p>`));
    assert.ok(html.includes('<p>update-img.tar.zst › root.img differs first: same size (4096 bytes), different content.</p>'), 'equal sizes: same size, different content');
    assert.match(html, /<code>dirs\[host:\/var\/sysimage\]\.tmpfs<\/code>: true in the reference builds, <b>false<\/b> here\. <b title="score 1\.00 of 1">This separates the groups completely\.<\/b>/);
    // The cause names the reviewer and the fix; `code` spans render as <code>.
    assert.match(html, /<ul class="causes"><li><b><bdi>[^<]+<\/bdi><\/b>: the tmpfs the commit&#39;s container script mounts was not a tmpfs .*<code>host:\/var\/sysimage<\/code> was ext4.*<b>Fix:<\/b> keep the tmpfs/);
    assert.doesNotMatch(html, /build\(s\)|\(1\.00\)|Separates the groups cleanly/);
    assert.equal((await get(`/badge/${P2}.svg`)).body.length > 0, true);
    assert.match(text(await get(`/badge/${P2}.svg`)), />reproduced \d+\/\d+</);
  });

  it('hashes and principals are short on the page, with the full value in a title and a copyable element', async () => {
    const html = text(await get(`/proposal/${P}`));
    assert.ok(html.includes(`<details class="c"><summary><code title="${G}">${short(G)}</code></summary><code class="full">${G}</code></details>`));
    const p = alice.principal.toText();
    assert.ok(html.includes(`<code title="${p}">${p.slice(0, 11)}…${p.slice(-9)}</code></summary><code class="full">${p}</code>`));
    // No hash is printed in full outside a title or a copyable block.
    const visible = html.replace(/title="[^"]*"/g, '').replace(/<code class="full">[^<]*<\/code>/g, '');
    assert.ok(!visible.includes(G) && !visible.includes(X), 'full hashes only in titles and copyable blocks');
  });

  it('/favicon.ico is a small SVG (no 404 in every browser console)', async () => {
    const r = await get('/favicon.ico');
    assert.equal(r.status_code, 200);
    assert.equal(header(r, 'content-type'), 'image/svg+xml');
    assert.match(text(r), /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.ok(r.body.length < 400);
  });

  it('/proposal/<id> shows hash groups, reviewers, proposal hash and verdict, with reviewer text escaped', async () => {
    const r = await get(`/proposal/${P}?utm=1`);
    assert.equal(r.status_code, 200);
    assert.equal(header(r, 'content-type'), 'text/html; charset=utf-8');
    const html = text(r);
    assert.ok(html.includes(G) && html.includes(X), 'both hashes');
    assert.ok(html.includes('alice'));
    assert.ok(html.includes(alice.principal.toText()));
    assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'), 'the name is shown, escaped');
    assert.doesNotMatch(html, /<script/i, 'no script element anywhere');
    // Neither reviewer is endorsed: their builds differ, but unverified reports never decide.
    assert.match(html, /<h2>guestos <span class="v pending">pending<\/span>/);
    assert.match(html, /<h1>Proposal 141000 <span class="v pending">pending<\/span><\/h1>/);
    assert.ok(html.includes('No endorsed reviewer has attested yet (quorum 2); 1 unverified report differs; 1 unverified report matches'), 'the unverified reports are counted apart');
    assert.match(html, new RegExp(`href="/attestation/${aliceId}"`));
    assert.match(header(r, 'content-security-policy') ?? '', /default-src 'none'/);
  });

  it('/proposal/<id>.json is the report as JSON', async () => {
    const r = await get(`/proposal/${P}.json`);
    assert.equal(r.status_code, 200);
    assert.equal(header(r, 'content-type'), 'application/json; charset=utf-8');
    const json = JSON.parse(text(r));
    const [report] = await d.anonymous.proposal_report(P);
    assert.equal(json.proposal, '141000');
    assert.equal(json.oses[0].verdict, report?.oses[0].verdict);
    assert.deepEqual(
      json.oses[0].artifacts[0].groups.map((g: { sha256: string; members: { name: string }[] }) => [g.sha256, g.members.map((m) => m.name)]),
      [[G, ['alice']], [X, [EVIL_NAME]]]
    );
  });

  it('/attestation/<id>.json is the signed envelope, verifiable offline', async () => {
    const r = await get(`/attestation/${aliceId}.json`);
    assert.equal(r.status_code, 200);
    assert.equal(header(r, 'content-type'), 'application/json; charset=utf-8');
    const env = parseEnvelope(text(r));
    assert.ok(env.ok);
    const v = verifyEnvelope(env.ok ? env.value : null, alice.signer.publicKeyDer);
    assert.ok(v.ok, 'verifies with the reviewer key');
    assert.equal(v.ok && v.value.statement.predicate.proposal, '141000');
  });

  it('/attestation/<id> is the attestation as a page: who, what, signature status, the raw envelope linked', async () => {
    const r = await get(`/attestation/${aliceId}`);
    assert.equal(r.status_code, 200);
    assert.equal(header(r, 'content-type'), 'text/html; charset=utf-8');
    const html = text(r);
    assert.match(html, new RegExp(`<h1>Attestation #${aliceId}</h1>`));
    assert.ok(html.includes(`<a href="/attestation/${aliceId}.json">`), 'links the raw envelope');
    assert.ok(html.includes('<bdi>alice</bdi>'));
    assert.match(html, /<th scope="row">Signature<\/th><td><span class="ok">verified<\/span>/);
    assert.match(html, /<th scope="row">Proposal<\/th><td><a href="\/proposal\/141000">141000<\/a>/);
    assert.ok(html.includes('<h2>Environment</h2>'));
    assert.doesNotMatch(html, /<script/i);
    assert.equal((await get('/attestation/99999')).status_code, 404);
  });

  it('/badge/<id>.svg is an SVG badge with the overall verdict', async () => {
    const r = await get(`/badge/${P}.svg`);
    assert.equal(r.status_code, 200);
    assert.equal(header(r, 'content-type'), 'image/svg+xml');
    assert.match(text(r), /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    // Both reviewers unendorsed: nothing decided yet; the differing report is counted apart.
    assert.match(text(r), />pending 0\/2 · 1 unverified differs</);
    const none = await get('/badge/1.svg');
    assert.match(text(none), />no attestations</);
  });

  it('unknown paths, unknown ids and other methods are not served', async () => {
    for (const url of ['/nope', '/proposal/abc', '/proposal/999', '/attestation/999.json', '/proposal/99999999999999999999999', '/badge/x.svg', '/proposal/', '/..']) {
      const r = await get(url);
      assert.equal(r.status_code, 404, url);
      assert.equal(header(r, 'content-type'), 'text/html; charset=utf-8');
    }
    assert.equal((await get('/', 'POST')).status_code, 405);
    const head = await get(`/proposal/${P}`, 'HEAD');
    assert.equal(head.status_code, 200);
    assert.equal(head.body.length, 0);
    assert.ok(Number(header(head, 'content-length')) > 1000);
  });
});

describe('attestations canister: web dashboard with the proposal read from governance', () => {
  it('headlines the elected OS, shows the title and says the hash is governance\'s', async () => {
    const env = await deploySync();
    const GP = 139_950n;
    seeded(await env.gov.add_election(guestSeed(GP, G)));
    ok(await env.user.sync_proposal(GP));
    ok(await env.controller.set_config({ ...(await env.user.get_config()), quorum: 1 }));
    const r = reviewer('gina', 'ed25519');
    ok(await env.as(r.principal).register_reviewer(profile(r, 'Gina')));
    ok(await env.controller.endorse_reviewer(r.principal, true));
    ok(await env.as(r.principal).submit_attestation(envelope(r, { proposal: GP, os: 'guestos', built: G, proposalHash: G })));
    // A HostOS build that matches nothing: the proposal does not elect HostOS, so it cannot sink the verdict.
    ok(await env.as(r.principal).submit_attestation(envelope(r, { proposal: GP, os: 'hostos', built: Y, proposalHash: null, cdn: H })));
    const get = async (url: string) => Buffer.from((await env.user.http_request({ method: 'GET', url, headers: [], body: new Uint8Array(0), certificate_version: [] })).body as Uint8Array).toString('utf8');

    const html = await get(`/proposal/${GP}`);
    assert.match(html, /<h1>Proposal 139950 <span class="v reproduced">reproduced<\/span><\/h1>/);
    assert.ok(html.includes(`<p class="lead">${guestSeed(GP, G).title}</p>`), 'the title');
    assert.ok(html.includes('Verdict for <b>guestos</b>, the OS this proposal elects (read from NNS governance).'));
    assert.match(html, /Also built \(not elected by this proposal\): <span class="nw">hostos <span class="v diverged">diverged<\/span><\/span>/);
    assert.match(html, /<h2>guestos <span class="v reproduced">reproduced<\/span> <span class="muted">quorum 1 · elected by this proposal<\/span><\/h2>/);
    assert.ok(html.includes(`${short(G)}</code></summary><code class="full">${G}</code></details> <span class="muted">(from governance)</span>`));
    assert.ok(html.includes('none: this proposal does not elect hostos; builds are compared with the CDN only'));
    assert.match(html, /proposed \d{4}-\d\d-\d\d \d\d:\d\d UTC, last attestation submitted/);
    assert.doesNotMatch(html, /claimed by reviewers/);
    assert.match(await get(`/badge/${GP}.svg`), />reproduced \d+\/\d+</);

    const index = await get('/');
    const row = new RegExp(`<tr><td data-l="Proposal"><a href="/proposal/${GP}">${GP}</a><span class="sub">([^<]*)</span></td><td data-l="Verdict"><span class="v reproduced">reproduced</span> <span class="muted">guestos</span></td>`).exec(index);
    assert.ok(row, 'the index row: title, the elected OS\'s verdict');
    assert.equal(row![1], guestSeed(GP, G).title);
  });
});
