/**
 * Arbitrary Candid for the fuzz test: well-typed random values of a method's argument types,
 * and byte-level mutations of valid encodings (flips, insertions, deletions, truncations,
 * lengths blown up, zero-sized vectors and deep nesting appended).
 */
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import fc from 'fast-check';

const principals = [Principal.anonymous(), Principal.fromText('rwlgt-iiaaa-aaaaa-aaaaa-cai'), Principal.fromUint8Array(new Uint8Array(29).fill(7))];

/** Small numbers most of the time (ids that exist), extremes sometimes. */
const nat64 = fc.oneof(fc.bigInt({ min: 0n, max: 8n }), fc.constantFrom(0n, (1n << 62n), (1n << 64n) - 1n), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }));
const text = fc.oneof(fc.string({ maxLength: 24 }), fc.constantFrom('/', '/proposal/1', '/badge/1.svg', '/proposal/1.json', '/attestation/1.json', 'GET', 'guestos', '['.repeat(64)), fc.string({ unit: 'binary', maxLength: 8 }));

/** A fast-check arbitrary of values of `t` (the types this canister's methods take). */
export function valueOf(t: IDL.Type, depth = 0): fc.Arbitrary<unknown> {
  if (t instanceof IDL.FixedNatClass) {
    if (t._bits === 64) return nat64;
    return fc.integer({ min: 0, max: 2 ** t._bits - 1 });
  }
  if (t instanceof IDL.NatClass) return fc.bigInt({ min: 0n, max: 1n << 80n });
  if (t instanceof IDL.TextClass) return text;
  if (t instanceof IDL.BoolClass) return fc.boolean();
  if (t instanceof IDL.NullClass) return fc.constant(null);
  if (t instanceof IDL.PrincipalClass) return fc.constantFrom(...principals);
  if (t instanceof IDL.OptClass) return fc.oneof(fc.constant([]), valueOf(t._type, depth + 1).map((v) => [v]));
  if (t instanceof IDL.VecClass) {
    const inner = t._type;
    if (inner instanceof IDL.FixedNatClass && inner._bits === 8) return fc.uint8Array({ maxLength: 64 });
    return fc.array(valueOf(inner, depth + 1), { maxLength: depth > 2 ? 1 : 3 });
  }
  if (t instanceof IDL.TupleClass) {
    return fc.tuple(...(t as unknown as { _components: IDL.Type[] })._components.map((ct) => valueOf(ct, depth + 1)));
  }
  if (t instanceof IDL.RecordClass) {
    const fields = t._fields;
    return fc.tuple(...fields.map(([, ft]) => valueOf(ft, depth + 1))).map((vs) => Object.fromEntries(fields.map(([k], i) => [k, vs[i]])));
  }
  if (t instanceof IDL.VariantClass) {
    return fc.oneof(...t._fields.map(([k, ft]) => valueOf(ft, depth + 1).map((v) => ({ [k]: v }))));
  }
  throw new Error(`fuzz: no arbitrary for ${t.display()}`);
}

export function encodeArgs(types: readonly IDL.Type[], values: unknown[]): Uint8Array {
  return new Uint8Array(IDL.encode([...types], values));
}

type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'insert'; at: number; byte: number }
  | { op: 'delete'; at: number }
  | { op: 'truncate'; at: number }
  | { op: 'leb'; at: number }
  | { op: 'append'; bytes: Uint8Array };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('leb' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('append' as const), bytes: fc.uint8Array({ maxLength: 16 }) })
);

function apply(b: number[], m: Mutation): number[] {
  const at = b.length === 0 ? 0 : ('at' in m ? m.at % b.length : 0);
  switch (m.op) {
    case 'flip': if (b.length > 0) b[at] ^= 1 << m.bit; return b;
    case 'insert': b.splice(at, 0, m.byte); return b;
    case 'delete': b.splice(at, 1); return b;
    case 'truncate': return b.slice(0, at);
    // A length or count blown up: a 5-byte LEB128 of 2^31 in place of one byte.
    case 'leb': b.splice(at, 1, 0x80, 0x80, 0x80, 0x80, 0x08); return b;
    case 'append': return [...b, ...m.bytes];
  }
}

/** Valid encodings of the argument types, mutated 1-4 times. */
export function mutatedArgs(types: readonly IDL.Type[]): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(fc.tuple(...types.map((t) => valueOf(t))), fc.array(mutation, { minLength: 1, maxLength: 4 }))
    .map(([values, ms]) => new Uint8Array(ms.reduce(apply, Array.from(encodeArgs(types, values)))));
}

/** Any bytes, half of them after the DIDL magic. */
export const randomBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 96 }),
  fc.uint8Array({ maxLength: 96 }).map((b) => new Uint8Array([0x44, 0x49, 0x44, 0x4c, ...b]))
);
