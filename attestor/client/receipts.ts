/**
 * Receipts: after `submit`, the proof that the attestation is in the log. Written next to the
 * envelope as `<envelope>.receipt.json`: the log entry, its leaf index, the RFC 9162 inclusion
 * path and the certified tree head (certificate + witness) it leads to. Checked before it is
 * written, and again by `audit`, which asks whether the entry is still in today's log.
 */
import { existsSync, readFileSync } from 'node:fs';

import { bytesEqual, bytesToHex, hexToBytes, utf8Encode } from '../../protocol/bytes.js';
import type { Opt } from '../../protocol/service.js';
import type { Receipt } from '../../protocol/certified-idl.js';
import { RFC9162_SHA256, verifyInclusion } from '../../protocol/merkle/index.js';
import { writeFileAtomic } from '../attest/files.js';
import { inputError } from '../cli/errors.js';
import { verifyTreeHead, type VerifiedHead } from '../audit/tree-head.js';
import { TrustError } from '../verify/trust-error.js';
import type { AttestationsClient } from './client.js';

export const RECEIPT_FORMAT = 'icos-attest/receipt/v1';

/** JSON shape of a receipt file (docs/cli.md). */
export interface ReceiptFile {
  format: typeof RECEIPT_FORMAT;
  canister: string;
  attestationId: string;
  leafIndex: string;
  /** The log entry (canonical JSON text; its UTF-8 bytes are the leaf data). */
  entry: string;
  /** Inclusion path in the tree of `head.size` entries, hex. */
  path: string[];
  head: { size: string; root: string; certificate: string; witness: string };
}

export const receiptPathOf = (envelopePath: string): string => `${envelopePath}.receipt.json`;

export function receiptFromCandid(r: Receipt, canister: string): ReceiptFile {
  return {
    format: RECEIPT_FORMAT,
    canister,
    attestationId: r.attestation_id.toString(),
    leafIndex: r.proof.index.toString(),
    entry: new TextDecoder().decode(new Uint8Array(r.proof.entry)),
    path: r.proof.path.map((p) => bytesToHex(new Uint8Array(p))),
    head: {
      size: r.head.head.size.toString(),
      root: bytesToHex(new Uint8Array(r.head.head.root)),
      certificate: bytesToHex(new Uint8Array(r.head.certificate)),
      witness: bytesToHex(new Uint8Array(r.head.witness))
    }
  };
}

/**
 * A receipt on its own: its head is certified (any age: a receipt is meant to be old), its entry
 * is an attestation entry with its id, and the path leads from that entry to the head's root.
 */
export async function verifyReceipt(r: ReceiptFile, rootKey: Uint8Array): Promise<VerifiedHead> {
  const head = await verifyTreeHead(
    {
      head: { size: BigInt(r.head.size), root: hexToBytes(r.head.root) },
      certificate: hexToBytes(r.head.certificate),
      witness: hexToBytes(r.head.witness)
    },
    rootKey,
    r.canister,
    null
  );
  let entry: { kind?: unknown; id?: unknown };
  try {
    entry = JSON.parse(r.entry) as typeof entry;
  } catch {
    throw new TrustError('inclusion', `receipt of attestation ${r.attestationId}: the entry is not JSON`);
  }
  if (entry.kind !== 'attestation' || entry.id !== r.attestationId) {
    throw new TrustError('inclusion', `receipt of attestation ${r.attestationId}: the entry is not that attestation's`);
  }
  const v = verifyInclusion(RFC9162_SHA256, Number(r.leafIndex), Number(head.size), leafHashOf(r.entry), r.path.map(hexToBytes), head.root);
  if (!v.ok) throw new TrustError('inclusion', `receipt of attestation ${r.attestationId}: the inclusion proof fails (${v.error.message})`);
  return head;
}

export function leafHashOf(entryText: string): Uint8Array {
  return RFC9162_SHA256.hashLeaf(utf8Encode(entryText) ?? new Uint8Array());
}

export function sameEntry(a: Uint8Array, text: string): boolean {
  return bytesEqual(a, utf8Encode(text) ?? new Uint8Array());
}

export function readReceipt(path: string): ReceiptFile {
  if (!existsSync(path)) throw inputError(`no receipt at ${path}`);
  let v: ReceiptFile;
  try {
    v = JSON.parse(readFileSync(path, 'utf8')) as ReceiptFile;
  } catch {
    throw inputError(`${path} is not a receipt (JSON)`);
  }
  if (v?.format !== RECEIPT_FORMAT || typeof v.leafIndex !== 'string' || !Array.isArray(v.path) || !v.head) throw inputError(`${path} is not an ${RECEIPT_FORMAT} file`);
  return v;
}

/** Fetches, checks and writes the receipt of a stored attestation next to its envelope; returns the file's path. */
export async function saveReceipt(client: AttestationsClient, envelopePath: string, attestationId: bigint): Promise<string> {
  const got = await client.call<Opt<Receipt>>('get_receipt', attestationId);
  if (got.length === 0) throw new TrustError('inclusion', `the canister gives no receipt for attestation ${attestationId}, which it just stored`);
  const receipt = receiptFromCandid(got[0], client.canisterId);
  const rootKey = client.agent.rootKey;
  if (!rootKey) throw new TrustError('root-key', 'no root key to check the receipt with');
  await verifyReceipt(receipt, new Uint8Array(rootKey));
  const path = receiptPathOf(envelopePath);
  writeFileAtomic(path, `${JSON.stringify(receipt, null, 2)}\n`);
  return path;
}
