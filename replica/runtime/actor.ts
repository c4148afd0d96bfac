/** An agent-js-like Actor over the in-process runtime, built from a canister's IDL factory. */
import { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';

import { type RejectCode } from './errors.js';
import type { Runtime } from './runtime.js';

/** A rejected call: the IC reject code, the IC error code (IC0503 …) and the message. */
export class CanisterCallError extends Error {
  readonly kind = 'canister-call-rejected';
  constructor(readonly code: RejectCode, readonly errorCode: string, message: string) {
    super(message);
    this.name = 'CanisterCallError';
  }
}

export type Caller = Principal | { getPrincipal(): Principal };

function principalOf(caller: Caller): Principal {
  return typeof (caller as { getPrincipal?: unknown }).getPrincipal === 'function'
    ? (caller as { getPrincipal(): Principal }).getPrincipal()
    : (caller as Principal);
}

/**
 * Methods encode their arguments with the IDL, run as query or update per the IDL annotation
 * (updates as ingress, so canister_inspect_message applies; an update resolves once the timers
 * due then have run), and decode the reply: no value → undefined, one value → that value,
 * several → an array (as agent-js does).
 */
export function createActor<T>(runtime: Runtime, canisterId: Principal, idlFactory: IDL.InterfaceFactory, opts: { caller: Caller }): T {
  const service = idlFactory({ IDL });
  const actor: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const [name, func] of service._fields) {
    const isQuery = func.annotations.includes('query') || func.annotations.includes('composite_query');
    actor[name] = async (...args: unknown[]) => {
      const arg = new Uint8Array(IDL.encode(func.argTypes, args));
      const caller = principalOf(opts.caller);
      const result = isQuery
        ? await runtime.query(canisterId, name, arg, { caller })
        : await runtime.update(canisterId, name, arg, { caller, ingress: true });
      // As a client of the IC sees it: by the time it reads again, the rounds that the update's
      // 0 s timers run in are over (the canister refreshes reports in one).
      if (!isQuery) await runtime.tick();
      if (result.kind === 'rejected') throw new CanisterCallError(result.code, result.errorCode, result.message);
      const values = IDL.decode(func.retTypes, result.reply);
      if (values.length === 0) return undefined;
      return values.length === 1 ? values[0] : values;
    };
  }
  return actor as T;
}
