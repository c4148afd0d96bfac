/**
 * A CDN mirror served by node:http from a folder (the real HTTP path of the downloader: Range,
 * ETag, 206, 404), loopback only. The demo serves its synthetic mirrors with it; tests also use
 * the knobs that make it misbehave like a flaky server.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, normalize } from 'node:path';

export interface Behaviour {
  /** Paths whose body is cut after `truncateAfter` bytes (socket destroyed), every time. */
  truncate: Set<string>;
  /** Paths cut short only on their first request (an interrupted download). */
  truncateOnce: Set<string>;
  truncateAfter: number;
  /** Answer Range requests with the whole file (200), like a server without Range support. */
  ignoreRange: boolean;
  /** Paths whose body stops after `truncateAfter` bytes while the connection stays open. */
  stall: Set<string>;
}

export interface CdnServer {
  /** Base URL, e.g. http://127.0.0.1:40123 */
  url: string;
  root: string;
  behaviour: Behaviour;
  /** Every request seen: path and Range header. */
  requests: { path: string; range: string | null }[];
  close(): Promise<void>;
}

/** Loopback addresses only (127.0.0.0/8): a mirror is never reachable from another machine. */
const LOOPBACK = /^127(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

export async function startCdn(root: string, behaviour: Partial<Behaviour> = {}, opts: { host?: string; port?: number } = {}): Promise<CdnServer> {
  const host = opts.host ?? '127.0.0.1';
  if (!LOOPBACK.test(host)) throw new Error(`a CDN mirror listens on a loopback address (127.x.y.z), not ${host}`);
  mkdirSync(root, { recursive: true });
  const b: Behaviour = {
    truncate: new Set(),
    truncateOnce: new Set(),
    truncateAfter: 100,
    ignoreRange: false,
    stall: new Set(),
    ...behaviour,
  };
  const requests: CdnServer['requests'] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const range = (req.headers.range as string | undefined) ?? null;
    requests.push({ path, range });
    const file = join(root, normalize(path).replace(/^(\.\.[/\\])+/, ''));
    let body: Buffer;
    try {
      if (!statSync(file).isFile()) throw new Error('not a file');
      body = readFileSync(file);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
    let start = 0;
    let status = 200;
    const headers: Record<string, string> = { etag, 'accept-ranges': b.ignoreRange ? 'none' : 'bytes' };
    const m = range ? /^bytes=(\d+)-$/.exec(range) : null;
    const ifRange = req.headers['if-range'];
    if (m && !b.ignoreRange && (!ifRange || ifRange === etag)) {
      start = Number(m[1]);
      if (start >= body.length) {
        res.writeHead(416, { 'content-range': `bytes */${body.length}` });
        res.end();
        return;
      }
      status = 206;
      headers['content-range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
    }
    const slice = body.subarray(start);
    headers['content-length'] = String(slice.length);
    res.writeHead(status, headers);
    if (b.stall.has(path) && slice.length > b.truncateAfter) {
      res.write(slice.subarray(0, b.truncateAfter));
      return; // never ends: closeAllConnections() on close() cleans up
    }
    const cut = b.truncate.has(path) || b.truncateOnce.has(path);
    if (cut && slice.length > b.truncateAfter) {
      b.truncateOnce.delete(path);
      res.write(slice.subarray(0, b.truncateAfter), () => {
        // Close before the announced length: what a dropped connection looks like.
        setTimeout(() => res.socket?.destroy(), 20);
      });
      return;
    }
    res.end(slice);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    root,
    behaviour: b,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Writes a file under a mirror root at a CDN path such as `/ic/<commit>/guest-os/update-img/x`. */
export function publish(root: string, urlPath: string, content: string | Uint8Array): void {
  const file = join(root, urlPath);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
}

export function sha256hex(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

/** Deterministic pseudo-random bytes (a tiny LCG) so artifacts are bigger than one chunk. */
export function bytes(seed: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}
