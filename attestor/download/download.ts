/**
 * Resumable HTTP(S) download into a cache, verified before use.
 *
 * Cache layout (under `<cacheDir>/downloads/<host>/`):
 *   <key>-<basename>            the complete, verified file
 *   <key>-<basename>.json       sidecar: url, size, sha256, etag, lastModified, downloadedAt
 *   <key>-<basename>.part       bytes received so far
 *   <key>-<basename>.part.json  validators (etag / last-modified / total) of the partial bytes
 * where <key> is a short sha256 of the full URL, so two mirrors never share an entry.
 *
 * A resume sends `Range: bytes=<have>-` with `If-Range`; a 200 reply (server ignores Range or
 * the file changed) restarts from zero. Completion requires the byte count the server announced
 * (Content-Length / Content-Range); fewer bytes is a truncated download. A cached file is
 * re-hashed on every use and must equal its sidecar (and the expected sha256 when given).
 *
 * A server that accepts and then says nothing is cut after the idle timeout (default 30 s, for
 * the headers and between body chunks), with a progress line every 5 s while waiting. Network
 * failures carry a `reason` in words (timed out after 30 s, connection refused …); an attempt that
 * received nothing is not retried, so an unreachable mirror costs one timeout, not three.
 */
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { sha256Bytes, sha256File } from '../hash/sha256-file.js';
import { byteThrottle, type OnProgress } from '../hash/progress.js';

export type DownloadErrorKind =
  | 'bad-url'
  | 'http-status'
  | 'network'
  | 'truncated-download'
  | 'hash-mismatch'
  | 'cache-io';

export interface DownloadError {
  kind: DownloadErrorKind;
  url: string;
  message: string;
  /** HTTP status for 'http-status'. */
  status?: number;
  /** For 'truncated-download': bytes received and announced. */
  bytesReceived?: number;
  bytesExpected?: number | null;
  /** For 'hash-mismatch': what the bytes hash to. */
  actualSha256?: string;
  /** For 'network': why, in words ("timed out after 30 s", "connection refused"). */
  reason?: string;
  /** For 'network': true when the server never answered (an outage, not a bad file). */
  unreachable?: boolean;
}

export interface Downloaded {
  ok: true;
  url: string;
  path: string;
  sha256: string;
  size: number;
  /** True when served from the cache (after re-hashing). */
  fromCache: boolean;
  /** True when at least one attempt resumed from partial bytes. */
  resumed: boolean;
}

export type DownloadResult = Downloaded | ({ ok: false } & DownloadError);

export interface DownloadOptions {
  cacheDir: string;
  /** When known, the file must hash to this (lowercase hex) or the download is refused. */
  expectedSha256?: string | null;
  onProgress?: OnProgress;
  /** Attempts (each resumes from the bytes already on disk). Default 3. */
  attempts?: number;
  /** Ignore a cached complete file and download again. */
  refresh?: boolean;
  /** Per-request timeout for the response headers, ms. Default: the idle timeout. */
  headersTimeoutMs?: number;
  /** A server silent this long (ms), before or between body chunks, is cut. Default 30 s. */
  idleTimeoutMs?: number;
  fetchImpl?: typeof fetch;
}

interface PartMeta {
  url: string;
  etag: string | null;
  lastModified: string | null;
  total: number | null;
}

interface Sidecar {
  url: string;
  size: number;
  sha256: string;
  etag: string | null;
  lastModified: string | null;
  downloadedAt: string;
}

/** Where a URL lives in the cache (pure). */
export function cachePathFor(cacheDir: string, url: string): string {
  const u = new URL(url);
  const host = u.host.replace(/[^A-Za-z0-9.-]/g, '_');
  const base = (basename(u.pathname) || 'index').replace(/[^A-Za-z0-9._-]/g, '_');
  return join(cacheDir, 'downloads', host, `${sha256Bytes(url).slice(0, 16)}-${base}`);
}

/** Parses `Content-Range: bytes a-b/total` (pure); total null for `*`. */
export function parseContentRange(v: string | null): { start: number; end: number; total: number | null } | null {
  if (!v) return null;
  const m = /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i.exec(v.trim());
  if (!m) return null;
  return { start: Number(m[1]), end: Number(m[2]), total: m[3] === '*' ? null : Number(m[3]) };
}

async function readJson<T>(path: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return null;
  }
}

async function fileSize(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size;
  } catch {
    return null;
  }
}

export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

