/**
 * One component's bytes: hashed as they pass, and (when the first bytes say so and the depth
 * allows) handed to the parser of the level inside: tar, GPT disk, or zstd-compressed content.
 */
import { createHash, type Hash } from 'node:crypto';
import { Decompress } from 'fzstd';
import type { ManifestEntry } from '../../protocol/types.js';
import { formatManifestPath } from '../../protocol/manifest.js';
import { ZEROS, type LevelParser, type PassContext, type Sink } from './sink.js';
import { TarParser, looksLikeTar } from './tar.js';
import { GptParser, gptSectorSize } from './gpt.js';

/** Bytes looked at before deciding what a component holds (GPT header at 512 or 4096). */
const SNIFF_BYTES = 8192;

export interface ContentResult {
  size: number;
  sha256: string;
  children?: ManifestEntry[];
  truncated?: boolean;
}

export function samePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export class ContentNode implements Sink {
  size = 0;
  private readonly hash: Hash | null;
  private head: Uint8Array[] | null = [];
  private headLen = 0;
  private inner: LevelParser | null = null;
  private readonly extracting: boolean;
  private sha: string | null = null;

  /**
   * @param path location of this component (its children are one level deeper)
   * @param opts.transparent decompressed content standing in for its compressed parent:
   *   not hashed, not extracted, only parsed. opts.parse false: hash only.
   */
  constructor(
    readonly path: string[],
    private readonly ctx: PassContext,
    opts: { transparent?: boolean; parse?: boolean } = {},
  ) {
    const transparent = opts.transparent ?? false;
    this.hash = transparent ? null : createHash('sha256');
    this.extracting = !transparent && path.length > 0 && !!ctx.extract && samePath(ctx.extract.path, path);
    if (this.extracting) ctx.extract!.found = true;
    if (opts.parse === false || path.length + 1 > ctx.maxDepth) this.head = null; // hash only
  }

  write(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.hash?.update(chunk);
    this.size += chunk.length;
    if (this.extracting) this.ctx.extract!.write(chunk, chunk.buffer === ZEROS.buffer);
    if (this.head) {
      this.head.push(chunk.slice()); // producers may reuse their buffers
      this.headLen += chunk.length;
      if (this.headLen >= SNIFF_BYTES) this.decide();
      return;
    }
    if (this.inner) this.guard(() => this.inner!.write(chunk));
  }

  end(): void {
    if (this.head) this.decide();
    if (this.inner) this.guard(() => this.inner!.end());
    this.sha = this.hash ? this.hash.digest('hex') : '';
  }

  result(): ContentResult {
    if (this.sha === null) throw new Error('ContentNode.result() before end()');
    const r: ContentResult = { size: this.size, sha256: this.sha };
    if (this.inner) {
      r.children = this.inner.entries();
      if (this.inner.truncated()) r.truncated = true;
    }
    return r;
  }

  /** Entries inside (for the root and transparent nodes). */
  entries(): ManifestEntry[] {
    return this.inner ? this.inner.entries() : [];
  }

  truncated(): boolean {
    return this.inner ? this.inner.truncated() : false;
  }

  private decide(): void {
    const parts = this.head!;
    this.head = null;
    const buf = parts.length === 1 ? parts[0] : concat(parts, this.headLen);
    this.inner = this.pick(buf);
    if (this.inner) this.guard(() => this.inner!.write(buf));
  }

  private pick(buf: Uint8Array): LevelParser | null {
    if (buf.length >= 4 && buf[0] === 0x28 && buf[1] === 0xb5 && buf[2] === 0x2f && buf[3] === 0xfd) {
      return new ZstdLevel(this.path, this.ctx);
    }
    if (looksLikeTar(buf)) return new TarParser(this.path, this.ctx);
    const ss = gptSectorSize(buf);
    if (ss) return new GptParser(this.path, this.ctx, ss);
    return null;
  }

  private guard(f: () => void): void {
    try {
      f();
    } catch (err) {
      const where = this.path.length ? formatManifestPath(this.path) : 'the artifact';
      this.ctx.notes.push(`${where}: ${(err as Error).message}; its contents are not listed`);
      this.inner = null;
    }
  }
}

/** zstd-compressed content inside an artifact: decompressed in-process (fzstd) and parsed. */
class ZstdLevel implements LevelParser {
  private readonly node: ContentNode;
  private readonly z: Decompress;
  constructor(path: string[], ctx: PassContext) {
    this.node = new ContentNode(path, ctx, { transparent: true });
    this.z = new Decompress((data) => this.node.write(data));
  }
  write(chunk: Uint8Array): void {
    this.z.push(chunk);
  }
  end(): void {
    this.z.push(new Uint8Array(0), true);
    this.node.end();
  }
  entries(): ManifestEntry[] {
    return this.node.entries();
  }
  truncated(): boolean {
    return this.node.truncated();
  }
}

export function concat(parts: Uint8Array[], total = parts.reduce((n, p) => n + p.length, 0)): Uint8Array {
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
