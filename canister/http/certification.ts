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
 * Certified data = root hash of   http_expr → <*> → sha256(expression) → leaf("")
 * Every response carries `IC-CertificateExpression: <expression>` and
 * `IC-Certificate: certificate=:<data certificate>:, tree=:<that tree>:, expr_path=:["http_expr","<*>"]:, version=2`
 * (base64, CBOR with the self-describe tag). The tree and path are constants: encoded once per
 * instance (init / post_upgrade), so a query only base64-encodes its data certificate: ≈ 16 M instructions
 * for a 1.5 KB certificate, header text's Candid encoding included (measured; a lookup-table
 * base64 saved only ≈ 3 M, a regex/Map "native" one cost 3× more).
 */
import { sha256 } from '@noble/hashes/sha2';
import { asciiBytes, base64Encode, concatBytes } from '../../protocol/bytes.js';
import type { HttpResponse } from '../../protocol/service.js';

/** The CEL expression of `DefaultCelBuilder::skip_certification()` (exact text: it is hashed). */
export const SKIP_CERTIFICATION_EXPRESSION = 'default_certification(ValidationArgs{no_certification:Empty{}})';
export const CERTIFICATE_HEADER = 'IC-Certificate';
export const CERTIFICATE_EXPRESSION_HEADER = 'IC-CertificateExpression';
/** The wildcard at the root: matches every request path. */
export const EXPR_PATH = ['http_expr', '<*>'];

/** The two node kinds this tree uses (IC hash tree wire form: 2 = labeled, 3 = leaf). */
export type Tree = [2, Uint8Array, Tree] | [3, Uint8Array];

const sep = (s: string) => concatBytes(new Uint8Array([s.length]), asciiBytes(s));
const LABELED = sep('ic-hashtree-labeled');
const LEAF = sep('ic-hashtree-leaf');

/** Root hash with the interface spec's domain separators. */
export function treeRootHash(t: Tree): Uint8Array {
  return t[0] === 3 ? sha256(concatBytes(LEAF, t[1])) : sha256(concatBytes(LABELED, t[1], treeRootHash(t[2])));
}

export function skipCertificationTree(): Tree {
  const exprHash = sha256(asciiBytes(SKIP_CERTIFICATION_EXPRESSION));
  return [2, asciiBytes('http_expr'), [2, asciiBytes('<*>'), [2, exprHash, [3, new Uint8Array(0)]]]];
}

// A minimal CBOR writer (RFC 8949) for what the header needs: small unsigned ints, byte and text
// strings, arrays, behind the self-describe tag 55799 (d9 d9 f7) that serde_cbor writes.
function head(major: number, n: number): Uint8Array {
  const m = major << 5;
  if (n < 24) return new Uint8Array([m | n]);
  if (n < 0x100) return new Uint8Array([m | 24, n]);
  if (n < 0x10000) return new Uint8Array([m | 25, n >> 8, n & 0xff]);
  return new Uint8Array([m | 26, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
}

type CborValue = number | Uint8Array | string | CborValue[];

function cborItem(v: CborValue): Uint8Array {
  if (typeof v === 'number') return head(0, v);
  if (typeof v === 'string') {
    const b = asciiBytes(v); // labels here are ASCII
    return concatBytes(head(3, b.length), b);
  }
  if (v instanceof Uint8Array) return concatBytes(head(2, v.length), v);
  return concatBytes(head(4, v.length), ...v.map(cborItem));
}

export function cborSelfDescribed(v: CborValue): Uint8Array {
  return concatBytes(new Uint8Array([0xd9, 0xd9, 0xf7]), cborItem(v));
}

interface Prepared {
  certifiedData: Uint8Array;
  treeB64: string;
  exprPathB64: string;
}

let prepared: Prepared | null = null;

/** Encodes the constant tree and path (once per instance) and returns them with the root hash. */
export function prepareSkipCertification(): Prepared {
  if (prepared) return prepared;
  const tree = skipCertificationTree();
  prepared = {
    certifiedData: treeRootHash(tree),
    treeB64: base64Encode(cborSelfDescribed(tree)),
    exprPathB64: base64Encode(cborSelfDescribed(EXPR_PATH))
  };
  return prepared;
}

/**
 * The response with the skip-certification headers added. Without a data certificate (a query
 * run in replicated mode, where the IC gives none) the response is returned unchanged: there is
 * nothing a gateway could check.
 */
export function withSkipCertification(res: HttpResponse, dataCertificate: Uint8Array | undefined): HttpResponse {
  if (dataCertificate === undefined) return res;
  const p = prepareSkipCertification();
  const value = `certificate=:${base64Encode(dataCertificate)}:, tree=:${p.treeB64}:, expr_path=:${p.exprPathB64}:, version=2`;
  return {
    ...res,
    headers: [...res.headers, [CERTIFICATE_EXPRESSION_HEADER, SKIP_CERTIFICATION_EXPRESSION], [CERTIFICATE_HEADER, value]]
  };
}
