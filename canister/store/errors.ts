/** Error values returned through Candid: a kind, a message a person can act on, the field at fault. */
import type { Result, ServiceError } from '../../protocol/service.js';

export function err(kind: string, message: string, field?: string): { Err: ServiceError } {
  return { Err: { kind, message, field: field === undefined ? [] : [field] } };
}

export function okv<T>(value: T): { Ok: T } {
  return { Ok: value };
}

export type { Result, ServiceError };

/** A protocol `ProtocolError` (kind, message, field?) as a Candid error. */
export function fromProtocolError(e: { kind: string; message: string; field?: string }): { Err: ServiceError } {
  return err(e.kind, e.message, e.field);
}
