/**
 * HTTP gateway: turns a browser request into the canister's `http_request` query (and
 * `http_request_update` when the canister asks for an upgrade), as dfx's local gateway does.
 * Response certification is not checked (a local replica, like dfx's `raw` domain); streaming
 * callbacks are not followed (the first body chunk is served).
 */
import type http from 'node:http';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import type { CanisterRequest } from './envelope.js';
import { MAX_BODY_BYTES, readBody, text, type Reply } from './http-reply.js';
import type { CallResult } from './runtime-port.js';

const Header = IDL.Tuple(IDL.Text, IDL.Text);
export const HttpRequest = IDL.Record({
  method: IDL.Text,
  url: IDL.Text,
  headers: IDL.Vec(Header),
  body: IDL.Vec(IDL.Nat8),
  certificate_version: IDL.Opt(IDL.Nat16),
});
export const HttpUpdateRequest = IDL.Record({
  method: IDL.Text,
  url: IDL.Text,
  headers: IDL.Vec(Header),
  body: IDL.Vec(IDL.Nat8),
});
export const HttpResponse = IDL.Record({
  status_code: IDL.Nat16,
  headers: IDL.Vec(Header),
  body: IDL.Vec(IDL.Nat8),
  upgrade: IDL.Opt(IDL.Bool),
});

export interface GatewayRequest {
  method: string;
  url: string;
  headers: Array<[string, string]>;
  body: Uint8Array;
}
export interface GatewayResponse {
  statusCode: number;
  headers: Array<[string, string]>;
  body: Uint8Array;
  upgrade: boolean;
}

/** Finds the canister a browser request is for: `<id>.localhost` (or `<id>.raw.localhost`) in Host, or `?canisterId=`. */
export function canisterIdOf(host: string | undefined, url: string): Principal | null {
  const hostname = (host ?? '').replace(/:\d+$/, '').toLowerCase();
  const m = /^([a-z0-9-]+)(\.raw)?\.localhost$/.exec(hostname);
  const candidates = [m?.[1], new URL(url, 'http://x').searchParams.get('canisterId') ?? undefined];
  for (const c of candidates) {
    if (!c) continue;
    try {
      return Principal.fromText(c);
    } catch {
      // not a principal: try the next place
    }
  }
  return null;
}

export function encodeHttpRequest(r: GatewayRequest, update: boolean): Uint8Array {
  const base = { method: r.method, url: r.url, headers: r.headers, body: r.body };
  return update
    ? IDL.encode([HttpUpdateRequest], [base])
    : IDL.encode([HttpRequest], [{ ...base, certificate_version: [2] }]);
}

export type DecodedResponse = { ok: true; response: GatewayResponse } | { ok: false; message: string };

export function decodeHttpResponse(bytes: Uint8Array): DecodedResponse {
  try {
    const [r] = IDL.decode([HttpResponse], bytes) as unknown as [
      { status_code: number; headers: Array<[string, string]>; body: Uint8Array | number[]; upgrade: [] | [boolean] },
    ];
    return {
      ok: true,
      response: {
        statusCode: r.status_code,
        headers: r.headers,
        body: r.body instanceof Uint8Array ? r.body : Uint8Array.from(r.body),
        upgrade: r.upgrade[0] === true,
      },
    };
  } catch (e) {
    return { ok: false, message: `The canister's http_request reply is not a valid HttpResponse: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** Response headers we set ourselves (framing), not copied from the canister. */
const HOP_BY_HOP = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive']);
export function responseHeaders(headers: Array<[string, string]>): Array<[string, string]> {
  return headers.filter(([k]) => !HOP_BY_HOP.has(k.toLowerCase()));
}

export type Execute = (kind: 'update' | 'query', content: CanisterRequest) => Promise<CallResult>;

/**
 * The `?canisterId=` URL form and root-relative links: a page served as
 * `http://127.0.0.1:<port>/?canisterId=<id>` links to `/proposal/1`, which names no canister. The
 * browser sends the page's URL as Referer (same origin: path and query included), so such a
 * request is redirected to the same path with the referring page's `canisterId` added, and the
 * next page's links work the same way. Certified pages stay byte-identical in both URL forms.
 */
export function referredLocation(host: string | undefined, url: string, referer: string | undefined): string | null {
  if (!referer) return null;
  let ref: URL;
  try {
    ref = new URL(referer);
  } catch {
    return null;
  }
  if (ref.host !== (host ?? '').toLowerCase()) return null;
  const id = ref.searchParams.get('canisterId');
  if (id === null || canisterIdOf(undefined, `/?canisterId=${encodeURIComponent(id)}`) === null) return null;
  const target = new URL(url, 'http://x');
  target.searchParams.set('canisterId', id);
  return `${target.pathname}${target.search}${target.hash}`;
}

/** Serves one browser request from the canister its host name or `?canisterId=` names. */
export async function serveGateway(req: http.IncomingMessage, execute: Execute): Promise<Reply> {
  const url = req.url ?? '/';
  const canisterId = canisterIdOf(req.headers.host, url);
  if (!canisterId) {
    const location = req.method === 'GET' || req.method === 'HEAD' ? referredLocation(req.headers.host, url, req.headers.referer) : null;
    if (location !== null) return { status: 307, headers: { location: [location], 'content-type': ['text/plain; charset=utf-8'] }, body: new TextEncoder().encode(`See ${location}\n`) };
    return text(400, 'Could not find a canister id to forward to: use http://<canister-id>.localhost:<port>/ or add ?canisterId=<canister-id>');
  }
  const read = await readBody(req);
  if (!read.ok) return text(413, `Request body too large: at most ${MAX_BODY_BYTES} bytes`);
  const headers: Array<[string, string]> = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
  const request = { method: req.method ?? 'GET', url, headers, body: read.body };
  const content = (update: boolean): CanisterRequest => ({
    type: update ? 'call' : 'query',
    canisterId,
    methodName: update ? 'http_request_update' : 'http_request',
    arg: encodeHttpRequest(request, update),
    sender: Principal.anonymous(),
    ingressExpiry: 0n,
  });
  let result = await execute('query', content(false));
  if (result.kind === 'replied') {
    const first = decodeHttpResponse(result.reply);
    if (first.ok && first.response.upgrade) result = await execute('update', content(true));
  }
  if (result.kind === 'rejected') {
    const status = result.errorCode === 'IC0301' ? 404 : 502;
    return text(status, `Replica Error: reject code ${result.code}, message ${result.message}, error code ${result.errorCode}`);
  }
  const decoded = decodeHttpResponse(result.reply);
  if (!decoded.ok) return text(502, decoded.message);
  const { statusCode, body } = decoded.response;
  if (statusCode < 100 || statusCode > 599) return text(502, `The canister answered with HTTP status ${statusCode}, which is not a valid status`);
  const out: Record<string, string[]> = {};
  for (const [k, val] of responseHeaders(decoded.response.headers)) (out[k.toLowerCase()] ??= []).push(val);
  return { status: statusCode, headers: out, body };
}
