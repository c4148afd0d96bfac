/**
 * The replica's keys: a BLS12-381 key that signs certificates (min-sig, as the agent verifies them;
 * its DER public key is the root key), and an Ed25519 node key that signs query responses. The
 * node key is derived from the BLS secret, so a replica restarted with the same secret keeps its
 * subnet id, node id and root key.
 */
import { bls12_381 } from '@noble/curves/bls12-381';
import { ed25519 } from '@noble/curves/ed25519';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, concatBytes, hexToBytes } from '@noble/hashes/utils';
import { Principal } from '@dfinity/principal';

/** DER prefix of a BLS12-381 G2 public key, exactly as the agent expects it. */
export const BLS_DER_PREFIX = hexToBytes('308182301d060d2b0601040182dc7c0503010201060c2b0601040182dc7c05030201036100');
const ED25519_DER_PREFIX = hexToBytes('302a300506032b6570032100');

export interface ReplicaKeys {
  blsSecretKey: Uint8Array;
  /** DER-encoded BLS public key: what `/api/v2/status` reports as root_key. */
  rootKey: Uint8Array;
  /** On a local replica without delegation the agent takes the subnet id to be selfAuthenticating(rootKey). */
  subnetId: Principal;
  nodeSecretKey: Uint8Array;
  nodePublicKeyDer: Uint8Array;
  nodeId: Principal;
}

export type KeysResult = { ok: true; keys: ReplicaKeys } | { ok: false; kind: 'invalid-identity-key'; message: string };

export function replicaKeys(identityKey?: Uint8Array): KeysResult {
  const secret = identityKey ?? bls12_381.utils.randomSecretKey();
  let g2: Uint8Array;
  try {
    if (secret.length !== 32) throw new Error(`expected 32 bytes, got ${secret.length}`);
    // noble reduces out-of-range scalars silently; a stored key must be a proper one.
    const scalar = BigInt('0x' + bytesToHex(secret));
    if (scalar === 0n || scalar >= bls12_381.fields.Fr.ORDER) throw new Error('not a scalar in [1, r-1]');
    g2 = bls12_381.getPublicKeyForShortSignatures(secret);
  } catch (e) {
    return {
      ok: false,
      kind: 'invalid-identity-key',
      message: `The replica identity key is not a BLS12-381 secret key (${e instanceof Error ? e.message : String(e)}); delete the stored key to make a new one (the root key will change).`,
    };
  }
  const rootKey = concatBytes(BLS_DER_PREFIX, g2);
  const nodeSecretKey = sha256(concatBytes(new TextEncoder().encode('icos-attest replica node key'), secret));
  const nodePublicKeyDer = concatBytes(ED25519_DER_PREFIX, ed25519.getPublicKey(nodeSecretKey));
  return {
    ok: true,
    keys: {
      blsSecretKey: new Uint8Array(secret),
      rootKey,
      subnetId: Principal.selfAuthenticating(rootKey),
      nodeSecretKey,
      nodePublicKeyDer,
      nodeId: Principal.selfAuthenticating(nodePublicKeyDer),
    },
  };
}
