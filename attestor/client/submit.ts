/** `submit`: register the reviewer if needed, then send each envelope (retried, idempotent). */
import { Principal } from '@dfinity/principal';

import { parseEnvelope } from '../../protocol/index.js';
import { toCandidEnvelope, type Opt, type Result, type Reviewer } from '../../protocol/service.js';
import { CliError, inputError } from '../cli/errors.js';
import type { LoadedIdentity } from '../identity/load.js';
import { readEnvelopeFile } from '../attest/files.js';
import type { AttestationsClient } from './client.js';
import { unwrapResult } from './client.js';
import type { RetryOptions } from './retry.js';
import { saveReceipt } from './receipts.js';

/** JSON shape of one submitted envelope. */
export interface SubmittedEnvelope {
  path: string;
  id: string;
  proposal: string;
  os: string;
  /** `<envelope>.receipt.json`: inclusion proof + certified tree head (client/receipts.ts). */
  receipt?: string;
}

export interface SubmitJson {
  canister: string;
  reviewer: { principal: string; registered: boolean };
  submitted: SubmittedEnvelope[];
}

export async function ensureRegistered(client: AttestationsClient, id: LoadedIdentity, name?: string): Promise<boolean> {
  const principal = Principal.fromText(id.principal);
  const existing = await client.call<Opt<Reviewer>>('get_reviewer', principal);
  if (existing.length > 0) return false;
  const publicKey = new Uint8Array(id.agentIdentity.getPublicKey().toDer());
  const profile = { name: name ?? id.name ?? id.principal.slice(0, 11), public_key: publicKey, contact: [] as [] };
  try {
    unwrapResult(await client.callWithRetry<Result<Reviewer>>('register_reviewer', [profile]), 'register_reviewer');
  } catch (err) {
    // A retried registration whose first reply was lost: the reviewer now exists, which is what we wanted.
    const again = await client.call<Opt<Reviewer>>('get_reviewer', principal);
    if (again.length > 0) return true;
    throw err;
  }
  return true;
}

export interface LoadedEnvelope {
  path: string;
  envelope: ReturnType<typeof toCandidEnvelope>;
  proposal: string;
  os: string;
}

/** Reads and checks every envelope before anything is sent; refuses one signed by another key. */
export function loadEnvelopes(paths: string[], principal: string): LoadedEnvelope[] {
  return paths.map((path) => {
    const raw = readEnvelopeFile(path);
    const parsed = parseEnvelope(JSON.stringify(raw));
    if (!parsed.ok) throw inputError(`${path}: not a valid envelope (${parsed.error.message})`);
    const keyid = parsed.value.signatures[0]?.keyid;
    if (keyid !== principal) {
      throw inputError(`${path} is signed by ${keyid}, but the selected identity is ${principal}; pass --identity/--pem of the signer`);
    }
    let statement: { predicate?: { proposal?: string; os?: string } } = {};
    try {
      statement = JSON.parse(Buffer.from(parsed.value.payload, 'base64').toString('utf8'));
    } catch {
      throw inputError(`${path}: the payload is not JSON`);
    }
    return { path, envelope: toCandidEnvelope(parsed.value), proposal: String(statement.predicate?.proposal ?? '?'), os: String(statement.predicate?.os ?? '?') };
  });
}

export async function submitEnvelopes(
  client: AttestationsClient,
  id: LoadedIdentity,
  envelopes: LoadedEnvelope[],
  opts: { name?: string; retry?: RetryOptions } = {}
): Promise<SubmitJson> {
  const registered = await ensureRegistered(client, id, opts.name);
  const submitted: SubmittedEnvelope[] = [];
  for (const e of envelopes) {
    try {
      const res = await client.callWithRetry<Result<bigint>>('submit_attestation', [e.envelope], opts.retry);
      const attId = unwrapResult<bigint>(res, 'submit_attestation');
      submitted.push({ path: e.path, id: attId.toString(), proposal: e.proposal, os: e.os, receipt: await saveReceipt(client, e.path, attId) });
    } catch (err) {
      if (err instanceof CliError && err.kind === 'canister') throw new CliError('canister', `${e.path}: ${err.message}`, err.detail);
      throw err;
    }
  }
  return { canister: client.canisterId, reviewer: { principal: id.principal, registered }, submitted };
}
