/**
 * The field checks every validator of a signed statement shares: each names the path of the
 * field at fault and throws a ProtocolError('invalid-statement'). Pure.
 */
import { ProtocolError } from './errors.js';

export const HEX64 = /^[0-9a-f]{64}$/;
export const HEX40 = /^[0-9a-f]{40}$/;
const NAT64 = /^(0|[1-9][0-9]{0,19})$/;
const NAT64_MAX = 18446744073709551615n;

export function bad(path: string, why: string): never {
  throw new ProtocolError('invalid-statement', why, path);
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return typeof v === 'string' ? `string ${JSON.stringify(v.slice(0, 40))}` : `${typeof v} ${String(v).slice(0, 40)}`;
}

export function obj(v: unknown, path: string, required: string[], optional: string[] = []): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(path, `expected an object, got ${describe(v)}`);
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) bad(path, 'expected a plain JSON object');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!required.includes(k) && !optional.includes(k)) bad(`${path}.${k}`, 'unknown field');
  }
  for (const k of required) if (!(k in o) || o[k] === undefined) bad(`${path}.${k}`, 'missing');
  for (const k of optional) if (k in o && o[k] === undefined) bad(`${path}.${k}`, 'undefined (omit the field instead)');
  return o;
}

export function arr(v: unknown, path: string, min: number, max: number): unknown[] {
  if (!Array.isArray(v)) bad(path, `expected an array, got ${describe(v)}`);
  if (v.length < min) bad(path, `needs at least ${min} entr${min === 1 ? 'y' : 'ies'}`);
  if (v.length > max) bad(path, `${v.length} entries exceed the limit of ${max}`);
  return v;
}

/**
 * Text of at most `max` UTF-16 units, no lone surrogates, and (unless `measured`: names read
 * from inside an artifact, which may hold anything) no control characters.
 */
export function str(v: unknown, path: string, max: number, nonEmpty = true, measured = false): string {
  if (typeof v !== 'string') bad(path, `expected a string, got ${describe(v)}`);
  if (nonEmpty && v.length === 0) bad(path, 'must not be empty');
  if (v.length > max) bad(path, `${v.length} characters exceed the limit of ${max}`);
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (!measured && (c < 0x20 || c === 0x7f)) bad(path, `control character U+${c.toString(16).padStart(4, '0')} at index ${i}`);
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = v.charCodeAt(i + 1);
      if (c > 0xdbff || !(d >= 0xdc00 && d <= 0xdfff)) bad(path, `lone surrogate at index ${i}`);
      i++;
    }
  }
  return v;
}

export function hex(v: unknown, path: string, re: RegExp, what: string): string {
  if (typeof v !== 'string' || !re.test(v)) bad(path, `expected ${what}, got ${describe(v)}`);
  return v;
}
export const sha = (v: unknown, path: string) => hex(v, path, HEX64, '64 lowercase hex digits (sha256)');

export function nat64(v: unknown, path: string): string {
  if (typeof v !== 'string' || !NAT64.test(v) || BigInt(v) > NAT64_MAX) {
    bad(path, `expected a nat64 as a decimal string without leading zeros, got ${describe(v)}`);
  }
  return v;
}

export function int(v: unknown, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) bad(path, `expected an integer, got ${describe(v)}`);
  if (v < min || v > max) bad(path, `${v} is outside ${min}..${max}`);
  return v;
}

export function bool(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') bad(path, `expected true or false, got ${describe(v)}`);
  return v;
}

export function nullable<T>(v: unknown, path: string, f: (v: unknown, path: string) => T): T | null {
  return v === null ? null : f(v, path);
}
