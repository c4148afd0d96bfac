/**
 * `audit --mirror <dir>`: the whole log on disk (log.jsonl, one {index, entry} per line), every
 * leaf re-hashed and the RFC 9162 root recomputed, then every attestation entry held against the
 * envelope the canister serves (its digest recomputed from the signed envelope and the key the
 * log registered for that reviewer).
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { bytesEqual, bytesToHex, hexToBytes } from '../../protocol/bytes.js';
import type { LogEntry } from '../../protocol/certified-idl.js';
import { verifyEnvelope } from '../../protocol/index.js';
import { RFC9162_SHA256 } from '../../protocol/merkle/index.js';
import { fromCandidEnvelope, type Attestation, type AttestationPage, type Opt } from '../../protocol/service.js';
import { writeFileAtomic } from '../attest/files.js';
import type { AttestationsClient } from '../client/client.js';
import type { VerifiedHead } from './tree-head.js';

const PAGE = 1000;

/** MTH over leaf hashes (RFC 9162 §2.1.1), the plain recursive definition. */
export function merkleRoot(leaves: Uint8Array[]): Uint8Array {
  const h = RFC9162_SHA256;
  const mth = (lo: number, hi: number): Uint8Array => {
    if (hi - lo === 0) return h.emptyRoot();
    if (hi - lo === 1) return leaves[lo]!;
    let k = 1;
    while (k * 2 < hi - lo) k *= 2;
    return h.hashChildren(mth(lo, lo + k), mth(lo + k, hi));
  };
  return mth(0, leaves.length);
}

export interface MirrorJson {
  dir: string;
  entries: number;
  root: string;
  rootMatches: boolean;
  attestationsChecked: number;
  problems: string[];
}

export async function fetchLog(client: AttestationsClient, size: bigint, onProgress: (done: number) => void): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  while (BigInt(out.length) < size) {
    const page = await client.call<LogEntry[]>('get_log_entries', BigInt(out.length), PAGE);
    if (page.length === 0) break;
    for (const e of page) {
      if (BigInt(out.length) >= size) break;
      out.push({ index: e.index, entry: new Uint8Array(e.entry) });
    }
    onProgress(out.length);
  }
  return out;
}

async function fetchAllAttestations(client: AttestationsClient): Promise<Attestation[]> {
  const out: Attestation[] = [];
  let cursor: Opt<bigint> = [];
  for (;;) {
    const page: AttestationPage = await client.call<AttestationPage>('list_attestations', { proposal: [], os: [], reviewer: [], include_revoked: true }, cursor, 100);
    out.push(...page.attestations);
    if (page.next_cursor.length === 0 || page.attestations.length === 0) break;
    cursor = page.next_cursor;
  }
  return out;
}

export async function mirrorLog(client: AttestationsClient, head: VerifiedHead, dirText: string, onProgress: (done: number) => void): Promise<MirrorJson> {
  const dir = resolve(dirText);
  const problems: string[] = [];
  const entries = await fetchLog(client, head.size, onProgress);
  if (BigInt(entries.length) !== head.size) problems.push(`the log answered ${entries.length} entries, ${head.size} are certified (omitted)`);
  entries.forEach((e, i) => {
    if (e.index !== BigInt(i)) problems.push(`log entry at position ${i} is labelled ${e.index}`);
  });
  mkdirSync(dir, { recursive: true });
  const text = new TextDecoder();
  writeFileAtomic(join(dir, 'log.jsonl'), entries.map((e) => `${JSON.stringify({ index: e.index.toString(), entry: text.decode(e.entry) })}\n`).join(''));
  const root = merkleRoot(entries.map((e) => RFC9162_SHA256.hashLeaf(e.entry)));
  const rootMatches = bytesEqual(root, head.root);
  if (!rootMatches) problems.push(`the mirrored log hashes to ${bytesToHex(root).slice(0, 16)}…, the certified root is ${bytesToHex(head.root).slice(0, 16)}… (an entry was altered)`);
  writeFileAtomic(join(dir, 'head.json'), `${JSON.stringify({ size: head.size.toString(), root: bytesToHex(head.root), certificateTimeNs: head.timeNs.toString() }, null, 2)}\n`);

  // Attestation entries against the envelopes, with the keys the log itself registered.
  const keys = new Map<string, string>();
  const logged = new Map<string, { digest: string; index: number }>();
  entries.forEach((e, i) => {
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(text.decode(e.entry)) as Record<string, unknown>;
    } catch {
      problems.push(`log entry ${i} is not JSON`);
      return;
    }
    if (v.kind === 'reviewer') keys.set(String(v.principal), String(v.public_key));
    if (v.kind === 'attestation') logged.set(String(v.id), { digest: String(v.digest), index: i });
  });
  const served = await fetchAllAttestations(client);
  let checked = 0;
  for (const a of served) {
    const id = a.id.toString();
    const entry = logged.get(id);
    if (!entry) {
      problems.push(`attestation ${id} is served but has no log entry`);
      continue;
    }
    logged.delete(id);
    const key = keys.get(a.reviewer.toText());
    const v = key ? verifyEnvelope(fromCandidEnvelope(a.envelope), hexToBytes(key)) : null;
    if (!v || !v.ok) problems.push(`attestation ${id}: the envelope does not verify with the key the log registered for ${a.reviewer.toText()}`);
    else if (v.value.digest !== entry.digest) problems.push(`attestation ${id}: the envelope's digest is not the one in log entry ${entry.index} (altered)`);
    else checked++;
  }
  for (const [id, e] of logged) problems.push(`attestation ${id} is in log entry ${e.index} but is not served (omitted)`);
  return { dir, entries: entries.length, root: bytesToHex(root), rootMatches, attestationsChecked: checked, problems };
}
