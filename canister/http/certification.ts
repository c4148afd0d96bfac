/**
 * HTTP response verification v2, "skip certification": the canister itself states, in its
 * certified data, that its `http_request` responses are deliberately not certified. Mainnet HTTP
 * gateways (icp0.io) then serve the pages instead of rejecting them as uncertified.
 *
 * What this proves: only that the canister chose not to certify. The pages are NOT tamper-evident
 * (a malicious replica or boundary node can alter them); the trustworthy path is
 * `icos-attest verify` over the signed attestations. Full certification is out of scope because
 * the dashboard's pages change with every submission.
 *
 * The certified tree (canister/certified/state.ts) holds  http_expr → <*> → sha256(expression) → leaf("")
 * Every response carries `IC-CertificateExpression: <expression>` and
 * `IC-Certificate: certificate=:<data certificate>:, tree=:<witness>:, expr_path=:["http_expr","<*>"]:, version=2`
 * (base64, CBOR with the self-describe tag), the witness revealing only that path.
 */
import { sha256 } from '@noble/hashes/sha2';
import { asciiBytes, base64Encode } from '../../protocol/bytes.js';
import { cborSelfDescribed } from '../../protocol/cbor.js';
import type { HttpResponse } from '../../protocol/service.js';
import { witnessBytes } from '../certified/state.js';
import { labeled, leaf, type Node } from '../certified/tree.js';

/** The CEL expression of `DefaultCelBuilder::skip_certification()` (exact text: it is hashed). */
export const SKIP_CERTIFICATION_EXPRESSION = 'default_certification(ValidationArgs{no_certification:Empty{}})';
export const CERTIFICATE_HEADER = 'IC-Certificate';
export const CERTIFICATE_EXPRESSION_HEADER = 'IC-CertificateExpression';
/** The wildcard at the root: matches every request path. */
export const EXPR_PATH = ['http_expr', '<*>'];

const HTTP_EXPR = asciiBytes('http_expr');
const WILDCARD = asciiBytes('<*>');

/** The http_expr subtree: <*> → sha256(expression) → "" (no request certification) → leaf(""). */
export function skipCertificationNode(): Node {
  return labeled(WILDCARD, labeled(sha256(asciiBytes(SKIP_CERTIFICATION_EXPRESSION)), leaf(new Uint8Array(0))));
}

let exprPathB64: string | null = null;

/**
 * The response with the skip-certification headers added: the data certificate and a witness of
 * the certified tree revealing only the expression path. Without a data certificate (a query
 * run in replicated mode, where the IC gives none) the response is returned unchanged.
 */
export function withSkipCertification(res: HttpResponse, dataCertificate: Uint8Array | undefined): HttpResponse {
  if (dataCertificate === undefined || dataCertificate.length === 0) return res;
  exprPathB64 ??= base64Encode(cborSelfDescribed(EXPR_PATH));
  const tree = base64Encode(witnessBytes([[HTTP_EXPR, WILDCARD]]));
  const value = `certificate=:${base64Encode(dataCertificate)}:, tree=:${tree}:, expr_path=:${exprPathB64}:, version=2`;
  return {
    ...res,
    headers: [...res.headers, [CERTIFICATE_EXPRESSION_HEADER, SKIP_CERTIFICATION_EXPRESSION], [CERTIFICATE_HEADER, value]]
  };
}
