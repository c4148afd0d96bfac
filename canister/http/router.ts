/**
 * `http_request`: serves the precomputed, certified pages (precomputed.ts) as stored; answers
 * everything else (attestation envelopes, 404, 405) under skip-certification. Every answer is
 * O(its size): nothing is computed from the stored attestations here.
 */
import { utf8Encode } from '../../protocol/bytes.js';
import { canonicalJson } from '../../protocol/canonical.js';
import { fromCandidEnvelope, type HttpRequest, type HttpResponse } from '../../protocol/service.js';
import { getAttestation } from '../store/attestations.js';
import type { Store } from '../store/store.js';
import { withSkipCertification } from './certification.js';
import { notFoundPage } from './pages.js';
import { badgeSvg } from './badge.js';
import { attestationPage } from './views/attestation.js';
import { getReviewer } from '../store/reviewers.js';
import { HTML, JSON_TYPE, responseHeaders, servePage, SVG } from './precomputed.js';

function respond(status: number, contentType: string, body: string): HttpResponse {
  const bytes = utf8Encode(body) ?? new Uint8Array(0);
  return { status_code: status, headers: responseHeaders(contentType, bytes.length, 0), body: bytes };
}

const NAT64_MAX = (1n << 64n) - 1n;

/** A decimal nat64 without sign or leading zeros, or null. */
function nat64(s: string): bigint | null {
  if (!/^(0|[1-9][0-9]{0,19})$/.test(s)) return null;
  const n = BigInt(s);
  return n <= NAT64_MAX ? n : null;
}

/** `certificate`: the query's `ic0.data_certificate` (empty in replicated mode). */
export function handleHttp(store: Store, req: HttpRequest, certificate: Uint8Array): HttpResponse {
  const path = req.url.split(/[?#]/, 1)[0];
  const res = route(store, req, path, certificate);
  // HEAD: the GET response's status and headers (content-length included), no body.
  return req.method === 'HEAD' ? { ...res, body: new Uint8Array(0) } : res;
}

function route(store: Store, req: HttpRequest, path: string, certificate: Uint8Array): HttpResponse {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const r = respond(405, 'text/plain; charset=utf-8', 'only GET and HEAD are served\n');
    r.headers.push(['allow', 'GET, HEAD']);
    return withSkipCertification(r, path, certificate);
  }
  const page = servePage(store, path, certificate);
  if (page !== null) return page;
  return withSkipCertification(uncertified(store, path), path, certificate);
}

function uncertified(store: Store, path: string): HttpResponse {
  const m = /^\/attestation\/([0-9]+)\.json$/.exec(path);
  if (m) {
    const id = nat64(m[1]);
    const a = id === null ? [] : getAttestation(store, id);
    if (a.length === 0) return respond(404, HTML, notFoundPage(`No attestation ${m[1]}.`));
    // The DSSE envelope exactly as signed: save it and run `icos-attest verify` on it.
    return respond(200, JSON_TYPE, `${canonicalJson(fromCandidEnvelope(a[0].envelope))}\n`);
  }
  const page = /^\/attestation\/([0-9]+)$/.exec(path);
  if (page) {
    const id = nat64(page[1]);
    const a = id === null ? [] : getAttestation(store, id);
    if (a.length === 0) return respond(404, HTML, notFoundPage(`No attestation ${page[1]}.`));
    return respond(200, HTML, attestationPage(a[0], getReviewer(store, a[0].reviewer)[0]));
  }
  const badge = /^\/badge\/([0-9]+)\.svg$/.exec(path);
  if (badge) return respond(200, SVG, badgeSvg(`IC-OS ${badge[1]}`, 'no attestations'));
  if (/^\/(proposal|badge)\//.test(path)) return respond(404, HTML, notFoundPage(`Nothing is known of ${path.slice(0, 200)}: no attestations and no election synced from governance.`));
  return respond(404, HTML, notFoundPage(`Nothing is served at ${path.slice(0, 200)}.`));
}
