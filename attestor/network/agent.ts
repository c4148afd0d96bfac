/**
 * An HttpAgent for a resolved network: the root key pinned (mainnet, --root-key, local.json) or
 * fetched with a warning; certificates and node signatures on query responses are checked on
 * every network (the embedded replica signs them too). Failures typed.
 *
 * The agent's fetch is watched: when it cannot fetch a subnet's node keys (no connection, or a
 * web server that is no replica) it swallows that failure and throws a TrustError ("no node
 * signatures") instead, racing the query's own transport error. `transportFailureSince` lets a
 * caller tell that outage (exit 3) from an answer that does not verify (exit 1).
 */
import { HttpAgent, type Identity } from '@dfinity/agent';

import { type CliError, isNetworkFailure, looksLikeReplicaAnswer, networkError, oneLine } from '../cli/errors.js';
import type { NetworkTarget } from './resolve.js';

/** What went wrong below the agent: no answer at all, or an HTTP answer no IC replica gives. */
export type TransportFailure = { kind: 'unreachable'; error: unknown } | { kind: 'not-replica'; status: string };

interface TransportLog {
  count: number;
  last: TransportFailure | null;
}

const logs = new WeakMap<HttpAgent, TransportLog>();

/** A mark to pass to `transportFailureSince` after a call. */
export function transportMark(agent: unknown): number {
  return logs.get(agent as HttpAgent)?.count ?? 0;
}

/** The last transport failure the agent's fetch met after `mark`, if any. */
export function transportFailureSince(agent: unknown, mark: number): TransportFailure | null {
  const log = logs.get(agent as HttpAgent);
  return log && log.count > mark ? log.last : null;
}

/**
 * The agent's failure as a network CliError (exit 3) when its transport failed after `mark`,
 * else null. `what` prefixes the endpoint in the message ("the canister at ").
 */
export function transportError(agent: unknown, mark: number, url: string, err: unknown, what = ''): CliError | null {
  const failure = transportFailureSince(agent, mark);
  if (!failure) return null;
  if (failure.kind === 'not-replica') return networkError(`${url} is not an IC replica (it answered ${failure.status}); check --network`, err);
  return networkError(`cannot reach ${what}${url}: ${oneLine(failure.error)}`, err);
}

/** fetch, noting each transport failure in `log` (the answer itself is passed on untouched). */
function watchedFetch(log: TransportLog): typeof fetch {
  return async (input, init) => {
    let res: Response;
    try {
      res = await fetch(input, init);
    } catch (error) {
      log.count++;
      log.last = { kind: 'unreachable', error };
      throw error;
    }
    if (res.status >= 400) {
      const body = await res
        .clone()
        .text()
        .catch(() => '');
      if (!looksLikeReplicaAnswer(res.headers.get('content-type') ?? '', body)) {
        log.count++;
        log.last = { kind: 'not-replica', status: `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}` };
      }
    }
    return res;
  };
}

export async function createAgent(target: NetworkTarget, identity?: Identity, warn: (message: string) => void = () => {}): Promise<HttpAgent> {
  const log: TransportLog = { count: 0, last: null };
  const agent = HttpAgent.createSync({
    host: target.url,
    identity,
    fetch: watchedFetch(log),
    rootKey: target.rootKey.kind === 'fetch' ? undefined : target.rootKey.key,
    // Every network: a query answer is one node's word, so at least hold it to its signature.
    verifyQuerySignatures: true,
    // One transport retry inside the agent; submit adds its own backoff (client/retry.ts).
    retryTimes: 1
  });
  logs.set(agent, log);
  if (target.rootKey.kind === 'fetch') {
    try {
      await agent.fetchRootKey();
    } catch (err) {
      throw networkError(`cannot reach ${target.url} to read its root key (${oneLine(err)}); is the replica running? (\`icos-attest replica start\`)`);
    }
    warn(`trusting the root key that ${target.url} sent about itself; pass --root-key <file> to pin it`);
  }
  return agent;
}

/** Wraps a transport failure into the network error kind (exit 3); anything else passes through. */
export function rethrowNetwork(err: unknown, url: string): never {
  if (isNetworkFailure(err)) throw networkError(`cannot reach ${url}: ${oneLine(err)}`);
  throw err;
}
