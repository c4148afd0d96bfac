/** Typed CLI errors: every failure a person can see has a kind, an exit code and one actionable line. */

export type CliErrorKind =
  | 'usage' // bad flags or arguments
  | 'input' // a file, PEM, commit, proposal or result that cannot be used
  | 'network' // endpoint unreachable, timeouts, refused connections
  | 'canister' // the canister rejected the request (its error variant or a reject)
  | 'verification' // a signature, binding or consensus check failed
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

  constructor(kind: CliErrorKind, message: string, detail?: unknown) {
    super(message);
    this.name = 'CliError';
    this.kind = kind;
    this.exitCode = EXIT_CODES[kind];
    this.detail = detail;
  }

  toJSON(): { error: { kind: CliErrorKind; message: string; exitCode: number; detail?: unknown } } {
    return { error: { kind: this.kind, message: this.message, exitCode: this.exitCode, ...(this.detail === undefined ? {} : { detail: this.detail }) } };
  }
}

export const usageError = (message: string): CliError => new CliError('usage', message);
export const inputError = (message: string, detail?: unknown): CliError => new CliError('input', message, detail);
export const networkError = (message: string): CliError => new CliError('network', message);
export const unavailable = (what: string): CliError =>
  new CliError('unavailable', `${what} is not available yet in this version of icos-attest`);

/** Node's network failures surface with these codes somewhere in the cause chain. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH',
  'EPIPE', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'
]);

/** True when an error (or anything in its cause chain) is a transport failure rather than an answer. */
export function isNetworkFailure(err: unknown): boolean {
  const seen = new Set<unknown>();
  let cur: unknown = err;
  while (cur && typeof cur === 'object' && !seen.has(cur)) {
    seen.add(cur);
    const e = cur as { code?: unknown; message?: unknown; cause?: unknown; name?: unknown };
    // an answer from the replica or canister, whatever its message says
    if (e.name === 'RejectError' || e.name === 'CliError' || e.name === 'ProtocolError' || e.name === 'TrustError') return false;
    if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
    if (typeof e.message === 'string' && /fetch failed|ECONNREFUSED|socket hang up|network error|ENOTFOUND|ETIMEDOUT|ECONNRESET/i.test(e.message)) return true;
    if (e.name === 'AbortError' || e.name === 'TimeoutError') return true;
    // @dfinity/agent wraps transport errors as AgentError with a HttpFetchErrorCode / TransportError
    if (e.name === 'TransportError' || /HttpFetchError|TransportError/.test(String((e as { cause?: { code?: { constructor?: { name?: string } } } }).cause?.code?.constructor?.name ?? ''))) return true;
    cur = e.cause;
  }
  return false;
}

/** Turns anything thrown into a CliError; unknown exceptions keep their message, never a stack. */
export function toCliError(err: unknown): CliError {
  if (err instanceof CliError) return err;
  if (isNetworkFailure(err)) return networkError(`network error: ${oneLine(err)}`);
  return new CliError('input', oneLine(err));
}

export function oneLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  // @dfinity/agent rejections spread over lines: keep what the canister said and its codes
  const reject = /Reject text:\s*(.+)/.exec(msg)?.[1]?.trim();
  if (reject) {
    const code = /Error code:\s*(\S+)/.exec(msg)?.[1] ?? /Reject code:\s*(\S+)/.exec(msg)?.[1];
    return clip(`${reject}${code ? ` (${code})` : ''}`);
  }
  return clip(msg.split('\n').map((s) => s.trim()).filter((s) => s.length > 0).join(' ') || 'unknown error');
}

function clip(s: string): string {
  return s.length > 400 ? `${s.slice(0, 400)}…` : s;
}
