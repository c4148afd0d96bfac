/** What the numbers were measured on. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { createRequire } from 'node:module';
import type { Machine } from './results.js';

const require = createRequire(import.meta.url);

function packageVersion(name: string): string {
  try {
    // Read package.json through the resolver's folder (exports maps hide it from require).
    const main = require.resolve(name);
    const at = main.lastIndexOf(`/node_modules/${name}/`);
    const dir = main.slice(0, at + `/node_modules/${name}/`.length);
    return (JSON.parse(readFileSync(`${dir}package.json`, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function firstLine(cmd: string, args: string[]): string | null {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0].trim();
  } catch {
    return null;
  }
}

function osName(): string {
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'));
    if (m) return `${m[1]} (${platform()} ${release()})`;
  } catch {
    // fall through
  }
  return `${platform()} ${release()}`;
}

export function machine(): Machine {
  const c = cpus();
  return {
    cpuModel: c[0]?.model.trim() ?? 'unknown',
    cores: c.length,
    ramBytes: totalmem(),
    loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
    os: osName(),
    node: process.version,
    versions: {
      azle: packageVersion('azle'),
      '@dfinity/agent': packageVersion('@dfinity/agent'),
      '@dfinity/candid': packageVersion('@dfinity/candid'),
      '@noble/curves': packageVersion('@noble/curves'),
      typescript: packageVersion('typescript')
    },
    zstd: firstLine('zstd', ['--version']),
    sha256sum: firstLine('sha256sum', ['--version'])
  };
}
