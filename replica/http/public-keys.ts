/**
 * Public keys a request may be signed with (DER as the agent sends them) and their signature check.
 * Ed25519 signs the message itself; ECDSA (secp256k1, P-256) signs SHA-256(message), 64-byte r‖s,
 * which is what @dfinity/identity and @dfinity/identity-secp256k1 produce.
 */
import { ed25519 } from '@noble/curves/ed25519';
import { secp256k1 } from '@noble/curves/secp256k1';
import { p256 } from '@noble/curves/nist';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils';

export type KeyType = 'ed25519' | 'secp256k1' | 'p256';
export type PublicKey = { type: KeyType; raw: Uint8Array };

const PREFIXES: Array<[KeyType, Uint8Array, number]> = [
  ['ed25519', hexToBytes('302a300506032b6570032100'), 32],
  ['secp256k1', hexToBytes('3056301006072a8648ce3d020106052b8104000a034200'), 65],
  ['p256', hexToBytes('3059301306072a8648ce3d020106082a8648ce3d030107034200'), 65],
];

export type ParsedKey = { ok: true; key: PublicKey } | { ok: false; message: string };

export function parsePublicKey(der: Uint8Array): ParsedKey {
  for (const [type, prefix, len] of PREFIXES) {
    if (der.length === prefix.length + len && prefix.every((b, i) => der[i] === b)) {
      return { ok: true, key: { type, raw: der.slice(prefix.length) } };
    }
  }
  return {
    ok: false,
    message: `Unsupported public key: ${bytesToHex(der)} (this replica accepts Ed25519, ECDSA secp256k1 and ECDSA P-256 keys in DER)`,
  };
}

export function verifySignature(key: PublicKey, signature: Uint8Array, message: Uint8Array): boolean {
  try {
    switch (key.type) {
      case 'ed25519':
        return signature.length === 64 && ed25519.verify(signature, message, key.raw);
      case 'secp256k1':
        return signature.length === 64 &&
          secp256k1.verify(signature, sha256(message), key.raw, { prehash: false, lowS: false });
      case 'p256':
        return signature.length === 64 &&
          p256.verify(signature, sha256(message), key.raw, { prehash: false, lowS: false });
    }
  } catch {
    return false; // malformed point or signature bytes
  }
}
