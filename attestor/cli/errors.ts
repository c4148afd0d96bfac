/**
 * One error path for the whole CLI: every failure a person can see has a kind, an exit code and
 * one actionable line. Failures are classified where they happen (a CliError with its `cause`);
 * anything else is classified at the boundary by `toCliError`. The cause chain is printed only
 * under ICOS_ATTEST_DEBUG=1 (see program.ts), never inside the line.
 */

export type CliErrorKind =
  | 'usage' // bad flags or arguments
  | 'input' // a file, PEM, commit, proposal or result that cannot be used
  | 'network' // endpoint unreachable, timeouts, refused connections, a server that is no IC replica
  | 'canister' // the canister rejected the request (its error variant or a reject)
  | 'verification' // a signature, binding, certificate, root key or consensus check failed
  | 'unavailable'; // a part of the tool that is not built yet

export const EXIT_OK = 0;
export const EXIT_VERIFICATION = 1;
export const EXIT_USAGE = 2;
export const EXIT_NETWORK = 3;

const EXIT_CODES: Record<CliErrorKind, number> = {
  usage: EXIT_USAGE,
  input: EXIT_USAGE,
  network: EXIT_NETWORK,
  canister: EXIT_USAGE,
  verification: EXIT_VERIFICATION,
  unavailable: EXIT_USAGE
};

export class CliError extends Error {
  readonly kind: CliErrorKind;
  readonly exitCode: number;
  /** Optional structured detail for --json output. */
  readonly detail?: unknown;

  constructor(kind: CliErrorKind, message: string, detail?: unknown, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.kind = kind;
    this.exitCode = EXIT_CODES[kind];
    this.detail = detail;
  }

  toJSON(): { error: { kind: CliErrorKind; message: string; exitCode: number; detail?: unknown } } {
    return { error: { kind: this.kind, message: this.message, exitCode: this.exitCode, ...(this.detail === undefined ? {} : { detail: this.detail }) } };
  }
}

/** A trust failure (signature, certificate, root key, consensus): exit 1, one line. */
export class VerificationError extends CliError {
  constructor(message: string, detail?: unknown, options?: { cause?: unknown }) {
    super('verification', message, detail, options);
    this.name = 'VerificationError';
  }
}

export const usageError = (message: string): CliError => new CliError('usage', message);
export const inputError = (message: string, detail?: unknown, cause?: unknown): CliError => new CliError('input', message, detail, cause === undefined ? undefined : { cause });
export const networkError = (message: string, cause?: unknown): CliError => new CliError('network', message, undefined, cause === undefined ? undefined : { cause });
export const verificationError = (message: string, detail?: unknown, cause?: unknown): VerificationError =>
  new VerificationError(message, detail, cause === undefined ? undefined : { cause });
export const unavailable = (what: string): CliError =>
  new CliError('unavailable', `${what} is not available yet in this version of icos-attest`);

/** Node's network failures surface with these codes somewhere in the cause chain. */
const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed by the server',
  UND_ERR_HEADERS_TIMEOUT: 'timed out waiting for an answer',
  UND_ERR_BODY_TIMEOUT: 'timed out waiting for data'
};

/** File system failures, in words. */
const FILE_CODES: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on the device',
  EROFS: 'read-only file system',
  EMFILE: 'too many open files'
};

/** The errors in a cause chain, outermost first (cycles cut). */
function chain(err: unknown): Array<{ name?: unknown; code?: unknown; message?: unknown; path?: unknown; cause?: unknown }> {
  const out: Array<{ name?: unknown; code?: unknown; message?: unknown; path?: unknown; cause?: unknown }> = [];
  const seen = new Set<unknown>();
  // @dfinity/agent nests the transport error as cause.code.error (HttpFetchErrorCode)
  const todo: unknown[] = [err];
  while (todo.length > 0 && out.length < 20) {
    const cur = todo.shift();
    if (!cur || typeof cur !== 'object' || seen.has(cur)) continue;
    seen.add(cur);
    const e = cur as { cause?: unknown; code?: unknown; error?: unknown };
    if (typeof (e as { message?: unknown }).message === 'string') out.push(e as (typeof out)[number]);
    todo.push(e.cause, e.error);
    if (e.code && typeof e.code === 'object') todo.push(e.code);
  }
  return out;
}

/** True when an error (or anything in its cause chain) is a transport failure rather than an answer. */
export function isNetworkFailure(err: unknown): boolean {
  for (const e of chain(err)) {
    // an answer from the replica or canister, whatever its message says
    if (e.name === 'RejectError' || e.name === 'ProtocolError' || e.name === 'TrustError' || e.name === 'VerificationError') return false;
    if (e.name === 'CliError') return (e as unknown as CliError).kind === 'network';
    if (typeof e.code === 'string' && e.code in NETWORK_CODES) return true;
    if (typeof e.message === 'string' && /fetch failed|ECONNREFUSED|socket hang up|network error|ENOTFOUND|ETIMEDOUT|ECONNRESET/i.test(e.message)) return true;
    if (e.name === 'AbortError' || e.name === 'TimeoutError') return true;
    // @dfinity/agent wraps transport errors as AgentError with a HttpFetchErrorCode / TransportError
    if (e.name === 'TransportError' || /HttpFetchError|TransportError/.test(String((e as { cause?: { code?: { constructor?: { name?: string } } } }).cause?.code?.constructor?.name ?? ''))) return true;
  }
  return false;
}

