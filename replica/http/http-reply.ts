/** Replies of the local replica's HTTP server, and reading request bodies within a limit. */
import type http from 'node:http';
import { encodeCbor } from './cbor.js';

/** Request bodies above this are refused (the IC's ingress limit is 2 MiB of payload). */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export type Reply = { status: number; headers?: Record<string, string | string[]>; body: Uint8Array | string };
export const text = (status: number, body: string): Reply => ({ status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body });
export const cborReply = (value: unknown): Reply => ({ status: 200, headers: { 'content-type': 'application/cbor' }, body: encodeCbor(value) });

export function send(res: http.ServerResponse, reply: Reply): void {
  const body = typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : Buffer.from(reply.body.buffer, reply.body.byteOffset, reply.body.byteLength);
  try {
    res.writeHead(reply.status, { ...reply.headers, 'content-length': String(body.length) });
    res.end(body);
  } catch {
    res.destroy(); // a header node refuses (e.g. from a canister): drop the connection rather than crash
  }
}

export type BodyResult = { ok: true; body: Uint8Array } | { ok: false };
export function readBody(req: http.IncomingMessage): Promise<BodyResult> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(tooLarge ? { ok: false } : { ok: true, body: new Uint8Array(Buffer.concat(chunks)) }));
    req.on('error', reject);
  });
}

