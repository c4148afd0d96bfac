/**
 * The certified state this replica exposes, as labeled data (interface spec, "The system state
 * tree"): time, request_status, canister/<id>/{module_hash, controllers, metadata/<name>}, and
 * subnet/<id>/{public_key, canister_ranges, node/<node_id>/public_key}.
 */
import { lebEncode } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';
import { encodeCbor } from './cbor.js';
import { label, type StateChildren, type StateNode } from '../../protocol/hash-tree.js';
import type { ReplicaKeys } from './replica-keys.js';
import type { RequestEntry } from './request-status.js';
import type { ServedRuntime } from './runtime-port.js';

/** Every canister id (8 bytes + 0x01 0x01) lies in this range; the agent checks it for node keys. */
export const CANISTER_RANGE: [Uint8Array, Uint8Array] = [
  new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 1, 1]),
  new Uint8Array([255, 255, 255, 255, 255, 255, 255, 255, 1, 1]),
];

export const PUBLIC_SECTION_PREFIX = 'icp:public ';

export function timeNode(now: bigint): Uint8Array {
  return lebEncode(now);
}

export function requestStatusNode(e: RequestEntry): StateNode {
  const r = e.result;
  if (!r) return [[label('status'), label('processing')]];
  if (r.kind === 'replied') return [[label('status'), label('replied')], [label('reply'), r.reply]];
  return [
    [label('status'), label('rejected')],
    [label('reject_code'), lebEncode(r.code)],
    [label('reject_message'), label(r.message)],
    [label('error_code'), label(r.errorCode)],
  ];
}

export function subnetNode(keys: ReplicaKeys): StateNode {
  return [
    [
      keys.subnetId.toUint8Array(),
      [
        [label('public_key'), keys.rootKey],
        [label('canister_ranges'), encodeCbor([CANISTER_RANGE])],
        [label('node'), [[keys.nodeId.toUint8Array(), [[label('public_key'), keys.nodePublicKeyDer]]]]],
      ],
    ],
  ];
}

/** Public custom sections, named without the `icp:public ` prefix (as read_state paths name them). */
export function publicMetadata(runtime: ServedRuntime, id: Principal): Array<[string, Uint8Array]> {
  const info = runtime.canisterInfo(id);
  if (!info) return [];
  const out: Array<[string, Uint8Array]> = [];
  for (const name of info.publicCustomSectionNames) {
    const bytes = info.customSection(PUBLIC_SECTION_PREFIX + name);
    if (bytes) out.push([name, bytes]);
  }
  return out;
}

export function canisterNode(runtime: ServedRuntime, id: Principal): StateNode | null {
  const info = runtime.canisterInfo(id);
  if (!info) return null;
  const children: StateChildren = [
    [label('certified_data'), runtime.certifiedData(id)],
    [label('controllers'), encodeCbor(info.controllers.map((p) => p.toUint8Array()))],
  ];
  if (info.moduleHash) children.push([label('module_hash'), info.moduleHash]);
  const metadata = publicMetadata(runtime, id);
  if (metadata.length > 0) children.push([label('metadata'), metadata.map(([n, b]) => [label(n), b] as [Uint8Array, StateNode])]);
  return children;
}

export interface StateSources {
  now: bigint;
  keys: ReplicaKeys;
  runtime: ServedRuntime;
  requests: Iterable<RequestEntry>;
}

export function stateTree(s: StateSources): StateNode {
  const canisters: StateChildren = [];
  for (const id of s.runtime.canisterIds()) {
    const node = canisterNode(s.runtime, id);
    if (node) canisters.push([id.toUint8Array(), node]);
  }
  const requests: StateChildren = [];
  for (const e of s.requests) requests.push([e.requestId, requestStatusNode(e)]);
  return [
    [label('time'), timeNode(s.now)],
    [label('canister'), canisters],
    [label('request_status'), requests],
    [label('subnet'), subnetNode(s.keys)],
  ];
}
