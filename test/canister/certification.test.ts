/**
 * The dashboard's certification (HTTP response verification v2), checked with DFINITY's own
 * verifier (@dfinity/response-verification, the code HTTP gateways run) on responses served
 * through replica/http with a real BLS-signed data certificate:
 * - the index, each proposal's page, JSON document and badge, and the favicon are certified
 *   response-only at their exact path: the verifier vouches for the body and the security
 *   headers, and refuses a tampered body, header or status;
 * - everything else falls back to skip-certification at `http_expr/<*>`, with a witness that
 *   proves no more specific path exists; a skip-certified answer for a certified path is refused.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decode as cborDecode } from '@dfinity/cbor';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { sha256 } from '@noble/hashes/sha2';
import { verifyRequestResponsePair } from '@dfinity/response-verification';
import { HttpRequestIdl } from '../../protocol/service.js';
import { startReplicaServer, type ReplicaServer } from '../../replica/http/index.js';
import { fullTree, lookup, rootHash, type HashTree } from '../../protocol/hash-tree.js';
import { envelope, hash, profile, reviewer } from './fixtures.js';
import { deploy, type Deployed } from './harness.js';
import { ok } from './util.js';
import { decodeWitness } from './witness.js';

const SKIP = 'default_certification(ValidationArgs{no_certification:Empty{}})';
/** `skip_certification_certified_data()` of the ic-http-certification crate (its own test vector). */
const REFERENCE_SKIP_TREE = '55ecc31c3e8047fc158f20ea0aa0609aacc7b57e06ea40dc41860272a7d64291';
const P = 142_000n;
const alice = reviewer('alice', 'ed25519');
/** Non-ASCII, quotes and a backslash: the canister turns pages and reports into bytes natively (canister/text.ts). */
const zoe = reviewer('zoe', 'secp256k1');
const ZOE = 'Zoë "Ψ" \\ 中文 😀 ĳ';
const utf8 = (s: string) => new TextEncoder().encode(s);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function header(headers: [string, string][], name: string): string | undefined {
  return headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
}

function parseCertificateHeader(value: string): { certificate: Uint8Array; tree: HashTree; exprPath: unknown; version: string } {
  const m = /^certificate=:([A-Za-z0-9+/=]*):, tree=:([A-Za-z0-9+/=]*):, expr_path=:([A-Za-z0-9+/=]*):, version=([0-9]+)$/.exec(value);
  assert.ok(m, `IC-Certificate header has the v2 form: ${value.slice(0, 200)}`);
  const b = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
  return { certificate: b(m[1]), tree: decodeWitness(b(m[2])), exprPath: cborDecode(b(m[3])), version: m[4] };
}

/** The labeled `http_expr` node of a witness's top level (through forks). */
function httpExprNode(t: HashTree): HashTree | undefined {
  if (t[0] === 2) return Buffer.from(t[1]).toString() === 'http_expr' ? t : undefined;
  if (t[0] === 1) return httpExprNode(t[1]) ?? httpExprNode(t[2]);
  return undefined;
}

