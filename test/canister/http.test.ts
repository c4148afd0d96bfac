/** The web dashboard served by `http_request`: pages, JSON, badge, 404s, escaping. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { parseEnvelope, verifyEnvelope } from '../../protocol/envelope.js';
import type { HttpResponse } from '../../protocol/service.js';
import { envelope, hash, profile, reviewer } from './fixtures.js';
import { deploy, type Deployed } from './harness.js';
import { ok } from './util.js';

const P = 141_000n;
const G = hash('guestos');
const X = hash('divergent');

const alice = reviewer('alice', 'ed25519');
const evil = reviewer('evil', 'secp256k1');
const EVIL_NAME = '<script>alert("x")</script>';

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
  });

  it('/ lists recent proposals with verdicts', async () => {
    const r = await get('/');
    assert.equal(r.status_code, 200);
    assert.equal(header(r, 'content-type'), 'text/html; charset=utf-8');
    const html = text(r);
    assert.match(html, /<a href="\/proposal\/141000">141000<\/a>/);
    assert.match(html, /guestos <span class="v diverged">diverged<\/span>/);
    assert.doesNotMatch(html, /<script/i);
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
    assert.match(html, /<h2>guestos <span class="v diverged">diverged<\/span>/);
    assert.match(html, new RegExp(`href="/attestation/${aliceId}\\.json"`));
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

  it('/badge/<id>.svg is an SVG badge with the overall verdict', async () => {
    const r = await get(`/badge/${P}.svg`);
    assert.equal(r.status_code, 200);
    assert.equal(header(r, 'content-type'), 'image/svg+xml');
    assert.match(text(r), /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(text(r), />diverged</);
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