export async function download(url: string, opts: DownloadOptions): Promise<DownloadResult> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, kind: 'bad-url', url, message: `not a URL: ${url}` };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return { ok: false, kind: 'bad-url', url, message: `only http(s) URLs can be downloaded: ${url}` };
  }
  const expected = opts.expectedSha256?.toLowerCase() ?? null;
  const finalPath = cachePathFor(opts.cacheDir, url);
  const partPath = `${finalPath}.part`;
  try {
    await mkdir(join(finalPath, '..'), { recursive: true });
  } catch (err) {
    return { ok: false, kind: 'cache-io', url, message: `cannot create cache dir: ${(err as Error).message}` };
  }

  // 1. A complete cached file: re-hash, use it only if it is still what we stored.
  if (!opts.refresh) {
    const side = await readJson<Sidecar>(`${finalPath}.json`);
    if (side && side.url === url && (await fileSize(finalPath)) === side.size) {
      const h = await sha256File(finalPath, { onProgress: opts.onProgress, label: url });
      if (h.ok && h.sha256 === side.sha256) {
        if (expected && h.sha256 !== expected) {
          return mismatch(url, expected, h.sha256);
        }
        return { ok: true, url, path: finalPath, sha256: h.sha256, size: h.size, fromCache: true, resumed: false };
      }
    }
    await rm(finalPath, { force: true });
    await rm(`${finalPath}.json`, { force: true });
  }

  // 2. Download (resuming), up to `attempts` times.
  const attempts = Math.max(1, opts.attempts ?? 3);
  let last: DownloadError = { kind: 'network', url, message: 'not attempted' };
  let resumed = false;
  for (let i = 0; i < attempts; i++) {
    const r = await attempt(url, partPath, opts);
    resumed ||= r.resumed;
    if (r.ok) {
      last = { kind: 'network', url, message: '' };
      break;
    }
    last = r.error;
    // A definite HTTP error (404, 403 …) will not change on retry; nor will a silent server.
    if (r.error.kind === 'http-status' || r.error.kind === 'cache-io' || r.error.unreachable) return { ok: false, ...r.error };
    if (i === attempts - 1) return { ok: false, ...last };
  }

  // 3. Verify, then move into place.
  const h = await sha256File(partPath, { onProgress: opts.onProgress, label: url });
  if (!h.ok) return { ok: false, kind: 'cache-io', url, message: h.message };
  if (expected && h.sha256 !== expected) {
    await rm(partPath, { force: true });
    await rm(`${partPath}.json`, { force: true });
    return mismatch(url, expected, h.sha256);
  }
  const meta = await readJson<PartMeta>(`${partPath}.json`);
  try {
    await rename(partPath, finalPath);
    const side: Sidecar = {
      url,
      size: h.size,
      sha256: h.sha256,
      etag: meta?.etag ?? null,
      lastModified: meta?.lastModified ?? null,
      downloadedAt: new Date().toISOString(),
    };
    await writeFile(`${finalPath}.json`, JSON.stringify(side, null, 2) + '\n');
    await rm(`${partPath}.json`, { force: true });
  } catch (err) {
    return { ok: false, kind: 'cache-io', url, message: `cannot store ${finalPath}: ${(err as Error).message}` };
  }
  return { ok: true, url, path: finalPath, sha256: h.sha256, size: h.size, fromCache: false, resumed };
}

function mismatch(url: string, expected: string, actual: string): { ok: false } & DownloadError {
  return {
    ok: false,
    kind: 'hash-mismatch',
    url,
    actualSha256: actual,
    message: `${url} hashes to ${actual}, expected ${expected}`,
  };
}

