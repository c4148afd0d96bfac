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

/** JSON shape of one envelope that was not stored, and why. */
export interface FailedEnvelope {
  path: string;
  proposal: string;
  os: string;
  /** `canister`: refused (exit 2); `network`: no answer after retries (exit 3); `not-sent`: skipped after a network failure. */
  error: { kind: 'canister' | 'network' | 'not-sent'; message: string };
}

export interface SubmitJson {
  canister: string;
  reviewer: { principal: string; registered: boolean };
  submitted: SubmittedEnvelope[];
  /** Envelopes not stored (an addition: absent from older output means none failed). */
  failed: FailedEnvelope[];
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
    if (!parsed.ok) throw inputError(`${path}: not a valid envelope (${parsed.error.message}); nothing was sent`);
    const keyid = parsed.value.signatures[0]?.keyid;
    if (keyid !== principal) {
      throw inputError(`${path} is signed by ${keyid}, but the selected identity is ${principal}; pass --identity/--pem of the signer (nothing was sent)`);
    }
    let statement: { predicate?: { proposal?: string; os?: string } } = {};
    try {
      statement = JSON.parse(Buffer.from(parsed.value.payload, 'base64').toString('utf8'));
    } catch {
      throw inputError(`${path}: the payload is not JSON; nothing was sent`);
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
  const failed: FailedEnvelope[] = [];
  // Every envelope gets an outcome: a refusal does not stop the others; after a network failure
  // (already retried) the rest are reported as not sent.
  for (const e of envelopes) {
    const where = { path: e.path, proposal: e.proposal, os: e.os };
    if (failed.some((f) => f.error.kind === 'network')) {
      failed.push({ ...where, error: { kind: 'not-sent', message: 'not sent: the canister could not be reached for an earlier envelope' } });
      continue;
    }
    try {
      const res = await client.callWithRetry<Result<bigint>>('submit_attestation', [e.envelope], opts.retry);
      const attId = unwrapResult<bigint>(res, 'submit_attestation');
      submitted.push({ ...where, id: attId.toString(), receipt: await saveReceipt(client, e.path, attId) });
    } catch (err) {
      if (!(err instanceof CliError) || (err.kind !== 'canister' && err.kind !== 'network')) throw err;
      failed.push({ ...where, error: { kind: err.kind, message: err.message } });
    }
  }
  return { canister: client.canisterId, reviewer: { principal: id.principal, registered }, submitted, failed };
}

/** The error a submit with failures ends with (after its output said what was stored), or null. */
export function submitFailure(res: SubmitJson): CliError | null {
  if (res.failed.length === 0) return null;
  const total = res.submitted.length + res.failed.length;
  const first = res.failed[0]!;
  const kind = res.failed.some((f) => f.error.kind === 'network') ? 'network' : 'canister';
  const stored = res.submitted.length > 0 ? `${res.submitted.length} stored (${res.submitted.map((s) => `${s.path}: id ${s.id}`).join(', ')}), ` : '';
  return new CliError(kind, `${stored}${res.failed.length} of ${total} not stored: ${first.path}: ${first.error.message}`, { failed: res.failed });
}
