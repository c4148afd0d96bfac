/**
 * The tree heads this machine has seen, per canister, in a small JSON file: the memory that lets
 * a client notice a rollback (a smaller log, an older certificate) or a rewrite (same size,
 * another root). Written atomically, and only after the new head checked out.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import { sha256 } from '@noble/hashes/sha2';

import { bytesToHex } from '../../protocol/bytes.js';
import { writeFileAtomic } from '../attest/files.js';
import { inputError } from '../cli/errors.js';

export interface SeenHead {
  size: string;
  root: string;
  certificateTimeNs: string;
  seenAt: string;
}

export interface HeadsFile {
  format: 'icos-attest/tree-heads/v1';
  canister: string;
  heads: SeenHead[];
}

/** Enough history to show when things changed; the latest is what every check compares with. */
const KEEP = 200;

/**
 * One file per canister AND root key: canister ids repeat across local replicas (every fresh one
 * hands out the same first id), while a replica keeps its root key across restarts (so a restored
 * state is still compared with what this replica certified before).
 */
export function defaultHeadsPath(stateDir: string, canister: string, rootKey: Uint8Array): string {
  const network = bytesToHex(sha256(rootKey)).slice(0, 16);
  return join(resolve(stateDir), 'tree-heads', `${canister}-${network}.json`);
}

export function readHeads(path: string, canister: string): HeadsFile {
  if (!existsSync(path)) return { format: 'icos-attest/tree-heads/v1', canister, heads: [] };
  let v: HeadsFile;
  try {
    v = JSON.parse(readFileSync(path, 'utf8')) as HeadsFile;
  } catch {
    throw inputError(`${path} is not a tree-heads file (JSON)`);
  }
  if (v.format !== 'icos-attest/tree-heads/v1' || !Array.isArray(v.heads)) throw inputError(`${path} is not a tree-heads file`);
  if (v.canister !== canister) throw inputError(`${path} holds the tree heads of canister ${v.canister}, not ${canister}`);
  return v;
}

export function latestHead(f: HeadsFile): SeenHead | null {
  return f.heads.length > 0 ? f.heads[f.heads.length - 1]! : null;
}

export function recordHead(path: string, f: HeadsFile, head: Omit<SeenHead, 'seenAt'>): void {
  const last = latestHead(f);
  const seen = { ...head, seenAt: new Date().toISOString() };
  // The same tree seen again: only the newest time matters (older certificates are replays).
  const same = last !== null && last.size === head.size && last.root === head.root;
  if (same && BigInt(last.certificateTimeNs) >= BigInt(head.certificateTimeNs)) return;
  const heads = [...(same ? f.heads.slice(0, -1) : f.heads), seen].slice(-KEEP);
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, `${JSON.stringify({ ...f, heads }, null, 2)}\n`);
}