/** One HTTP request: append to (or restart) the .part file. */
async function attempt(
  url: string,
  partPath: string,
  opts: DownloadOptions,
): Promise<{ ok: true; resumed: boolean } | { ok: false; resumed: boolean; error: DownloadError }> {
  const fetchImpl = opts.fetchImpl ?? fetch;
  const partMetaPath = `${partPath}.json`;
  let have = (await fileSize(partPath)) ?? 0;
  let meta = await readJson<PartMeta>(partMetaPath);
  if (have > 0 && (!meta || meta.url !== url)) {
    have = 0; // partial bytes of unknown origin: start over
  }
  // Already complete from an earlier attempt (e.g. the process died before the rename).
  if (have > 0 && meta?.total != null && have === meta.total) return { ok: true, resumed: true };
  if (meta?.total != null && have > meta.total) have = 0;

  const headers: Record<string, string> = { 'accept-encoding': 'identity' };
  if (have > 0) {
    headers.range = `bytes=${have}-`;
    const validator = meta?.etag ?? meta?.lastModified;
    if (validator) headers['if-range'] = validator;
  }
  const controller = new AbortController();
  const idleMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const headersMs = opts.headersTimeoutMs ?? idleMs;
  const host = hostOf(url);
  const waiting = waitTicker(url, host, headersMs, opts.onProgress);
  const timer = setTimeout(() => controller.abort(), headersMs);
  let res: Response;
  try {
    res = await fetchImpl(url, { headers, signal: controller.signal, redirect: 'follow' });
  } catch (err) {
    clearTimeout(timer);
    waiting.stop();
    const reason = controller.signal.aborted ? `timed out after ${seconds(headersMs)} (no answer)` : networkReason(err);
    return { ok: false, resumed: false, error: { kind: 'network', url, reason, unreachable: true, message: `${host}: ${reason} (${url})` } };
  }
  clearTimeout(timer);
  waiting.stop();

  let append: boolean;
  let total: number | null;
  if (res.status === 206) {
    const cr = parseContentRange(res.headers.get('content-range'));
    if (!cr || cr.start !== have) {
      // A range we did not ask for: start over without Range next attempt.
      await res.body?.cancel().catch(() => {});
      await rm(partPath, { force: true });
      await rm(partMetaPath, { force: true });
      return {
        ok: false,
        resumed: false,
        error: { kind: 'network', url, message: `${url}: unexpected Content-Range ${res.headers.get('content-range')}` },
      };
    }
    append = true;
    total = cr.total;
  } else if (res.status === 200) {
    append = false; // server ignored Range, or the resource changed: restart
    const cl = res.headers.get('content-length');
    total = cl !== null && /^\d+$/.test(cl) ? Number(cl) : null;
    have = 0;
  } else if (res.status === 416 && have > 0) {
    await res.body?.cancel().catch(() => {});
    const cr = /\*\/(\d+)/.exec(res.headers.get('content-range') ?? '');
    if (cr && Number(cr[1]) === have) return { ok: true, resumed: true }; // we already have it all
    await rm(partPath, { force: true });
    await rm(partMetaPath, { force: true });
    return { ok: false, resumed: false, error: { kind: 'network', url, message: `${url}: partial bytes no longer valid, restarting` } };
  } else {
    await res.body?.cancel().catch(() => {});
    return {
      ok: false,
      resumed: false,
      error: { kind: 'http-status', url, status: res.status, message: `${url}: HTTP ${res.status} ${res.statusText}` },
    };
  }

  meta = {
    url,
    etag: res.headers.get('etag'),
    lastModified: res.headers.get('last-modified'),
    total,
  };
  let handle;
  try {
    await writeFile(partMetaPath, JSON.stringify(meta) + '\n');
    handle = await open(partPath, append ? 'a' : 'w');
  } catch (err) {
    await res.body?.cancel().catch(() => {});
    return { ok: false, resumed: false, error: { kind: 'cache-io', url, message: `cannot write ${partPath}: ${(err as Error).message}` } };
  }
  let done = have;
  const report = byteThrottle(opts.onProgress);
  let streamError: unknown = null;
  // A stalled connection is cut (and resumed by the next attempt) instead of hanging forever.
  let idle = setTimeout(() => controller.abort(), idleMs);
  try {
    if (res.body) {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        clearTimeout(idle);
        idle = setTimeout(() => controller.abort(), idleMs);
        await handle.write(chunk);
        done += chunk.byteLength;
        report({ phase: 'download', label: url, bytesDone: done, bytesTotal: total });
      }
    }
  } catch (err) {
    streamError = controller.signal.aborted ? new Error(`timed out after ${seconds(idleMs)} without data`) : err;
  } finally {
    clearTimeout(idle);
    await handle.close();
  }
  report({ phase: 'download', label: url, bytesDone: done, bytesTotal: total }, true);
  if (streamError !== null || (total !== null && done !== total)) {
    return {
      ok: false,
      resumed: append,
      error: {
        kind: 'truncated-download',
        url,
        bytesReceived: done,
        bytesExpected: total,
        message:
          `${url}: download ended after ${done} of ${total ?? 'unknown'} bytes` +
          (streamError ? ` (${causeOf(streamError)})` : '') +
          '; run again to resume',
      },
    };
  }
  if (total === null) {
    meta.total = done;
    await writeFile(partMetaPath, JSON.stringify(meta) + '\n').catch(() => {});
  }
  return { ok: true, resumed: append };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;

/** Words for a failed connection: the errno somewhere in fetch's cause chain. */
export function networkReason(err: unknown): string {
  const words: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host name lookup failed',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    ETIMEDOUT: 'connection timed out',
    UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
    UND_ERR_SOCKET: 'connection closed by the server',
  };
  let cur = err as { code?: unknown; cause?: unknown; message?: unknown } | undefined;
  for (let i = 0; cur && i < 6; i++) {
    if (typeof cur.code === 'string' && words[cur.code]) return words[cur.code]!;
    cur = cur.cause as typeof cur;
  }
  return causeOf(err);
}

/** While nothing arrives: a progress line every 5 s, so a silent server is visible. */
function waitTicker(url: string, host: string, limitMs: number, onProgress: OnProgress | undefined): { stop(): void } {
  if (!onProgress) return { stop() {} };
  const started = Date.now();
  const t = setInterval(() => {
    const waited = Date.now() - started;
    onProgress({ phase: 'download', label: url, elapsedMs: waited, line: `waiting for ${host} (gives up after ${seconds(limitMs)})` });
  }, 5000);
  t.unref();
  return { stop: () => clearInterval(t) };
}

function causeOf(err: unknown): string {
  const e = err as { message?: string; cause?: { message?: string; code?: string } };
  const cause = e?.cause?.code ?? e?.cause?.message;
  return cause ? `${e.message}: ${cause}` : String(e?.message ?? err);
}
