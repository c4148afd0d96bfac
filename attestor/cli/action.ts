/** Glue between commander and a command body: builds the Context from the global options. */
import type { Command } from 'commander';

import { Context, type GlobalOptions } from './context.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Body<A extends any[]> = (ctx: Context, ...args: A) => Promise<number | void>;

/** Exit code a body asks for (verification failures return 1 without throwing). */
export const exitState = { code: 0 };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function action<A extends any[]>(body: Body<A>): (...args: any[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const opts = cmd.optsWithGlobals() as GlobalOptions & Record<string, unknown>;
    const ctx = new Context(opts);
    const code = await body(ctx, ...(args.slice(0, -1) as A));
    if (typeof code === 'number') exitState.code = code;
  };
}
