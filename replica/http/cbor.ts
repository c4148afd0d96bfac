/** CBOR for the IC HTTP interface, with the same library (and self-describing tag) the agent uses. */
import * as cbor from '@dfinity/cbor';

export function encodeCbor(value: unknown): Uint8Array {
  // The replacer keeps values as they are; callers pass plain bytes, strings, numbers, bigints.
  return cbor.encodeWithSelfDescribedTag(value as cbor.CborValue);
}

export type Decoded = { ok: true; value: unknown } | { ok: false; message: string };

export function decodeCbor(bytes: Uint8Array): Decoded {
  try {
    return { ok: true, value: cbor.decode(bytes) };
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}
