/**
 * The append-only transparency log (RFC 9162) in stable memory. Only perfect subtree nodes are
 * stored, keyed level ‖ index, so an append writes 1 + (trailing ones of size) nodes and never
 * rewrites one; roots and proofs of any size are computed from them (protocol/merkle/).
 */
import { StableBTreeMap } from 'azle';
import { concatBytes } from '../../protocol/bytes.js';
import { consistencyProof, inclusionProof, RFC9162_SHA256, appendNodes, root, type NodeGetter } from '../../protocol/merkle/index.js';
import { bytesKey, u64Bytes, u64Key } from '../store/codec.js';
import type { Serializable } from '../store/codec.js';

export const LOG_MEMORY = { nodes: 13, entries: 14 } as const;

const rawValue: Serializable<Uint8Array> = { toBytes: (b) => b, fromBytes: (b) => Uint8Array.from(b) };

export interface Log {
  nodes: StableBTreeMap<Uint8Array, Uint8Array>;
  entries: StableBTreeMap<bigint, Uint8Array>;
}

let opened: Log | null = null;

export function openLog(): Log {
  opened ??= {
    nodes: new StableBTreeMap(LOG_MEMORY.nodes, bytesKey, rawValue),
    entries: new StableBTreeMap(LOG_MEMORY.entries, u64Key, rawValue)
  };
  return opened;
}

const nodeKey = (level: number, index: number): Uint8Array => concatBytes(Uint8Array.of(level), u64Bytes(BigInt(index)));

const getter = (log: Log): NodeGetter => (level, index) => log.nodes.get(nodeKey(level, index));

export function logSize(log: Log): number {
  return Number(log.entries.len());
}

/** The root of the current tree, cached per size (an append changes it; queries only read). */
let cachedRoot: { size: number; root: Uint8Array } | null = null;

export function logRoot(log: Log): Uint8Array {
  const size = logSize(log);
  if (cachedRoot === null || cachedRoot.size !== size) cachedRoot = { size, root: root(RFC9162_SHA256, size, getter(log)) };
  return cachedRoot.root;
}

/** Appends one entry; returns its index and leaf hash. */
export function appendEntry(log: Log, entry: Uint8Array): { index: number; leafHash: Uint8Array } {
  const index = logSize(log);
  const leafHash = RFC9162_SHA256.hashLeaf(entry);
  for (const n of appendNodes(RFC9162_SHA256, index, leafHash, getter(log))) log.nodes.insert(nodeKey(n.level, n.index), n.hash);
  log.entries.insert(BigInt(index), entry);
  // The new root from the stored nodes: O(log n) reads and hashes.
  cachedRoot = { size: index + 1, root: root(RFC9162_SHA256, index + 1, getter(log)) };
  return { index, leafHash };
}

export function entryAt(log: Log, index: number): Uint8Array | undefined {
  return log.entries.get(BigInt(index));
}

export function inclusionPath(log: Log, index: number, size: number): Uint8Array[] {
  return inclusionProof(RFC9162_SHA256, index, size, getter(log));
}

export function consistencyPath(log: Log, from: number, to: number): Uint8Array[] {
  return consistencyProof(RFC9162_SHA256, from, to, getter(log));
}
