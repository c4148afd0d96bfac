/**
 * HTTP response verification v2, response-only certification: the CEL expression this canister
 * certifies its pages with, and the response hash a gateway recomputes (ic-http-certification):
 *   sha256( representation-independent hash of the certified headers (lower-case names), the
 *           `ic-certificateexpression` header and `:ic-cert-status` (a number)  ‖  sha256(body) )
 */
import { sha256 } from '../../protocol/sha256.js';
import { asciiBytes, concatBytes, utf8Encode } from '../../protocol/bytes.js';
import { compare } from '../../protocol/hash-tree.js';
import { uleb128 } from '../../protocol/leb128.js';

/** The headers a page's certification covers (what a tampering node must not change). */
export const CERTIFIED_HEADERS = ['content-type', 'cache-control', 'x-content-type-options', 'content-security-policy'] as const;

/** `DefaultCelBuilder::response_only_certification()` with CERTIFIED_HEADERS (exact text: it is hashed). */
export const RESPONSE_ONLY_EXPRESSION =
  'default_certification(ValidationArgs{certification:Certification{no_request_certification:Empty{},' +
  `response_certification:ResponseCertification{certified_response_headers:ResponseHeaderList{headers:[${CERTIFIED_HEADERS.map((h) => `"${h}"`).join(',')}]}}}})`;

export const RESPONSE_ONLY_EXPRESSION_HASH = sha256(asciiBytes(RESPONSE_ONLY_EXPRESSION));

const text = (s: string): Uint8Array => utf8Encode(s) ?? new Uint8Array(0);

/** The representation-independent hash of string-valued headers plus the status pseudo-header. */
function headersHash(headers: [string, string][], status: number): Uint8Array {
  const pairs = headers.map(([k, v]) => concatBytes(sha256(text(k)), sha256(text(v))));
  pairs.push(concatBytes(sha256(asciiBytes(':ic-cert-status')), sha256(uleb128(status))));
  pairs.sort(compare);
  return sha256(concatBytes(...pairs));
}

/** The response hash of a page whose headers include `certified` (lower-case names and values). */
export function responseHash(status: number, certified: [string, string][], bodyHash: Uint8Array): Uint8Array {
  const headers: [string, string][] = [...certified, ['ic-certificateexpression', RESPONSE_ONLY_EXPRESSION]];
  return sha256(concatBytes(headersHash(headers, status), bodyHash));
}
