/**
 * Attack inputs, written apart from the canister's own code paths (raw bytes where the attack is
 * in the encoding): shared by the security matrix, the fuzz test and the bench's attack section.
 */
import { IDL } from '@dfinity/candid';
import { base64Encode, pae, PAYLOAD_TYPE, signerFromSecretKey, type Signer } from '../../protocol/index.js';
import { METHODS, type CandidEnvelope, type MethodName } from '../../protocol/service.js';

/** A fresh Ed25519 key (any seed): nobody needs to be registered to sign. */
export function freshKey(seed = 0x5a): Signer {
  return signerFromSecretKey('ed25519', new Uint8Array(32).fill(seed));
}

/** A correctly signed envelope (PAE over the payload bytes) around any payload text. */
export function signedRaw(signer: Signer, payloadText: string): CandidEnvelope {
  const payload = new TextEncoder().encode(payloadText);
  return { payload_type: PAYLOAD_TYPE, payload: base64Encode(payload), signatures: [{ keyid: signer.principal, sig: base64Encode(signer.sign(pae(PAYLOAD_TYPE, payload))) }] };
}

/** 12,000 `[`, unclosed, signed: QuickJS's JSON.parse overflowed its stack on it. */
export function deepJsonEnvelope(signer: Signer, depth = 12_000): CandidEnvelope {
  return signedRaw(signer, '['.repeat(depth));
}

function leb(n: bigint): number[] {
  const out: number[] = [];
  do {
    let b = Number(n & 0x7fn);
    n >>= 7n;
    if (n > 0n) b |= 0x80;
    out.push(b);
  } while (n > 0n);
  return out;
}

/**
 * `method`'s arguments (valid values) followed by one extra argument, a vector of `count` values
 * of a type that takes no bytes on the wire: Candid lets a callee skip extra arguments, and
 * @dfinity/candid skips by decoding, one loop turn per element. A few hundred bytes.
 */
export function zeroSizedVec(method: MethodName, args: unknown[], element: IDL.Type = IDL.Null, count = 1n << 31n): Uint8Array {
  const bytes = Array.from(IDL.encode([...METHODS[method].args, IDL.Vec(element)], [...args, []]));
  bytes.pop(); // the empty vector's length (0), the last byte
  return new Uint8Array([...bytes, ...leb(count)]);
}

/** The ~300-byte bomb of the issue: verify_envelope's arguments plus `vec null` of length 2^31. */
export function candidBomb(signer = freshKey()): Uint8Array {
  return zeroSizedVec('verify_envelope', [signedRaw(signer, '{}'), signer.publicKeyDer, []]);
}

/**
 * A recursive type `μt. opt t` and a value `depth` levels deep as one extra argument: a
 * recursive decoder recurses as deep (a stack overflow, not an instruction limit).
 */
export function deepCandid(method: MethodName, args: unknown[], depth = 30_000): Uint8Array {
  const { entries, tableBytes, argTypes, values } = splitCandid(Array.from(IDL.encode([...METHODS[method].args], args)));
  const self = entries; // the new table entry: opt <itself>
  const table = [...leb(BigInt(entries + 1)), ...tableBytes, ...sleb(-18), ...sleb(self)];
  const argList = [...leb(BigInt(argTypes.length + 1)), ...argTypes.flatMap((t) => sleb(t)), ...sleb(self)];
  const nested = [...new Array<number>(depth).fill(1), 0];
  return new Uint8Array([0x44, 0x49, 0x44, 0x4c, ...table, ...argList, ...values, ...nested]);
}

function sleb(n: number): number[] {
  const out: number[] = [];
  let v = BigInt(n);
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    const done = (v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return out;
  }
}

/** Splits Candid bytes into the type table entries, the argument types and the value bytes. */
function splitCandid(enc: number[]): { entries: number; tableBytes: number[]; argTypes: number[]; values: number[] } {
  let at = 4;
  const uleb = (): number => {
    let n = 0;
    let scale = 1;
    for (;;) {
      const b = enc[at++];
      n += (b & 0x7f) * scale;
      scale *= 128;
      if (b < 0x80) return n;
    }
  };
  const sl = (): number => {
    let n = 0;
    let scale = 1;
    for (;;) {
      const b = enc[at++];
      n += (b & 0x7f) * scale;
      scale *= 128;
      if (b < 0x80) return b & 0x40 ? n - scale : n;
    }
  };
  const entries = uleb();
  const start = at;
  for (let i = 0; i < entries; i++) {
    const op = sl();
    if (op === -18 || op === -19) sl();
    else if (op === -20 || op === -21) for (let n = uleb(), k = 0; k < n; k++) { uleb(); sl(); }
    else throw new Error(`splitCandid: opcode ${op} not handled`);
  }
  const tableBytes = enc.slice(start, at);
  const argTypes: number[] = [];
  for (let n = uleb(), k = 0; k < n; k++) argTypes.push(sl());
  return { entries, tableBytes, argTypes, values: enc.slice(at) };
}
