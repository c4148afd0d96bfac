/**
 * A verification failure: something a replica, proxy or canister said does not check out against
 * the root key or against what we saw before. Always exit 1, never a usage or network error, and
 * matched by `instanceof`, never by name. `check` names which check failed (in --json `detail`).
 */
import { TrustError as AgentTrustError } from '@dfinity/agent';

import { CliError } from '../cli/errors.js';

export type TrustCheck =
  | 'root-key' // a certificate or node signature does not verify against the root key
  | 'certificate' // missing, malformed, stale or for another canister
  | 'witness' // the hash tree does not match the certified data, or lacks a path
  | 'report' // the report is not the certified one
  | 'events' // a proposal's certified event chain does not match what was listed
  | 'attestation' // an envelope is missing, added, altered or mis-signed
  | 'governance' // the elected hash could not be read with a certified governance call
  | 'rollback' // the log is smaller or older than one seen before
  | 'consistency' // a newer tree head does not extend an older one
  | 'inclusion' // a receipt's entry is no longer in the log
  | 'log'; // a mirrored log does not hash to its certified root

export class TrustError extends CliError {
  readonly check: TrustCheck;

  constructor(check: TrustCheck, message: string, options: { cause?: unknown; detail?: Record<string, unknown> } = {}) {
    super('verification', message, { check, ...options.detail });
    this.check = check;
    if (options.cause !== undefined) Object.defineProperty(this, 'cause', { value: options.cause, enumerable: false });
  }
}

/** The innermost reason in an @dfinity/agent trust failure, without its stack: one short line. */
export function agentTrustReason(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  // Nested agent errors quote each other: `… error: "Signature verification failed: … error: "Invalid signature" at …`
  const at = msg.lastIndexOf('error: "');
  const reason = at >= 0 ? msg.slice(at + 8).split('"')[0].trim() : msg.split('\n')[0].split(' at ')[0].trim();
  return reason.length > 200 ? `${reason.slice(0, 200)}…` : reason;
}

/** True for @dfinity/agent's TrustError (a certificate or node signature that failed against the root key). */
export function isAgentTrustFailure(err: unknown): boolean {
  return err instanceof AgentTrustError;
}

/** An agent trust failure as ours: one line naming the endpoint and what to check. */
export function fromAgentTrustFailure(err: unknown, url: string): TrustError {
  return new TrustError('root-key', `the answer from ${url} does not verify against the root key (${agentTrustReason(err)}); check --root-key`, { cause: err });
}
