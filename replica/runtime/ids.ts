/** Canister ids as a local replica assigns them: a big-endian u64 counter followed by 0x01 0x01. */
import { Principal } from '@dfinity/principal';

/** The first id dfx's local replica hands out (bkyz2-fmaaa-aaaaa-qaaaq-cai). */
export const FIRST_LOCAL_CANISTER_INDEX = 0x8000000000100001n;

export function canisterIdFromIndex(index: bigint): Principal {
  const bytes = new Uint8Array(10);
  new DataView(bytes.buffer).setBigUint64(0, index);
  bytes[8] = 1;
  bytes[9] = 1;
  return Principal.fromUint8Array(bytes);
}

export const MANAGEMENT_CANISTER = Principal.fromText('aaaaa-aa');
