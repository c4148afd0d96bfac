/**
 * Canonical JSON: object keys sorted by UTF-16 code units, no white space, strings and numbers
 * written as ECMAScript's JSON.stringify writes them. For the values this protocol uses (plain
 * objects, arrays, strings, finite numbers, booleans, null) this is RFC 8785 (JCS), so any JCS
 * library reproduces the signed bytes. Written out by hand so QuickJS and V8 agree byte for byte.
 */
import { ProtocolError } from './errors.js';
import { LIMITS } from './limits.js';

/** Throws ProtocolError('invalid-statement') naming the path of a value JSON cannot carry exactly. */
export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  write(value, '$', 0, parts);
  return parts.join('');
}

/** `depth` = arrays and objects around `v`; v itself may be one more, up to LIMITS.jsonDepth (as json-depth.ts reads). */
function write(v: unknown, path: string, depth: number, out: string[]): void {
  if (v === null) { out.push('null'); return; }
  switch (typeof v) {
    case 'boolean': out.push(v ? 'true' : 'false'); return;
    case 'string': out.push(quote(v, path)); return;
    case 'number':
      if (!Number.isFinite(v)) throw new ProtocolError('invalid-statement', `number ${v} is not finite`, path);
      out.push(Object.is(v, -0) ? '0' : String(v));
      return;
    case 'object': break;
    default: throw new ProtocolError('invalid-statement', `a ${typeof v} cannot be written as JSON`, path);
  }
  if (depth >= LIMITS.jsonDepth) throw new ProtocolError('invalid-statement', `nested deeper than ${LIMITS.jsonDepth} levels of arrays and objects`, path);
  if (Array.isArray(v)) {
    out.push('[');
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out.push(',');
      if (!(i in v)) throw new ProtocolError('invalid-statement', 'sparse array', `${path}[${i}]`);
      write(v[i], `${path}[${i}]`, depth + 1, out);
    }
    out.push(']');
    return;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) {
    throw new ProtocolError('invalid-statement', 'only plain objects can be written as JSON', path);
  }
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj).sort(compareCodeUnits);
  out.push('{');
  let first = true;
  for (const k of keys) {
    const child = obj[k];
    if (child === undefined) throw new ProtocolError('invalid-statement', 'undefined value (omit the key instead)', `${path}.${k}`);
    if (!first) out.push(',');
    first = false;
    out.push(quote(k, path), ':');
    write(child, `${path}.${k}`, depth + 1, out);
  }
  out.push('}');
}

/** Ordering by UTF-16 code units, independent of locale. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const ESCAPES: Record<number, string> = { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r', 34: '\\"', 92: '\\\\' };

function quote(s: string, path: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (c > 0xdbff || d < 0xdc00 || d > 0xdfff) {
        throw new ProtocolError('invalid-statement', `lone surrogate at index ${i}`, path);
      }
      i++;
      continue;
    }
    if (c < 0x20 || c === 34 || c === 92) {
      out += s.slice(start, i) + (ESCAPES[c] ?? '\\u' + c.toString(16).padStart(4, '0'));
      start = i + 1;
    }
  }
  return out + s.slice(start) + '"';
}