describe('attestations canister: certified dashboard (response verification v2)', () => {
  let d: Deployed;
  let attestationId: bigint;
  let server: ReplicaServer | undefined;
  const request = (url: string, method = 'GET') => ({ method, url, headers: [['host', 'localhost']] as [string, string][], body: new Uint8Array(), certificate_version: [2] as [number] });
  const certified = () => ['/', '/index.html', '/favicon.svg', `/proposal/${P}`, `/proposal/${P}.json`, `/badge/${P}.svg`];
  const skipped = () => [`/attestation/${attestationId}.json`, '/nothing-here', '/proposal/1', '/badge/1.svg', `/proposal/${P}/x`];

  before(async () => {
    d = await deploy();
    ok(await d.as(alice).register_reviewer(profile(alice)));
    attestationId = ok(await d.as(alice).submit_attestation(envelope(alice, { proposal: P, os: 'guestos', built: hash('g'), proposalHash: hash('g') })));
    ok(await d.as(zoe).register_reviewer(profile(zoe, ZOE)));
    ok(await d.as(zoe).submit_attestation(envelope(zoe, { proposal: P, os: 'guestos', built: hash('g'), proposalHash: hash('g') })));
    server = await startReplicaServer({ runtime: d.rt });
  });
  after(async () => { await server?.close(); });

  const fetchRoute = async (route: string) => {
    const url = `${route}?canisterId=${d.id.toText()}`;
    const res = await fetch(`${server!.url}${url}`);
    const headers: [string, string][] = [];
    res.headers.forEach((v, k) => headers.push([k, v]));
    return { url, status: res.status, headers, body: new Uint8Array(await res.arrayBuffer()) };
  };
  const verify = (url: string, status: number, headers: [string, string][], body: Uint8Array) =>
    verifyRequestResponsePair(
      { url, method: 'GET', headers: [], body: new Uint8Array(), certificate_version: [2] },
      { status_code: status, headers, body },
      d.id.toUint8Array(),
      d.rt.time(),
      300_000_000_000n,
      server!.rootKey,
      2
    );

  it('keeps the skip-certification subtree (the crate vector) under http_expr/<*>, and the same tree after an upgrade', async () => {
    const expected = rootHash(fullTree([[utf8('http_expr'), [[utf8('<*>'), [[sha256(utf8(SKIP)), new Uint8Array(0)]]]]]]));
    assert.equal(hex(expected), REFERENCE_SKIP_TREE);
    const r = await d.anonymous.http_request(request('/nothing-here'));
    const c = parseCertificateHeader(header(r.headers, 'IC-Certificate') ?? '');
    assert.equal(hex(rootHash(c.tree)), hex(d.rt.certifiedData(d.id)), 'the witness is cut from the certified tree');
    const found = lookup(c.tree, [utf8('http_expr'), utf8('<*>'), sha256(utf8(SKIP))]);
    assert.ok(found instanceof Uint8Array && found.length === 0, 'the witness proves the skip expression');
    assert.ok(httpExprNode(c.tree));
    const before = hex(d.rt.certifiedData(d.id));
    await d.upgrade();
    assert.equal(hex(d.rt.certifiedData(d.id)), before, 'the upgrade rebuilds the same certified tree');
  });

  it('the verifier vouches for every byte of each certified page and its security headers', async () => {
    for (const route of certified()) {
      const r = await fetchRoute(route);
      assert.equal(r.status, 200, route);
      const info = verify(r.url, r.status, r.headers, r.body);
      assert.equal(info.verificationVersion, 2, route);
      assert.ok(info.response, `${route}: certified, not skipped`);
      assert.equal(hex(info.response.body), hex(r.body), route);
      for (const h of ['content-type', 'content-security-policy', 'x-content-type-options', 'cache-control']) {
        assert.ok(info.response.headers.some(([k]) => k.toLowerCase() === h), `${route}: ${h} is certified`);
      }
    }
  });

  it('refuses a tampered body, a tampered certified header and a different status', async () => {
    for (const route of certified()) {
      const r = await fetchRoute(route);
      const body = new Uint8Array(r.body);
      body[body.length - 2] ^= 1;
      assert.throws(() => verify(r.url, r.status, r.headers, body), () => true, `${route}: body`);
      const csp = r.headers.map(([k, v]): [string, string] => [k, k === 'content-security-policy' ? `${v}; script-src *` : v]);
      assert.throws(() => verify(r.url, r.status, csp, r.body), () => true, `${route}: header`);
      assert.throws(() => verify(r.url, 404, r.headers, r.body), () => true, `${route}: status`);
    }
  });

  it('the JSON document is the certified report itself, non-ASCII names in exact UTF-8', async () => {
    const r = await fetchRoute(`/proposal/${P}.json`);
    const c = await d.anonymous.certified_report(P, 0n, 0);
    assert.equal(Buffer.from(r.body).toString(), c.report_json[0]);
    assert.ok(c.report_json[0]?.includes(JSON.stringify(ZOE).slice(1, -1)), 'the report holds the name as registered');
    const report = await d.anonymous.proposal_report(P);
    assert.ok(JSON.stringify(report[0] ?? {}, (_k, v) => (typeof v === "bigint" ? String(v) : v)).includes(JSON.stringify(ZOE).slice(1, -1)), 'proposal_report (stored Candid) holds it too');
    const page = await fetchRoute(`/proposal/${P}`);
    const text = new TextDecoder('utf-8', { fatal: true }).decode(page.body);
    assert.ok(text.includes('Zoë') && text.includes('中文 😀 ĳ'), 'the page is valid UTF-8 with the name in it');
  });

  it('answers other routes under skip-certification, with absence proofs the verifier accepts', async () => {
    for (const route of skipped()) {
      const r = await fetchRoute(route);
      assert.equal(header(r.headers, 'IC-CertificateExpression'), SKIP, route);
      const c = parseCertificateHeader(header(r.headers, 'IC-Certificate') ?? '');
      assert.deepEqual(c.exprPath, ['http_expr', '<*>'], route);
      const info = verify(r.url, r.status, r.headers, r.body);
      assert.equal(info.response, undefined, `${route}: skipped, the verifier vouches for nothing`);
    }
  });

  it('refuses a skip-certified answer in place of a certified page (a node cannot un-certify a page)', async () => {
    const skip = await fetchRoute('/nothing-here');
    for (const route of certified()) {
      const page = await fetchRoute(route);
      const url = page.url;
      // The uncertified headers and a forged body, served for a certified path.
      assert.throws(() => verify(url, 200, skip.headers, utf8('<html>forged</html>')), () => true, route);
    }
  });

  it('certifies the new page after a submission: the old body no longer verifies', async () => {
    const before = await fetchRoute(`/proposal/${P}`);
    const bob = reviewer('bob', 'secp256k1');
    ok(await d.as(bob).register_reviewer(profile(bob)));
    ok(await d.as(bob).submit_attestation(envelope(bob, { proposal: P, os: 'guestos', built: hash('other'), proposalHash: hash('g') })));
    const now = await fetchRoute(`/proposal/${P}`);
    assert.notEqual(hex(now.body), hex(before.body));
    assert.ok(verify(now.url, now.status, now.headers, now.body).response);
    const replayed = now.headers.map(([k, v]): [string, string] => [k, k === 'content-length' ? String(before.body.length) : v]);
    assert.throws(() => verify(now.url, 200, replayed, before.body), () => true, 'the previous page under the current certificate');
  });

  it('adds no IC-Certificate when the IC gives no data certificate (replicated execution)', async () => {
    d.rt.setDataCertificateProvider(() => null);
    try {
      const r = await d.anonymous.http_request(request('/'));
      assert.equal(r.status_code, 200);
      assert.equal(header(r.headers, 'IC-Certificate'), undefined);
    } finally {
      d.rt.setDataCertificateProvider(null);
    }
  });

  it('serving a certified page costs little (instructions, recorded)', async () => {
    const arg = IDL.encode([HttpRequestIdl], [request(`/proposal/${P}`)]);
    const q = await d.rt.query(d.id, 'http_request', new Uint8Array(arg), { caller: Principal.anonymous() });
    assert.equal(q.kind, 'replied');
    console.log(`http_request /proposal/${P}: ${q.instructions} instructions`);
  });
});
