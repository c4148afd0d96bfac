/**
 * The dashboard's skip-certification (HTTP response verification v2): the compiled canister's
 * certified tree holds `http_expr → <*> → sha256(expression) → leaf("")` (beside the log and the
 * proposals, canister/certified/state.ts), every
 * `http_request` answer carries `IC-CertificateExpression` and `IC-Certificate` headers that decode
 * to that tree, and DFINITY's own verifier (@dfinity/response-verification, the code HTTP gateways
 * run) accepts the responses served through replica/http with a real BLS-signed data certificate.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decode as cborDecode } from '@dfinity/cbor';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { sha256 } from '@noble/hashes/sha2';
import { ResponseVerificationErrorCode, verifyRequestResponsePair } from '@dfinity/response-verification';
import { HttpRequestIdl, type HttpResponse } from '../../protocol/service.js';
import { startReplicaServer, type ReplicaServer } from '../../replica/http/index.js';
import { fullTree, lookup, rootHash, type HashTree } from '../../protocol/hash-tree.js';
import { envelope, hash, profile, reviewer } from './fixtures.js';
import { deploy, type Deployed } from './harness.js';
import { ok } from './util.js';

const EXPRESSION = 'default_certification(ValidationArgs{no_certification:Empty{}})';
/** `skip_certification_certified_data()` of the ic-http-certification crate (its own test vector). */
const REFERENCE_CERTIFIED_DATA = '55ecc31c3e8047fc158f20ea0aa0609aacc7b57e06ea40dc41860272a7d64291';
const P = 142_000n;
const alice = reviewer('alice', 'ed25519');
const utf8 = (s: string) => new TextEncoder().encode(s);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** The expected http_expr subtree as a one-label tree (the crate's vector hashes exactly that). */
const expectedRoot = rootHash(fullTree([[utf8('http_expr'), [[utf8('<*>'), [[sha256(utf8(EXPRESSION)), new Uint8Array(0)]]]]]]));

/** The labeled `http_expr` node of a witness's top level (through forks). */
function httpExprNode(t: HashTree): HashTree | undefined {
  if (t[0] === 2) return Buffer.from(t[1]).toString() === 'http_expr' ? t : undefined;
  if (t[0] === 1) return httpExprNode(t[1]) ?? httpExprNode(t[2]);
  return undefined;
}

function header(headers: [string, string][], name: string): string | undefined {
  return headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
}

interface CertificateHeader { certificate: Uint8Array; tree: unknown; exprPath: unknown; version: string }

function parseCertificateHeader(value: string): CertificateHeader {
  const m = /^certificate=:([A-Za-z0-9+/=]*):, tree=:([A-Za-z0-9+/=]*):, expr_path=:([A-Za-z0-9+/=]*):, version=([0-9]+)$/.exec(value);
  assert.ok(m, `IC-Certificate header has the v2 form: ${value.slice(0, 200)}`);
  const b = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
  const selfDescribed = (bytes: Uint8Array) => {
    assert.deepEqual([...bytes.slice(0, 3)], [0xd9, 0xd9, 0xf7], 'CBOR starts with the self-describe tag');
    return cborDecode(bytes);
  };
  return { certificate: b(m[1]), tree: selfDescribed(b(m[2])), exprPath: selfDescribed(b(m[3])), version: m[4] };
}

/** Hash of a decoded wire tree (CBOR arrays), independent of the canister's encoder. */
function wireRoot(t: unknown): Uint8Array {
  const n = t as [number, ...unknown[]];
  const bytes = (v: unknown) => (v instanceof Uint8Array ? v : new Uint8Array(v as ArrayBuffer));
  const sep = (s: string) => Buffer.concat([Buffer.from([s.length]), Buffer.from(s)]);
  switch (n[0]) {
    case 0: return sha256(sep('ic-hashtree-empty'));
    case 1: return sha256(Buffer.concat([sep('ic-hashtree-fork'), wireRoot(n[1]), wireRoot(n[2])]));
    case 2: return sha256(Buffer.concat([sep('ic-hashtree-labeled'), bytes(n[1]), wireRoot(n[2])]));
    case 3: return sha256(Buffer.concat([sep('ic-hashtree-leaf'), bytes(n[1])]));
    case 4: return bytes(n[1]);
    default: throw new Error(`not a hash tree node: ${String(n[0])}`);
  }
}

describe('attestations canister: skip-certification of http_request', () => {
  let d: Deployed;
  let attestationId: bigint;
  let server: ReplicaServer | undefined;
  const request = (url: string, method = 'GET') => ({ method, url, headers: [['host', 'localhost']] as [string, string][], body: new Uint8Array(), certificate_version: [2] as [number] });
  const routes = () => ['/', '/favicon.svg', `/proposal/${P}`, `/proposal/${P}.json`, `/attestation/${attestationId}.json`, `/badge/${P}.svg`, '/nothing-here'];

  before(async () => {
    d = await deploy();
    ok(await d.as(alice).register_reviewer(profile(alice)));
    attestationId = ok(await d.as(alice).submit_attestation(envelope(alice, { proposal: P, os: 'guestos', built: hash('g'), proposalHash: hash('g') })));
  });
  after(async () => { await server?.close(); });

  it('certifies the skip-certification subtree (the crate vector) under http_expr, in init and after an upgrade', async () => {
    assert.equal(hex(expectedRoot), REFERENCE_CERTIFIED_DATA);
    const check = async () => {
      const r = await d.anonymous.http_request(request('/'));
      const c = parseCertificateHeader(header(r.headers, 'IC-Certificate') ?? '');
      const node = httpExprNode(c.tree as HashTree);
      assert.ok(node, 'the witness reveals http_expr');
      assert.equal(hex(wireRoot(node)), REFERENCE_CERTIFIED_DATA);
      assert.equal(hex(wireRoot(c.tree)), hex(d.rt.certifiedData(d.id)));
    };
    await check();
    const before = hex(d.rt.certifiedData(d.id));
    await d.upgrade();
    assert.equal(hex(d.rt.certifiedData(d.id)), before, 'the upgrade rebuilds the same certified tree');
    await check();
  });

  it('every response carries the expression and a v2 IC-Certificate whose tree proves the certified data', async () => {
    const served: Array<[string, HttpResponse]> = [];
    for (const url of routes()) served.push([url, await d.anonymous.http_request(request(url))]);
    served.push(['POST /', await d.anonymous.http_request(request('/', 'POST'))]);
    served.push(['HEAD /', await d.anonymous.http_request(request('/', 'HEAD'))]);
    assert.deepEqual(served.map(([, r]) => r.status_code), [200, 200, 200, 200, 200, 200, 404, 405, 200]);
    for (const [what, r] of served) {
      assert.equal(header(r.headers, 'IC-CertificateExpression'), EXPRESSION, what);
      const c = parseCertificateHeader(header(r.headers, 'IC-Certificate') ?? '');
      assert.equal(c.version, '2', what);
      // Without a replica/http server the runtime hands queries a placeholder certificate: passed through as is.
      assert.equal(Buffer.from(c.certificate).toString(), 'icos-attest runtime: no data certificate provider set', what);
      assert.deepEqual(c.exprPath, ['http_expr', '<*>'], what);
      assert.equal(hex(wireRoot(c.tree)), hex(d.rt.certifiedData(d.id)), what);
      const found = lookup(c.tree as HashTree, [utf8('http_expr'), utf8('<*>'), sha256(utf8(EXPRESSION))]);
      assert.ok(found instanceof Uint8Array && found.length === 0, `${what}: the witness proves the skip expression`);
    }
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

  it('@dfinity/response-verification accepts the responses served through the HTTP gateway (certificate v2)', async () => {
    server = await startReplicaServer({ runtime: d.rt });
    const verify = (url: string, method: string, status: number, headers: [string, string][], body: Uint8Array) =>
      verifyRequestResponsePair(
        { url, method, headers: [], body: new Uint8Array(), certificate_version: [2] },
        { status_code: status, headers, body },
        d.id.toUint8Array(),
        d.rt.time(),
        300_000_000_000n,
        server!.rootKey,
        2
      );
    for (const route of routes()) {
      const url = `${route}?canisterId=${d.id.toText()}`;
      const res = await fetch(`${server.url}${url}`);
      const headers: [string, string][] = [];
      res.headers.forEach((v, k) => headers.push([k, v]));
      const body = new Uint8Array(await res.arrayBuffer());
      const c = parseCertificateHeader(header(headers, 'IC-Certificate') ?? '');
      assert.ok(c.certificate.length > 100, `${route}: a real certificate (${c.certificate.length} bytes)`);
      const info = verify(url, 'GET', res.status, headers, body);
      assert.equal(info.verificationVersion, 2, route);
      // Skipped certification: the verifier vouches for no part of the response.
      assert.equal(info.response, undefined, route);

      // The verifier does check: another expression than the one the canister certified is refused.
      const forged = headers.map(([k, v]): [string, string] => [k, k.toLowerCase() === 'ic-certificateexpression' ? v.replace('no_certification:Empty{}', 'certification:Certification{no_request_certification:Empty{},response_certification:ResponseCertification{response_header_exclusions:ResponseHeaderList{headers:[]}}}') : v]);
      assert.throws(() => verify(url, 'GET', res.status, forged, body), (e: { code?: number }) => e.code === ResponseVerificationErrorCode.InvalidExpressionHash, route);
    }
  });

  it('the headers cost little per query (instructions: with a 1.5 KB certificate vs none)', async () => {
    const arg = IDL.encode([HttpRequestIdl], [request(`/badge/${P}.svg`)]);
    const run = async (cert: Uint8Array | null) => {
      d.rt.setDataCertificateProvider(() => cert);
      const q = await d.rt.query(d.id, 'http_request', new Uint8Array(arg), { caller: Principal.anonymous() });
      assert.equal(q.kind, 'replied');
      return q.instructions;
    };
    try {
      const none = await run(null);
      const withCert = await run(new Uint8Array(1500).fill(7));
      const extra = Number(withCert - none);
      console.log(`http_request /badge: ${none} instructions without headers, +${extra} with a 1.5 KB certificate`);
      assert.ok(extra > 0 && extra < 30_000_000, `headers cost ${extra} instructions`);
    } finally {
      d.rt.setDataCertificateProvider(null);
    }
  });
});
