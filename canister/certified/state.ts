/**
 * The canister's certified state: one IC hash tree whose root is `certified_data`, so the
 * subnet's threshold signature over the state tree covers all of it.
 *
 *   http_expr → …                          dashboard responses (canister/http/certification.ts)
 *   log       → root → leaf(32 bytes), size → leaf(u64 BE)
 *   proposals → <u64 BE id> → events → leaf(u64 BE count ‖ 32-byte chain)
 *                             report → leaf(sha256 of the materialised report's bytes)
 *
 * A proposal's events and report move together, when its report is materialised: the events
 * certified are exactly those the certified report reflects. The log head moves at every change.
 *
 * The tree lives on the heap with cached hashes (rebuilt from stable memory after an upgrade);
 * a write rehashes only its own path, a query only cuts a witness out of it.
 */
import { certifiedDataSet } from 'azle';
import { asciiBytes, concatBytes, hexToBytes } from '../../protocol/bytes.js';
import { encodeHashTree } from '../../protocol/cbor.js';
import type { HashTree } from '../../protocol/hash-tree.js';
import { u64Bytes } from '../store/codec.js';
import type { StoredProposal } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { CertifiedMap } from './map.js';
import { EMPTY, labeled, leaf, level, witness, type Node, type Path } from './tree.js';

export const LABEL = {
  httpExpr: asciiBytes('http_expr'),
  log: asciiBytes('log'),
  root: asciiBytes('root'),
  size: asciiBytes('size'),
  proposals: asciiBytes('proposals'),
  events: asciiBytes('events'),
  report: asciiBytes('report')
} as const;

const proposals = new CertifiedMap();
let logNode: Node = EMPTY;
let httpNode: Node = EMPTY;
let rootNode: Node = EMPTY;

/** A proposal's certified values: the event count and chain its report reflects, and the report's hash. */
export function proposalNode(meta: StoredProposal): Node {
  return level([
    labeled(LABEL.events, leaf(concatBytes(u64Bytes(BigInt(meta.report_events)), hexToBytes(meta.report_chain)))),
    labeled(LABEL.report, leaf(meta.report_sha256 === '' ? new Uint8Array(0) : hexToBytes(meta.report_sha256)))
  ]);
}

export function setProposal(meta: StoredProposal): void {
  proposals.set(u64Bytes(meta.proposal), proposalNode(meta));
}

export function setLogHead(size: number, root: Uint8Array): void {
  logNode = level([labeled(LABEL.root, leaf(root)), labeled(LABEL.size, leaf(u64Bytes(BigInt(size))))]);
}

export function setHttpTree(node: Node): void {
  httpNode = node;
}

/** Recomposes the root (three labels, a handful of hashes) and hands it to the IC. */
export function commit(): void {
  rootNode = level([labeled(LABEL.httpExpr, httpNode), labeled(LABEL.log, logNode), labeled(LABEL.proposals, proposals.node())]);
  certifiedDataSet(rootNode.h);
}

/** After an upgrade: the heap tree again from what stable memory holds (O(proposals)). */
export function rebuildProposals(store: Store): void {
  const total = Number(store.proposals.len());
  for (let start = 0; start < total; start += 200) for (const meta of store.proposals.values(start, 200)) setProposal(meta);
}

export function certifiedRoot(): Node {
  return rootNode;
}

/** A pruned tree revealing `paths` (label paths from the root). */
export function witnessTree(paths: Path[]): HashTree {
  return witness(rootNode, paths);
}

export function witnessBytes(paths: Path[]): Uint8Array {
  return encodeHashTree(witnessTree(paths));
}

export const logPaths = (): Path[] => [[LABEL.log, LABEL.root], [LABEL.log, LABEL.size]];
export const proposalPaths = (proposal: bigint): Path[] => [
  [LABEL.proposals, u64Bytes(proposal), LABEL.events],
  [LABEL.proposals, u64Bytes(proposal), LABEL.report]
];
