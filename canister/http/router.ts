/** `http_request`: routes a dashboard request to a page, JSON document or badge. 404 otherwise. */
import { utf8Encode } from '../../protocol/bytes.js';
import { canonicalJson } from '../../protocol/canonical.js';
import { fromCandidEnvelope, type HttpRequest, type HttpResponse } from '../../protocol/service.js';
import { getAttestation } from '../store/attestations.js';
import { stats } from '../store/stats.js';
import type { Store } from '../store/store.js';
import { listProposals, proposalSummary } from '../report/consensus.js';
import { storedReport } from '../report/materialise.js';
import type { ProposalSummary } from '../../protocol/service.js';
import { badgeSvg } from './badge.js';
import { withSkipCertification } from './certification.js';
import { headline, type Headline } from '../../protocol/headline.js';
import { reportJson } from '../report/json.js';
import { faviconSvg, indexPage, notFoundPage, proposalPage } from './pages.js';

const HTML = 'text/html; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const SVG = 'image/svg+xml';
/** No scripts, no external anything: inline styles only; `data:` images for the inline favicon. */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:";

function respond(status: number, contentType: string, body: string, maxAge = 0): HttpResponse {
  const bytes = utf8Encode(body) ?? new Uint8Array(0);
  return {
    status_code: status,
    headers: [
      ['content-type', contentType],
      ['content-length', String(bytes.length)],
      ['cache-control', maxAge > 0 ? `public, max-age=${maxAge}` : 'no-cache'],
      ['x-content-type-options', 'nosniff'],
      ['content-security-policy', CSP]
    ],
    body: bytes
  };
}

function notFound(what: string): HttpResponse {
  return respond(404, HTML, notFoundPage(what));
}

const NAT64_MAX = (1n << 64n) - 1n;

/** A decimal nat64 without sign or leading zeros, or null. */
function nat64(s: string): bigint | null {
  if (!/^(0|[1-9][0-9]{0,19})$/.test(s)) return null;
  const n = BigInt(s);
  return n <= NAT64_MAX ? n : null;
}

/** The headline of a listed proposal: from governance when synced, else from the materialised report. */
function summaryHeadline(store: Store, s: ProposalSummary): Headline {
  const elects = s.governance?.[0]?.elects ?? null;
  if (elects !== null) return headline(s.oses, elects, []);
  return headline(s.oses, null, store.proposals.get(s.proposal)?.with_hash ?? []);
}

function jsonResponse(value: unknown): HttpResponse {
  return respond(200, JSON_TYPE, `${JSON.stringify(value, null, 2)}\n`);
}

/** `dataCertificate`: the query's `ic0.data_certificate` (for the skip-certification headers). */
export function handleHttp(store: Store, req: HttpRequest, dataCertificate?: Uint8Array): HttpResponse {
  const res = withSkipCertification(route(store, req), dataCertificate);
  // HEAD: the GET response's status and headers (content-length included), no body.
  return req.method === 'HEAD' ? { ...res, body: new Uint8Array(0) } : res;
}

function route(store: Store, req: HttpRequest): HttpResponse {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const r = respond(405, 'text/plain; charset=utf-8', 'only GET and HEAD are served\n');
    r.headers.push(['allow', 'GET, HEAD']);
    return r;
  }
  const path = req.url.split(/[?#]/, 1)[0];
  if (path === '/' || path === '/index.html') {
    const proposals = listProposals(store, [], 25).proposals;
    return respond(200, HTML, indexPage(proposals.map((p) => ({ summary: p, headline: summaryHeadline(store, p) })), stats(store)));
  }
  if (path === '/favicon.ico' || path === '/favicon.svg') {
    return respond(200, SVG, faviconSvg(), 86400);
  }
  let m = /^\/proposal\/([0-9]+)(\.json)?$/.exec(path);
  if (m) {
    const id = nat64(m[1]);
    const report = id === null ? [] : storedReport(store, id);
    if (report.length === 0) return notFound(`No attestations for proposal ${m[1]}.`);
    return m[2] ? jsonResponse(reportJson(report[0])) : respond(200, HTML, proposalPage(report[0]));
  }
  m = /^\/attestation\/([0-9]+)\.json$/.exec(path);
  if (m) {
    const id = nat64(m[1]);
    const a = id === null ? [] : getAttestation(store, id);
    if (a.length === 0) return notFound(`No attestation ${m[1]}.`);
    // The DSSE envelope exactly as signed: save it and run `icos-attest verify` on it.
    return respond(200, JSON_TYPE, `${canonicalJson(fromCandidEnvelope(a[0].envelope))}\n`);
  }
  m = /^\/badge\/([0-9]+)\.svg$/.exec(path);
  if (m) {
    const id = nat64(m[1]);
    if (id === null) return notFound('Not a proposal id.');
    const summary = proposalSummary(store, id);
    const status = summary.length === 1 ? summaryHeadline(store, summary[0]).verdict : 'no attestations';
    return respond(200, SVG, badgeSvg(`IC-OS ${id}`, status));
  }
  return notFound(`Nothing is served at ${path.slice(0, 200)}.`);
}
