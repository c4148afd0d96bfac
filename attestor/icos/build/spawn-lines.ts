/**
 * Spawns a program, hands each output line (stdout and stderr, \r and \n both end a line, so
 * progress bars show) to a callback, optionally appends the raw output to a log file.
 * Never throws: a program that cannot start resolves with spawnError.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';

export interface SpawnOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  spawnError: string | null;
  /** The last lines (for error messages). */
  tail: string[];
}

export function spawnLines(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; logPath?: string; onLine?: (line: string) => void; tailLines?: number },
): Promise<SpawnOutcome> {
  return new Promise((resolve) => {
    let log = opts.logPath ? createWriteStream(opts.logPath, { flags: 'a' }) : null;
    // An unwritable log must not crash the process: keep building, keep the tail.
    log?.on('error', () => {
      log = null;
    });
    const tail: string[] = [];
    const keep = opts.tailLines ?? 20;
    let settled = false;
    const finish = (o: Omit<SpawnOutcome, 'tail'>) => {
      if (settled) return;
      settled = true;
      const done = () => resolve({ ...o, tail });
      if (log) log.end(done);
      else done();
    };
    let child;
    try {
      child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      finish({ code: null, signal: null, spawnError: (err as Error).message });
      return;
    }
    const splitter = () => {
      let buf = '';
      return (chunk: Buffer) => {
        log?.write(chunk);
        buf += chunk.toString('utf8');
        const parts = buf.split(/\r\n|\r|\n/);
        buf = parts.pop() ?? '';
        for (const line of parts) {
          if (line.trim() === '') continue;
          tail.push(line);
          if (tail.length > keep) tail.shift();
          opts.onLine?.(line);
        }
      };
    };
    child.stdout!.on('data', splitter());
    child.stderr!.on('data', splitter());
    child.on('error', (err) => finish({ code: null, signal: null, spawnError: err.message }));
    child.on('close', (code, signal) => finish({ code, signal, spawnError: null }));
  });
}
