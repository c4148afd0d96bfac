/**
 * `--on-event <command>`: one process per event, `sh -c <command>`, with the event as one JSON
 * document on stdin (and its type and proposal in ICOS_ATTEST_EVENT / ICOS_ATTEST_PROPOSAL).
 * Awaited before the next event, so a hook sees events in order. A hook that fails, hangs past
 * the timeout or cannot be started is a warning: it never stops the watch.
 */
import { spawn } from 'node:child_process';

import type { WatchEvent } from './events.js';

export interface HookOutcome {
  ok: boolean;
  /** Why it failed, in words (null when ok). */
  problem: string | null;
}

export const HOOK_TIMEOUT_MS = 60_000;

export function runHook(
  command: string,
  event: WatchEvent,
  opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv; onOutput?: (line: string) => void } = {}
): Promise<HookOutcome> {
  const timeoutMs = opts.timeoutMs ?? HOOK_TIMEOUT_MS;
  return new Promise((resolve) => {
    let settled = false;
    const done = (o: HookOutcome) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        resolve(o);
      }
    };
    const child = spawn('sh', ['-c', command], {
      env: { ...(opts.env ?? process.env), ICOS_ATTEST_EVENT: event.type, ICOS_ATTEST_PROPOSAL: event.proposal },
      stdio: ['pipe', 'pipe', 'pipe'],
      // its own process group, so a timeout ends everything it started
      detached: true
    });
    let tail = '';
    const collect = (d: Buffer) => {
      const text = d.toString('utf8');
      tail = (tail + text).slice(-400);
      if (opts.onOutput) for (const l of text.split('\n')) if (l.trim()) opts.onOutput(l);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
      done({ ok: false, problem: `did not finish within ${Math.round(timeoutMs / 1000)} s and was stopped` });
    }, timeoutMs);
    child.on('error', (err) => done({ ok: false, problem: `could not be started: ${err.message}` }));
    child.on('close', (code, signal) => {
      if (code === 0) done({ ok: true, problem: null });
      else {
        const last = tail.trim().split('\n').pop() ?? '';
        done({ ok: false, problem: `${signal ? `was killed by ${signal}` : `exited ${code}`}${last ? ` (${last.slice(0, 200)})` : ''}` });
      }
    });
    // a hook that does not read its stdin is fine
    child.stdin.on('error', () => {});
    child.stdin.end(`${JSON.stringify(event)}\n`);
  });
}

/**
 * How `watch` reports an event: the line on stdout first, then the hook, awaited. A failed hook
 * becomes a warning and the next event goes on regardless.
 */
export function eventReporter(opts: {
  write: (event: WatchEvent) => void;
  command?: string;
  warn: (message: string) => void;
  onOutput?: (line: string) => void;
  timeoutMs?: number;
}): (event: WatchEvent) => Promise<void> {
  return async (event) => {
    opts.write(event);
    if (!opts.command) return;
    const r = await runHook(opts.command, event, { onOutput: opts.onOutput, timeoutMs: opts.timeoutMs });
    if (!r.ok) opts.warn(`the --on-event command ${r.problem} (event ${event.type} of proposal ${event.proposal}); watching on`);
  };
}
