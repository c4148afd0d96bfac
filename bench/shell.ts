/** Runs a reference shell pipeline (sha256sum, zstd) and returns its stdout, timing it. */
import { spawn } from 'node:child_process';

export async function runShell(command: string): Promise<{ ms: number; stdout: string }> {
  const t = performance.now();
  const child = spawn('bash', ['-o', 'pipefail', '-c', command], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const ms = performance.now() - t;
  if (code !== 0) throw new Error(`\`${command}\` exited with ${code}: ${stderr.trim().slice(0, 300)}`);
  return { ms, stdout };
}

/** Single-quotes a path for bash. */
export function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