/**
 * An HTTP answer that no IC replica gives: the agent's "Status: 501 (Not Implemented) Headers: …
 * Body: …" without CBOR or any word of the IC. Returns "HTTP 501 Not Implemented", else null.
 */
export function nonReplicaAnswer(err: unknown): string | null {
  for (const e of chain(err)) {
    const msg = typeof e.message === 'string' ? e.message : '';
    const m = /Status:\s*(\d{3})\s*\(([^)]*)\)/.exec(msg);
    if (!m) continue;
    const body = /Body:\s*([\s\S]*)$/.exec(msg)?.[1] ?? '';
    const type = `${/"content-type","([^"]*)"/i.exec(msg)?.[1] ?? ''}${/application\/cbor/i.test(msg) ? ' application/cbor' : ''}`;
    if (looksLikeReplicaAnswer(type, body)) return null;
    return `HTTP ${m[1]}${m[2] ? ` ${m[2]}` : ''}`;
  }
  return null;
}

/** Whether an HTTP error answer could be an IC replica's: a web page never is; a replica's own refusals are CBOR or name IC things. */
export function looksLikeReplicaAnswer(contentType: string, body: string): boolean {
  if (/text\/html/i.test(contentType) || /^\s*<(!doctype|html)/i.test(body)) return false;
  return /application\/cbor/i.test(contentType) || /canister|subnet|replica|ingress|certificate/i.test(body);
}

/** The first file system error in the chain as words: "nope.bin: no such file or directory". */
export function fileProblem(err: unknown): string | null {
  for (const e of chain(err)) {
    if (typeof e.code === 'string' && e.code in FILE_CODES) {
      return `${typeof e.path === 'string' ? `${e.path}: ` : ''}${FILE_CODES[e.code]}`;
    }
  }
  return null;
}

/** Turns anything thrown into a CliError, classified by what it is; never a stack. */
export function toCliError(err: unknown): CliError {
  if (err instanceof CliError) return err;
  const http = nonReplicaAnswer(err);
  if (http) return new CliError('network', `the server is not an IC replica (it answered ${http}); check --network`, undefined, { cause: err });
  if (isNetworkFailure(err)) return new CliError('network', `network error: ${oneLine(err)}`, undefined, { cause: err });
  if (chain(err).some((e) => e.name === 'TrustError')) return new VerificationError(oneLine(err), undefined, { cause: err });
  const file = fileProblem(err);
  if (file) return new CliError('input', file, undefined, { cause: err });
  return new CliError('input', oneLine(err), undefined, { cause: err });
}

/**
 * One readable line for an error: a canister's reject text, a network failure or HTTP answer in
 * words, a file error in words; never stack frames, HTTP headers or bodies.
 */
export function oneLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  // @dfinity/agent rejections spread over lines: keep what the canister said and its codes
  const reject = /Reject text:\s*(.+)/.exec(msg)?.[1]?.trim();
  if (reject) {
    const code = /Error code:\s*(\S+)/.exec(msg)?.[1] ?? /Reject code:\s*(\S+)/.exec(msg)?.[1];
    return clip(`${reject}${code ? ` (${code})` : ''}`);
  }
  const http = nonReplicaAnswer(err);
  if (http) return `${http}: not an IC replica`;
  const links = chain(err);
  for (const e of links) {
    if (typeof e.code === 'string' && e.code in NETWORK_CODES) return NETWORK_CODES[e.code]!;
  }
  // "fetch failed" says nothing: the innermost cause says why (e.g. "bad port")
  if (links.some((e) => typeof e.message === 'string' && /fetch failed/.test(e.message))) {
    const inner = links[links.length - 1];
    const why = typeof inner?.message === 'string' && !/fetch failed/.test(inner.message) ? withoutInternals(inner.message) : '';
    return `connection failed${why ? ` (${why})` : ''}`;
  }
  const file = fileProblem(err);
  if (file) return file;
  return clip(withoutInternals(msg) || 'unknown error');
}

/** Drops stack frames, HTTP header/body dumps and line breaks from a message. */
export function withoutInternals(msg: string): string {
  return msg
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s.length > 0 && !/^at\s/.test(s))
    .join(' ')
    .replace(/\s+at\s+(async\s+)?(\S+\s+)?\(?(file|node):\S+\)?/g, '')
    .replace(/\s*Headers:\s*\[.*?\]\]\s*/g, ' ')
    .replace(/\s*Body:[\s\S]*$/, '')
    // a bare errno code, as some readers report it ("cannot read x: ENOENT"), in words
    .replace(/\b(E[A-Z]{3,})\b(:[^,;]*)?/g, (m, code: string) => FILE_CODES[code] ?? NETWORK_CODES[code] ?? m)
    .trim();
}

function clip(s: string): string {
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
}

/** The cause chain, one error per line, for ICOS_ATTEST_DEBUG=1. */
export function debugChain(err: unknown): string {
  return chain(err)
    .map((e, i) => `${i === 0 ? '' : 'caused by: '}${(e as { stack?: string }).stack ?? String(e.message ?? e)}`)
    .join('\n');
}
