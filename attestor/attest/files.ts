/** Envelope files: written atomically before anything is sent, never silently replaced. */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

import type { Envelope } from '../../protocol/types.js';
import { inputError } from '../cli/errors.js';

export type WriteOutcome = 'written' | 'unchanged';

export function envelopeText(env: Envelope): string {
  return `${JSON.stringify({ payloadType: env.payloadType, payload: env.payload, signatures: env.signatures }, null, 2)}\n`;
}

/** Same payload and same signatures → the same envelope (whitespace and key order aside). */
export function sameEnvelope(a: Envelope, b: Envelope): boolean {
  return (
    a.payloadType === b.payloadType &&
    a.payload === b.payload &&
    a.signatures.length === b.signatures.length &&
    a.signatures.every((s, i) => s.keyid === b.signatures[i].keyid && s.sig === b.signatures[i].sig)
  );
}

/** Same signed statement: signatures may differ only if the scheme is randomized; payload decides. */
export function samePayload(a: Envelope, b: Envelope): boolean {
  return a.payloadType === b.payloadType && a.payload === b.payload && a.signatures.map((s) => s.keyid).join() === b.signatures.map((s) => s.keyid).join();
}

export function readEnvelopeFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw inputError(`cannot read envelope ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw inputError(`${path} is not JSON (expected a DSSE envelope)`);
  }
}

/** temp file in the same directory, fsync, rename: a reader sees the old file or the whole new one. */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', 0o644);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
  } catch (err) {
    try {
      closeSync(fd);
    } catch {
      /* already closed */
    }
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Writes the envelope unless the file already holds the same statement (then it is kept as is,
 * so an envelope that may already have been submitted is never replaced). A different envelope
 * at the path is refused.
 */
export function writeEnvelope(path: string, env: Envelope): WriteOutcome {
  if (existsSync(path)) {
    const existing = readEnvelopeFile(path) as Envelope;
    if (existing && typeof existing === 'object' && Array.isArray(existing.signatures) && samePayload(existing, env)) return 'unchanged';
    throw inputError(`${path} already holds a different envelope; choose another path with -o (an envelope that may have been submitted is never overwritten)`);
  }
  writeFileAtomic(path, envelopeText(env));
  return 'written';
}

/** `-o out.json` with several OSes → `out.guestos.json`, `out.hostos.json`. */
export function envelopePath(base: string, os: string, many: boolean): string {
  if (!many) return base;
  const ext = extname(base);
  return ext ? `${base.slice(0, -ext.length)}.${os}${ext}` : `${base}.${os}`;
}

export function defaultEnvelopePath(dir: string, proposal: string, os: string, principal: string): string {
  return join(dir, `attestation-${proposal}-${os}-${principal.slice(0, 5)}.dsse.json`);
}
