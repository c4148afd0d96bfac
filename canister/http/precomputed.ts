/**
 * Certified dashboard pages: the index, each proposal's page, JSON document and badge, and the
 * favicon are rendered when their data changes (an update), stored in stable memory with their
 * response hash, and certified under `http_expr` (response verification v2, response-only). A
 * query serves the stored bytes with a witness, so an HTTP gateway can check every byte of the
 * page and its security headers against the subnet's signature.
 */
import { bytesToHex, hexToBytes } from '../../protocol/bytes.js';
import { sha256 } from '../../protocol/sha256.js';
import { headline, type Headline } from '../../protocol/headline.js';
import type { HttpResponse, ProposalSummary } from '../../protocol/service.js';
import { PathTree } from '../certified/path-tree.js';
import { setHttpTree } from '../certified/state.js';
import { labeled, leaf, type Node } from '../certified/tree.js';
import { listProposals, proposalSummary } from '../report/consensus.js';
import { reportText, storedReport } from '../report/materialise.js';
import type { StoredPage } from '../store/schema.js';
import { stats } from '../store/stats.js';
import type { Store } from '../store/store.js';
import { encodeUtf8 } from '../text.js';
import { badgeSvg, proposalBadgeSvg } from './badge.js';
import { EXACT, exactCertificateHeaders, pathLabels, skipExpressionNode, WILDCARD } from './certification.js';
import { faviconSvg, indexPage, proposalPage } from './pages.js';
import { CERTIFIED_HEADERS, RESPONSE_ONLY_EXPRESSION, RESPONSE_ONLY_EXPRESSION_HASH, responseHash } from './response-hash.js';

export const HTML = 'text/html; charset=utf-8';
export const JSON_TYPE = 'application/json; charset=utf-8';
export const SVG = 'image/svg+xml';
/** No scripts, no external anything: inline styles only; `data:` images for the inline favicon. */
export const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:";

const EMPTY_LABEL = new Uint8Array(0);

/** Every header of a response, in order; CERTIFIED_HEADERS among them. */
export function responseHeaders(contentType: string, bodyLength: number, maxAge: number): [string, string][] {
  return [
    ['content-type', contentType],
    ['content-length', String(bodyLength)],
    ['cache-control', maxAge > 0 ? `public, max-age=${maxAge}` : 'no-cache'],
    ['x-content-type-options', 'nosniff'],
    ['content-security-policy', CSP]
  ];
}

const certifiedOnly = (headers: [string, string][]): [string, string][] =>
  headers.filter(([k]) => (CERTIFIED_HEADERS as readonly string[]).includes(k));

/** `<$>` → expression hash → "" (no request certification) → response hash → leaf(""). */
const exactNode = (response: Uint8Array): Node =>
  labeled(RESPONSE_ONLY_EXPRESSION_HASH, labeled(EMPTY_LABEL, labeled(response, leaf(EMPTY_LABEL))));

let tree: PathTree | null = null;

function httpTree(): PathTree {
  if (tree === null) {
    tree = new PathTree();
    tree.set([WILDCARD], skipExpressionNode());
  }
  return tree;
}

function certify(path: string, responseSha256: string): void {
  httpTree().set([...pathLabels(path), EXACT], exactNode(hexToBytes(responseSha256)));
  setHttpTree(httpTree().node());
}

/**
 * Stores and certifies one page; the caller commits the certified data. The body is stored as
 * the bytes served, so a query copies it out without decoding. `bodySha256` saves hashing a
 * body whose hash is known (hashing is the dominant cost of a page: ≈ 16 K instructions a byte).
 */
function putPage(store: Store, path: string, contentType: string, body: string, maxAge = 0, bodySha256?: Uint8Array): Uint8Array {
  const bytes = encodeUtf8(body) ?? new Uint8Array(0);
  const certified = certifiedOnly(responseHeaders(contentType, bytes.length, maxAge));
  const bodyHash = bodySha256 ?? sha256(bytes);
  const page: StoredPage = { content_type: contentType, max_age: maxAge, response_sha256: bytesToHex(responseHash(200, certified, bodyHash)) };
  const old = store.pages.get(path);
  if (old !== undefined && old.response_sha256 === page.response_sha256) return bodyHash;
  store.pageBodies.insert(path, bytes);
  store.pages.insert(path, page);
  certify(path, page.response_sha256);
  return bodyHash;
}

/** After an upgrade: the http_expr tree again from the stored pages (no page is re-rendered or re-hashed). */
export function rebuildPages(store: Store): void {
  tree = null;
  const total = Number(store.pages.len());
  for (let start = 0; start < total; start += 200) {
    for (const [path, page] of store.pages.items(start, 200)) httpTree().set([...pathLabels(path), EXACT], exactNode(hexToBytes(page.response_sha256)));
  }
  setHttpTree(httpTree().node());
}

/** The headline of a listed proposal: from governance when synced, else from the materialised report. */
export function summaryHeadline(store: Store, s: ProposalSummary): Headline {
  const elects = s.governance?.[0]?.elects ?? null;
  if (elects !== null) return headline(s.oses, elects, []);
  return headline(s.oses, null, store.proposals.get(s.proposal)?.with_hash ?? []);
}

/** Static pages (init and upgrade: cheap, and a new version may change them). */
export function renderStatic(store: Store): void {
  putPage(store, '/favicon.svg', SVG, faviconSvg(), 86400);
  putPage(store, '/favicon.ico', SVG, faviconSvg(), 86400);
}

/** The index: newest proposals and totals; re-rendered on every logged change. */
export function renderIndex(store: Store): void {
  const proposals = listProposals(store, [], 25).proposals;
  const body = indexPage(proposals.map((p) => ({ summary: p, headline: summaryHeadline(store, p) })), stats(store));
  const hash = putPage(store, '/', HTML, body);
  putPage(store, '/index.html', HTML, body, 0, hash);
}

/** A proposal's page, JSON document (the certified report bytes themselves) and badge. */
export function renderProposal(store: Store, proposal: bigint): void {
  const [report] = storedReport(store, proposal);
  const text = reportText(store, proposal);
  if (report === undefined || text === undefined) return;
  putPage(store, `/proposal/${proposal}`, HTML, proposalPage(report));
  const meta = store.proposals.get(proposal);
  // The JSON document is the materialised report itself: its hash is already known.
  putPage(store, `/proposal/${proposal}.json`, JSON_TYPE, text, 0, meta && meta.report_sha256 !== '' ? hexToBytes(meta.report_sha256) : undefined);
  const [summary] = proposalSummary(store, proposal);
  putPage(store, `/badge/${proposal}.svg`, SVG, summary === undefined ? badgeSvg(`IC-OS ${proposal}`, 'no attestations') : proposalBadgeSvg(report));
}

/** The stored page at `path` with its certificate headers, or null when there is none. */
export function servePage(store: Store, path: string, certificate: Uint8Array): HttpResponse | null {
  const page = store.pages.get(path);
  const body = page === undefined ? undefined : store.pageBodies.get(path);
  if (page === undefined || body === undefined) return null;
  const headers = responseHeaders(page.content_type, body.length, page.max_age);
  if (certificate.length > 0) headers.push(...exactCertificateHeaders(path, RESPONSE_ONLY_EXPRESSION, certificate));
  return { status_code: 200, headers, body };
}
