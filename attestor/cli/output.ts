/**
 * Where output goes: results on stdout (human text or one JSON document), progress and logs on
 * stderr. --quiet silences logs and progress, never results or errors.
 */
import type { Writable } from 'node:stream';

export interface OutputOptions {
  json: boolean;
  quiet: boolean;
  stdout?: Writable & { isTTY?: boolean; columns?: number };
  stderr?: Writable & { isTTY?: boolean; columns?: number };
  env?: NodeJS.ProcessEnv;
}

export class Output {
  readonly json: boolean;
  readonly quiet: boolean;
  /** Colors only for a person at a terminal, and never with NO_COLOR set. */
  readonly color: boolean;
  private readonly out: OutputOptions['stdout'] & object;
  private readonly err: OutputOptions['stderr'] & object;

  constructor(opts: OutputOptions) {
    this.json = opts.json;
    this.quiet = opts.quiet;
    this.out = opts.stdout ?? process.stdout;
    this.err = opts.stderr ?? process.stderr;
    const env = opts.env ?? process.env;
    this.color = !opts.json && Boolean(this.out.isTTY) && env.NO_COLOR === undefined && env.TERM !== 'dumb';
  }

  /** The command's result: JSON document with --json, else the human rendering. */
  result(data: unknown, human: () => string): void {
    if (this.json) this.out.write(`${JSON.stringify(data, jsonReplacer, 2)}\n`);
    else {
      const text = human();
      if (text.length > 0) this.out.write(text.endsWith('\n') ? text : `${text}\n`);
    }
  }

  /** A log line on stderr (suppressed by --quiet). */
  log(message: string): void {
    if (!this.quiet) this.err.write(`${message}\n`);
  }

  /** The one error line of a command that still printed its result (exit code chosen by the caller). */
  error(message: string): void {
    this.err.write(`icos-attest: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  }

  /** A warning on stderr (--quiet silences it too: what fails is still an error line). */
  warn(message: string): void {
    if (!this.quiet) this.err.write(`warning: ${message}\n`);
  }

  progress(label: string): Progress {
    if (this.quiet) return new Progress(label, null, false);
    return new Progress(label, this.err, Boolean(this.err.isTTY));
  }
}

/** bigint → decimal string, Uint8Array → hex: JSON output never throws on canister values. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  return value;
}

const PERIOD_MS = 5000;

/** TTY: one updating line. Not a TTY: a line at most every 5 s and at the end. Quiet: nothing. */
export class Progress {
  private last = Date.now();
  private lastText = '';
  /** Whether anything was shown (so `finish` only ends a line that exists). */
  used = false;
  constructor(
    private readonly label: string,
    private readonly stream: Writable | null,
    private readonly tty: boolean
  ) {}

  update(done: number, total?: number, unit: 'bytes' | 'items' = 'bytes'): void {
    if (!this.stream) return;
    const text = `${this.label}: ${formatAmount(done, unit)}${total ? ` / ${formatAmount(total, unit)} (${Math.floor((done / total) * 100)}%)` : ''}`;
    this.write(text, false);
  }

  message(text: string): void {
    if (!this.stream) return;
    this.write(`${this.label}: ${text}`, false);
  }

  finish(text?: string): void {
    if (!this.stream) return;
    this.write(`${this.label}: ${text ?? 'done'}`, true);
  }

  private write(text: string, final: boolean): void {
    const stream = this.stream!;
    this.used = true;
    if (this.tty) {
      stream.write(`\r\x1b[2K${text}${final ? '\n' : ''}`);
    } else {
      const now = Date.now();
      if (final || now - this.last >= PERIOD_MS) {
        if (text !== this.lastText || final) stream.write(`${text}\n`);
        this.last = now;
        this.lastText = text;
      }
    }
  }
}

export function formatAmount(n: number, unit: 'bytes' | 'items'): string {
  if (unit === 'items') return String(n);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, bold: 1, dim: 2 } as const;
export type Style = keyof typeof CODES;

export function paint(enabled: boolean, style: Style, text: string): string {
  return enabled ? `\x1b[${CODES[style]}m${text}\x1b[0m` : text;
}

/** A plain text table; columns sized to the visible (uncolored) width. */
export function table(headers: string[], rows: string[][]): string {
  // eslint-disable-next-line no-control-regex
  const visible = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').length;
  const widths = headers.map((h, i) => Math.max(visible(h), ...rows.map((r) => visible(r[i] ?? ''))));
  const line = (cells: string[]) => cells.map((c, i) => c + ' '.repeat(widths[i] - visible(c))).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Renders the cores' ProgressEvents (download, hash, clone, build) through one Progress per label. */
export function progressRenderer(out: Output): (e: { phase: string; label: string; bytesDone?: number; bytesTotal?: number | null; elapsedMs?: number; line?: string }) => void {
  const bars = new Map<string, Progress>();
  const finished = new Set<string>();
  return (e) => {
    const key = `${e.phase} ${e.label}`;
    if (finished.has(key)) return;
    let bar = bars.get(key);
    if (!bar) {
      bar = out.progress(key);
      bars.set(key, bar);
    }
    if (e.bytesDone !== undefined) {
      if (e.bytesTotal && e.bytesDone >= e.bytesTotal) {
        bar.finish(formatAmount(e.bytesDone, 'bytes'));
        bars.delete(key);
        finished.add(key);
      } else bar.update(e.bytesDone, e.bytesTotal ?? undefined);
    } else if (e.line !== undefined) {
      bar.message(`${e.elapsedMs !== undefined ? `${Math.round(e.elapsedMs / 1000)} s ` : ''}${e.line.slice(0, 160)}`);
    } else if (e.elapsedMs !== undefined) {
      bar.message(`${Math.round(e.elapsedMs / 1000)} s`);
    }
  };
}
