/**
 * The manifest pass is a chain of synchronous push parsers: bytes arrive in chunks and each
 * level (decompressor → tar → nested tar / GPT → partition) handles them before the next chunk,
 * so memory stays flat whatever the artifact size and backpressure lives only at the top.
 */
import type { ManifestEntry } from '../../protocol/types.js';

export interface Sink {
  write(chunk: Uint8Array): void;
  end(): void;
}

/** A parser of one level: turns the bytes of a component into the entries inside it. */
export interface LevelParser extends Sink {
  /** Entries found so far (complete after end()). */
  entries(): ManifestEntry[];
  /** True when entries were left out (a per-level cap). */
  truncated(): boolean;
}

/** Thrown by a parser on malformed input; the caller turns it into a note, never a crash. */
export class FormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FormatError';
  }
}

/** Shared by every node of one manifest pass. */
export interface PassContext {
  maxDepth: number;
  maxEntriesPerLevel: number;
  /** Problems met inside the artifact (unparsable nested content), with their locations. */
  notes: string[];
  /** When set, the bytes of the component at `path` are written here as they pass. */
  extract?: { path: string[]; write(chunk: Uint8Array, isHole: boolean): void; found: boolean };
}

/** 1 MiB of zeros, shared: sparse holes are fed from it (and recognised by identity). */
export const ZEROS = new Uint8Array(1 << 20);
