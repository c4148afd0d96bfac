/** Typed errors: every rejection names its kind, the field at fault and why. */

export type ErrorKind =
  | 'malformed-envelope'
  | 'bad-base64'
  | 'wrong-payload-type'
  | 'no-signature'
  | 'duplicate-signature'
  | 'keyid-mismatch'
  | 'bad-public-key'
  | 'bad-signature'
  | 'oversized'
  | 'invalid-statement'
  | 'proposal-mismatch'
  | 'unsupported-key';

export class ProtocolError extends Error {
  readonly kind: ErrorKind;
  /** Dotted path of the offending field, e.g. `predicate.artifacts[0].sha256`. */
  readonly field?: string;

  constructor(kind: ErrorKind, message: string, field?: string) {
    super(field === undefined ? message : `${field}: ${message}`);
    this.name = 'ProtocolError';
    this.kind = kind;
    if (field !== undefined) this.field = field;
  }
}

export type Result<T, E = ProtocolError> = { ok: true; value: T } | { ok: false; error: E };

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function fail(kind: ErrorKind, message: string, field?: string): { ok: false; error: ProtocolError } {
  return { ok: false, error: new ProtocolError(kind, message, field) };
}
