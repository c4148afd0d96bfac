/** What every bench section gets, and how it says "this piece is not there yet". */
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Measurement } from './results.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface BenchContext {
  /** A fresh directory under os.tmpdir(), removed when the run ends. */
  tmpDir: string;
  /** Wall-clock time (Date.now()) by which the whole run should be done. */
  deadline: number;
  log(message: string): void;
}

export interface SectionOutput {
  measurements: Measurement[];
  notes: string[];
}

export interface Section {
  name: string;
  title: string;
  run(ctx: BenchContext): Promise<SectionOutput>;
}

/** Thrown when a piece the section measures cannot be imported or found. */
export class NotAvailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotAvailable';
  }
}

/** Dynamic import of `path` (from the repository root) that turns "missing / broken" into NotAvailable. */
export async function importPiece<T>(path: string, what: string): Promise<T> {
  const specifier = path;
  try {
    return (await import(pathToFileURL(join(ROOT, path)).href)) as T;
  } catch (err) {
    throw new NotAvailable(`${what} is not available (${specifier}): ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
}

export function requireExport<T>(value: T | undefined, what: string): T {
  if (value === undefined || value === null) throw new NotAvailable(`${what} is not exported yet`);
  return value;
}

/** Wall time of `fn` in milliseconds. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const t = performance.now();
  const result = await fn();
  return { ms: performance.now() - t, result };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank percentile. */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export const MiB = 2 ** 20;
export const GiB = 2 ** 30;
