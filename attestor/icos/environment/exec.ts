/** Runs a program without a shell and never throws: a missing tool is a value. */
import { execFile } from 'node:child_process';

export interface ExecOutcome {
  ok: boolean;
  /** Exit code; null when the program could not start or was killed. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Why it failed to start (ENOENT: not installed). */
  spawnError: string | null;
}

export function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv; maxBuffer?: number } = {},
): Promise<ExecOutcome> {
  return new Promise((resolve) => {
    try {
      execFile(
        cmd,
        args,
        {
          cwd: opts.cwd,
          timeout: opts.timeoutMs ?? 15_000,
          env: opts.env ?? process.env,
          maxBuffer: opts.maxBuffer ?? 16 * 1024 * 1024,
          encoding: 'utf8',
        },
        (err, stdout, stderr) => {
          const e = err as (NodeJS.ErrnoException & { code?: number | string }) | null;
          const code = e ? (typeof e.code === 'number' ? e.code : null) : 0;
          const spawnError = e && typeof e.code === 'string' ? e.code : null;
          resolve({ ok: !e, code, stdout: String(stdout ?? ''), stderr: String(stderr ?? ''), spawnError });
        },
      );
    } catch (err) {
      resolve({ ok: false, code: null, stdout: '', stderr: '', spawnError: (err as Error).message });
    }
  });
}
