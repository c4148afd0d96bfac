/**
 * An HttpAgent for a resolved network: the root key pinned (mainnet, --root-key, local.json) or
 * fetched with a warning; certificates and node signatures on query responses are checked on
 * every network (the embedded replica signs them too). Failures typed.
 */
import { HttpAgent, type Identity } from '@dfinity/agent';

import { isNetworkFailure, networkError, oneLine } from '../cli/errors.js';
import type { NetworkTarget } from './resolve.js';

export async function createAgent(target: NetworkTarget, identity?: Identity, warn: (message: string) => void = () => {}): Promise<HttpAgent> {
  const agent = HttpAgent.createSync({
    host: target.url,
    identity,
    rootKey: target.rootKey.kind === 'fetch' ? undefined : target.rootKey.key,
    // Every network: a query answer is one node's word, so at least hold it to its signature.
    verifyQuerySignatures: true,
    // One transport retry inside the agent; submit adds its own backoff (client/retry.ts).
    retryTimes: 1
  });
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
