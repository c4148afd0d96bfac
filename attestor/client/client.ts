/**
 * The attestations canister over @dfinity/agent: Actor from protocol/service.ts, canister errors
 * turned into CliErrors, transport failures into network errors (exit 3). Updates that are safe
 * to repeat (submit is idempotent on the canister side: the same envelope gets the same id) are
 * retried with exponential backoff on transport failures.
 */
import { Actor, type ActorSubclass, type HttpAgent } from '@dfinity/agent';

import { CliError, isNetworkFailure, networkError, nonReplicaAnswer, oneLine, VerificationError } from '../cli/errors.js';
import { loadService } from '../cli/cores.js';
import { withRetry, type RetryOptions } from './retry.js';
import { transportError, transportMark } from '../network/agent.js';
import { fromAgentTrustFailure, isAgentTrustFailure } from '../verify/trust-error.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyActor = ActorSubclass<Record<string, (...args: any[]) => Promise<any>>>;

/** Candid `variant { Ok; Err }` (either spelling) → value, or a canister CliError. */
export function unwrapResult<T>(value: unknown, method: string): T {
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if ('Ok' in v) return v.Ok as T;
    if ('ok' in v) return v.ok as T;
    if ('Err' in v || 'err' in v) {
      const err = 'Err' in v ? v.Err : v.err;
      throw new CliError('canister', `${method} refused: ${describeCanisterError(err)}`, { canisterError: err });
    }
  }
  return value as T;
}

/** `{ kind: { NotFound: null }, message: '...' }`, `{ NotFound: '...' }`, text: one readable line. */
export function describeCanisterError(err: unknown): string {
  if (typeof err === 'string') return err;
  if (err && typeof err === 'object') {
    const e = err as Record<string, unknown>;
    if (typeof e.message === 'string') {
      const kind = variantName(e.kind);
      return kind ? `${kind}: ${e.message}` : e.message;
    }
    const keys = Object.keys(e);
    if (keys.length === 1) {
      const inner = e[keys[0]];
      if (inner === null || inner === undefined) return keys[0];
      return `${keys[0]}: ${describeCanisterError(inner)}`;
    }
  }
  return JSON.stringify(err, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
}

function variantName(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && Object.keys(v).length === 1) return Object.keys(v)[0];
  return null;
}

export class AttestationsClient {
  private constructor(
    readonly actor: AnyActor,
    readonly agent: HttpAgent,
    readonly canisterId: string,
    readonly url: string
  ) {}

  static async create(agent: HttpAgent, canisterId: string, url: string): Promise<AttestationsClient> {
    const service = await loadService();
    const actor = Actor.createActor(service.idlFactory, { agent, canisterId }) as unknown as AnyActor;
    return new AttestationsClient(actor, agent, canisterId, url);
  }

  /** One call; transport failures become network errors, agent rejects become canister errors. */
  async call<T = unknown>(method: string, ...args: unknown[]): Promise<T> {
    const fn = this.actor[method];
    if (typeof fn !== 'function') throw new CliError('unavailable', `the canister interface has no method ${method}`);
    const mark = transportMark(this.agent);
    try {
      return (await fn(...args)) as T;
    } catch (err) {
      throw this.translate(err, method, mark);
    }
  }

  /** Retries transport failures with backoff; for idempotent calls only. */
  async callWithRetry<T = unknown>(method: string, args: unknown[], retry: RetryOptions = {}): Promise<T> {
    const fn = this.actor[method];
    if (typeof fn !== 'function') throw new CliError('unavailable', `the canister interface has no method ${method}`);
    const mark = transportMark(this.agent);
    try {
      return (await withRetry(() => fn(...args), retry)) as T;
    } catch (err) {
      throw this.translate(err, method, mark);
    }
  }

  /** `mark`: the agent's transport log before the call (network/agent.ts), so only this call's failures count. */
  private translate(err: unknown, method: string, mark: number): CliError {
    if (err instanceof CliError) return err;
    if (isAgentTrustFailure(err)) {
      // The agent reports node keys it could not fetch (no connection, a web page) as a trust
      // failure, racing the query's own transport error: an outage is exit 3, never "check --root-key".
      const below = transportError(this.agent, mark, this.url, err, 'the canister at ');
      if (below) return below;
      if (transportBelow(err)) return networkError(`cannot reach the canister at ${this.url}: ${oneLine(err)}`, err);
      return fromAgentTrustFailure(err, this.url);
    }
    const http = nonReplicaAnswer(err);
    if (http) return new CliError('network', `${this.url} is not an IC replica (it answered ${http} to ${method}); check --network`, undefined, { cause: err });
    if (isNetworkFailure(err)) return networkError(`cannot reach the canister at ${this.url}: ${oneLine(err)}`, err);
    const msg = oneLine(err);
    if (/canister.*(not found|does not exist)|no such canister/i.test(msg)) {
      return new CliError('canister', `canister ${this.canisterId} is not installed at ${this.url} (${msg}); check --canister`);
    }
    return new CliError('canister', `${method} failed: ${msg}`, undefined, { cause: err });
  }
}

/** Whether a transport failure (no answer, or an HTTP error page) lies under an agent error. */
function transportBelow(err: unknown): boolean {
  let e: unknown = err;
  for (let i = 0; i < 6 && e; i++) {
    const o = e as { name?: string; message?: string; cause?: unknown; code?: { name?: string } };
    if (/TransportError|fetch failed|HTTP request failed|HttpFetchErrorCode|HttpErrorCode/.test(`${o.name ?? ''} ${o.message ?? ''} ${o.code?.name ?? ''}`)) return true;
    e = o.cause;
  }
  return false;
}
