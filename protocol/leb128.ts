/**
 * Unsigned LEB128: Wasm section sizes (scripts/canisters.ts) and the `:ic-cert-status` value of
 * HTTP response certification (canister/http/response-hash.ts). Pure.
 */

/** The unsigned LEB128 bytes of a non-negative safe integer. */
export function uleb128(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`LEB128 needs a non-negative safe integer, got ${n}`);
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return Uint8Array.from(out);
}
