/** Certificates (`{tree, signature}`) and node-signed query responses, as the agent verifies them. */
import { bls12_381 } from '@noble/curves/bls12-381';
import { ed25519 } from '@noble/curves/ed25519';
import { concatBytes } from '@noble/hashes/utils';
import { hashOfMap } from '@dfinity/agent';
import { encodeCbor } from './cbor.js';
import { domainSep, fullTree, label, rootHash, type HashTree } from '../../protocol/hash-tree.js';
import { lebEncode } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';
import type { ReplicaKeys } from './replica-keys.js';

const STATE_ROOT = domainSep('ic-state-root');
const RESPONSE_DOMAIN = new TextEncoder().encode('\x0Bic-response');

/** CBOR bytes of a certificate over `tree`, signed by the replica's BLS key (min-sig). */
export function signCertificate(keys: ReplicaKeys, tree: HashTree): Uint8Array {
  const message = concatBytes(STATE_ROOT, rootHash(tree));
  const signature = bls12_381.signShortSignature(message, keys.blsSecretKey);
  return encodeCbor({ tree, signature });
}

/**
 * The certificate a canister gets from `ic0.data_certificate_copy` in a query: `time` and
 * canister/<id>/certified_data, signed like every other certificate.
 */
export function certifiedDataCertificate(keys: ReplicaKeys, now: bigint, canisterId: Principal, certifiedData: Uint8Array): Uint8Array {
  return signCertificate(keys, fullTree([
    [label('time'), lebEncode(now)],
    [label('canister'), [[canisterId.toUint8Array(), [[label('certified_data'), certifiedData]]]]],
  ]));
}

export interface NodeSignature {
  timestamp: bigint;
  signature: Uint8Array;
  identity: Uint8Array;
}

/**
 * The node signature over a query response: Ed25519 over `\x0Bic-response ‖ hashOfMap(response
 * fields + timestamp + request_id)`; the agent checks it against the node key certified under
 * subnet/<subnet_id>/node/<node_id>/public_key.
 */
export function signQueryResponse(
  keys: ReplicaKeys,
  response: Record<string, unknown>,
  requestId: Uint8Array,
  timestamp: bigint,
): NodeSignature {
  const hash = hashOfMap({ ...response, timestamp, request_id: requestId });
  return {
    timestamp,
    signature: ed25519.sign(concatBytes(RESPONSE_DOMAIN, hash), keys.nodeSecretKey),
    identity: keys.nodeId.toUint8Array(),
  };
}
