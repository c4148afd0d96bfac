/** Glue between commander and a command body: builds the Context from the global options. */
import type { Command } from 'commander';

import type { Context, GlobalOptions } from './context.js';
import { Output } from './output.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Body<A extends any[]> = (ctx: Context, ...args: A) => Promise<number | void>;

/** Exit code a body asks for (verification failures return 1 without throwing). */
export const exitState = { code: 0 };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function action<A extends any[]>(body: Body<A>, kind: { light?: boolean } = {}): (...args: any[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const opts = cmd.optsWithGlobals() as GlobalOptions & Record<string, unknown>;
    // the full context (keys, agent, client) is loaded only for commands that may need it;
    // a light command gets its options and output only
    const ctx = kind.light ? lightContext(opts) : new (await import('./context.js')).Context(opts);
    const code = await body(ctx, ...(args.slice(0, -1) as A));
    if (typeof code === 'number') exitState.code = code;
  };
}

/** What a light command's body may use: its options and the output (nothing that loads keys). */
function lightContext(opts: GlobalOptions): Context {
  const out = new Output({ json: Boolean(opts.json), quiet: Boolean(opts.quiet), env: process.env });
  const none = () => {
    throw new Error('a light command (action(..., { light: true })) has no identity, network or client');
  };
  return { opts, env: process.env, out, identity: none, target: none, canisterId: none, agent: none, client: none } as unknown as Context;
}
