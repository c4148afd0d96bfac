/**
 * Candid shapes of the certified reads (canister/certified/): the log's tree head, entries and
 * proofs, receipts, and a proposal's report with its certified event list. Each certified answer
 * carries the query's data certificate and a CBOR hash-tree witness (protocol/hash-tree.ts).
 */
import { IDL } from '@dfinity/candid';

const ServiceErrorIdl = IDL.Record({ kind: IDL.Text, message: IDL.Text, field: IDL.Opt(IDL.Text) });

export const TreeHeadIdl = IDL.Record({ size: IDL.Nat64, root: IDL.Vec(IDL.Nat8) });
export const CertifiedTreeHeadIdl = IDL.Record({ head: TreeHeadIdl, certificate: IDL.Vec(IDL.Nat8), witness: IDL.Vec(IDL.Nat8) });
export const LogEntryIdl = IDL.Record({ index: IDL.Nat64, entry: IDL.Vec(IDL.Nat8) });
export const InclusionProofIdl = IDL.Record({
  index: IDL.Nat64,
  tree_size: IDL.Nat64,
  entry: IDL.Vec(IDL.Nat8),
  path: IDL.Vec(IDL.Vec(IDL.Nat8))
});
export const InclusionProofResultIdl = IDL.Variant({ Ok: InclusionProofIdl, Err: ServiceErrorIdl });
export const ConsistencyProofResultIdl = IDL.Variant({ Ok: IDL.Vec(IDL.Vec(IDL.Nat8)), Err: ServiceErrorIdl });
export const ReceiptIdl = IDL.Record({ attestation_id: IDL.Nat64, proof: InclusionProofIdl, head: CertifiedTreeHeadIdl });
export const ProposalEventIdl = IDL.Record({ leaf_index: IDL.Nat64, entry: IDL.Vec(IDL.Nat8) });
export const CertifiedReportIdl = IDL.Record({
  proposal: IDL.Nat64,
  report_json: IDL.Opt(IDL.Text),
  events: IDL.Vec(ProposalEventIdl),
  event_count: IDL.Nat64,
  certificate: IDL.Vec(IDL.Nat8),
  witness: IDL.Vec(IDL.Nat8)
});

export const CERTIFIED_METHODS = {
  get_tree_head: { args: [], ret: CertifiedTreeHeadIdl, query: true },
  get_log_entries: { args: [IDL.Nat64, IDL.Nat32], ret: IDL.Vec(LogEntryIdl), query: true },
  get_inclusion_proof: { args: [IDL.Nat64, IDL.Nat64], ret: InclusionProofResultIdl, query: true },
  get_consistency_proof: { args: [IDL.Nat64, IDL.Nat64], ret: ConsistencyProofResultIdl, query: true },
  get_receipt: { args: [IDL.Nat64], ret: IDL.Opt(ReceiptIdl), query: true },
  certified_report: { args: [IDL.Nat64, IDL.Nat64, IDL.Nat32], ret: CertifiedReportIdl, query: true }
} as const;

export interface TreeHead {
  size: bigint;
  root: Uint8Array;
}
export interface CertifiedTreeHead {
  head: TreeHead;
  certificate: Uint8Array;
  witness: Uint8Array;
}
export interface LogEntry {
  index: bigint;
  entry: Uint8Array;
}
export interface InclusionProof {
  index: bigint;
  tree_size: bigint;
  entry: Uint8Array;
  path: Uint8Array[];
}
export interface Receipt {
  attestation_id: bigint;
  proof: InclusionProof;
  head: CertifiedTreeHead;
}
export interface ProposalEvent {
  leaf_index: bigint;
  entry: Uint8Array;
}
export interface CertifiedReport {
  proposal: bigint;
  report_json: [] | [string];
  events: ProposalEvent[];
  event_count: bigint;
  certificate: Uint8Array;
  witness: Uint8Array;
}

/** The certified reads as @dfinity/agent's actor exposes them. */
export interface CertifiedService {
  get_tree_head(): Promise<CertifiedTreeHead>;
  get_log_entries(start: bigint, limit: number): Promise<LogEntry[]>;
  get_inclusion_proof(index: bigint, treeSize: bigint): Promise<{ Ok: InclusionProof } | { Err: { kind: string; message: string; field: [] | [string] } }>;
  get_consistency_proof(from: bigint, to: bigint): Promise<{ Ok: Uint8Array[] } | { Err: { kind: string; message: string; field: [] | [string] } }>;
  get_receipt(attestationId: bigint): Promise<[] | [Receipt]>;
  certified_report(proposal: bigint, eventsStart: bigint, eventsLimit: number): Promise<CertifiedReport>;
}
