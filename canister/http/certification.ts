/**
 * HTTP response verification v2 headers. Pages the canister precomputes (precomputed.ts) are
 * certified response-only under their exact path; everything else (404s, 405s, attestation
 * envelopes, which carry their own signatures) falls back to the skip-certification expression at
 * `http_expr/<*>`. A skip-certified answer proves, with its witness, that no more specific
 * expression path exists: a gateway refuses it for a path that has a certified page, so a node
 * cannot swap a certified page for an uncertified one.
 *
 * Every response carries `IC-CertificateExpression: <expression>` and
 * `IC-Certificate: certificate=:<data certificate>:, tree=:<witness>:, expr_path=:<path>:, version=2`
 * (base64, CBOR with the self-describe tag); the witness is cut from the canister's whole
 * certified tree (canister/certified/state.ts).
 */
import { sha256 } from '../../protocol/sha256.js';
import { asciiBytes, base64Encode, utf8Encode } from '../../protocol/bytes.js';
import { cborSelfDescribed } from '../../protocol/cbor.js';
import type { HttpResponse } from '../../protocol/service.js';
import { witnessBytes } from '../certified/state.js';
import { labeled, leaf, type Node } from '../certified/tree.js';

/** The CEL expression of `DefaultCelBuilder::skip_certification()` (exact text: it is hashed). */
export const SKIP_CERTIFICATION_EXPRESSION = 'default_certification(ValidationArgs{no_certification:Empty{}})';
export const CERTIFICATE_HEADER = 'IC-Certificate';
export const CERTIFICATE_EXPRESSION_HEADER = 'IC-CertificateExpression';

export const HTTP_EXPR = asciiBytes('http_expr');
export const EXACT = asciiBytes('<$>');
export const WILDCARD = asciiBytes('<*>');
const EMPTY_LABEL = new Uint8Array(0);

/** Below `http_expr/<*>`: sha256(expression) → leaf(""). */
export function skipExpressionNode(): Node {
  return labeled(sha256(asciiBytes(SKIP_CERTIFICATION_EXPRESSION)), leaf(EMPTY_LABEL));
}

/** The labels of a request path as ic-http-certification splits it ("/" → [""], "/a/b" → ["a","b"]). */
export function pathLabels(path: string): Uint8Array[] {
  const parts = path.split('/').filter((p) => p.length > 0).map((p) => utf8Encode(p) ?? EMPTY_LABEL);
  if (path.endsWith('/')) parts.push(EMPTY_LABEL);
  return parts;
}

const text = (l: Uint8Array): string => String.fromCharCode(...l);

function header(certificate: Uint8Array, paths: Uint8Array[][], exprPath: Uint8Array[]): string {
  const witness = witnessBytes(paths.map((p) => [HTTP_EXPR, ...p]));
  const expr = base64Encode(cborSelfDescribed(['http_expr', ...exprPath.map(text)]));
  return `certificate=:${base64Encode(certificate)}:, tree=:${base64Encode(witness)}:, expr_path=:${expr}:, version=2`;
}

/** Headers for a page certified at its exact path with `expression`. */
export function exactCertificateHeaders(path: string, expression: string, certificate: Uint8Array): [string, string][] {
  const labels = [...pathLabels(path), EXACT];
  return [
    [CERTIFICATE_EXPRESSION_HEADER, expression],
    [CERTIFICATE_HEADER, header(certificate, [labels], labels)]
  ];
}

/**
 * The paths whose absence a skip-certified answer must prove: the exact path and every wildcard
 * more specific than `<*>` (each prefix, as a file and as a directory, the way the verifier's
 * `more_specific_wildcards_for` walks them), then `<*>` itself.
 */
export function skipWitnessPaths(path: string): Uint8Array[][] {
  const labels = pathLabels(path);
  const paths: Uint8Array[][] = [[...labels, EXACT]];
  const p = [...labels];
  while (p.length > 0) {
    paths.push([...p, WILDCARD]);
    const dir = p[p.length - 1].length === 0;
    p.pop();
    if (!dir) p.push(EMPTY_LABEL);
  }
  paths.push([WILDCARD]);
  return paths;
}

/**
 * The response with the skip-certification headers added. Without a data certificate (a query
 * run in replicated mode, where the IC gives none) the response is returned unchanged.
 */
export function withSkipCertification(res: HttpResponse, path: string, dataCertificate: Uint8Array): HttpResponse {
  if (dataCertificate.length === 0) return res;
  return {
    ...res,
    headers: [
      ...res.headers,
      [CERTIFICATE_EXPRESSION_HEADER, SKIP_CERTIFICATION_EXPRESSION],
      [CERTIFICATE_HEADER, header(dataCertificate, skipWitnessPaths(path), [WILDCARD])]
    ]
  };
}
