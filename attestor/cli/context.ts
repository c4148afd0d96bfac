/** What every command gets: parsed global options, output, and lazily built identity/network/client. */
import type { HttpAgent } from '@dfinity/agent';

import { loadIdentity, type LoadedIdentity } from '../identity/load.js';
import { createAgent } from '../network/agent.js';
import { resolveCanisterId, resolveNetwork, type NetworkTarget } from '../network/resolve.js';
import { AttestationsClient } from '../client/client.js';
import { Output } from './output.js';

export interface GlobalOptions {
  network?: string;
  canister?: string;
  identity?: string;
  pem?: string;
  rootKey?: string;
  stateDir?: string;
  json?: boolean;
  quiet?: boolean;
}

export class Context {
  readonly out: Output;
  private cachedIdentity?: LoadedIdentity;
  private cachedTarget?: NetworkTarget;

  constructor(
    readonly opts: GlobalOptions,
    readonly env: NodeJS.ProcessEnv = process.env
  ) {
    this.out = new Output({ json: Boolean(opts.json), quiet: Boolean(opts.quiet), env });
  }

  identity(): LoadedIdentity {
    this.cachedIdentity ??= loadIdentity({ identity: this.opts.identity, pem: this.opts.pem }, this.env);
    return this.cachedIdentity;
  }

  target(): NetworkTarget {
    this.cachedTarget ??= resolveNetwork({ network: this.opts.network, rootKeyFile: this.opts.rootKey, stateDir: this.opts.stateDir });
    return this.cachedTarget;
  }

  canisterId(): string {
    return resolveCanisterId(this.target(), { canister: this.opts.canister, stateDir: this.opts.stateDir });
  }

  /** An agent for the target network; signed by the reviewer's key when `signed`. */
  async agent(signed: boolean): Promise<HttpAgent> {
    return createAgent(this.target(), signed ? this.identity().agentIdentity : undefined, (m) => this.out.warn(m));
  }

  /** A client for the attestations canister (anonymous for reads unless `signed`). */
  async client(signed = false): Promise<AttestationsClient> {
    const canisterId = this.canisterId();
    const agent = await this.agent(signed);
    return AttestationsClient.create(agent, canisterId, this.target().url);
  }
}
