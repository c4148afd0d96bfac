/**
 * Stable memory: 64 KiB pages allocated on first write (Azle grows it in 8 MiB buckets and a
 * canister may address hundreds of GiB), with an undo journal so a trapped message or a query
 * leaves it byte-identical.
 */
export const PAGE = 65536;

export class StableMemoryError extends Error {}

export class StableMemory {
  private pages = new Map<number, Uint8Array>();
  private sizePages = 0n;
  /** Original contents of pages touched since `begin()` (undefined: page was unallocated). */
  private journal: Map<number, Uint8Array | undefined> | null = null;
  private journalSize = 0n;

  constructor(readonly maxPages: bigint = 1n << 22n /* 256 GiB */) {}

  size(): bigint { return this.sizePages; }

  grow(n: bigint): bigint {
    const old = this.sizePages;
    if (n < 0n || old + n > this.maxPages) return -1n;
    this.sizePages = old + n;
    return old;
  }

  private check(offset: bigint, size: bigint): void {
    if (offset < 0n || size < 0n || offset + size > this.sizePages * BigInt(PAGE)) {
      throw new StableMemoryError(`stable memory out of bounds: offset ${offset}, size ${size}, memory ${this.sizePages * BigInt(PAGE)} bytes`);
    }
  }

  write(offset: bigint, data: Uint8Array): void {
    this.check(offset, BigInt(data.length));
    let pos = 0;
    let off = Number(offset);
    while (pos < data.length) {
      const idx = Math.floor(off / PAGE);
      const within = off % PAGE;
      const n = Math.min(PAGE - within, data.length - pos);
      let page = this.pages.get(idx);
      if (this.journal && !this.journal.has(idx)) this.journal.set(idx, page ? page.slice() : undefined);
      if (!page) {
        page = new Uint8Array(PAGE);
        this.pages.set(idx, page);
      }
      page.set(data.subarray(pos, pos + n), within);
      pos += n;
      off += n;
    }
  }

  read(offset: bigint, size: number, into?: Uint8Array): Uint8Array {
    this.check(offset, BigInt(size));
    const out = into ?? new Uint8Array(size);
    let pos = 0;
    let off = Number(offset);
    while (pos < size) {
      const idx = Math.floor(off / PAGE);
      const within = off % PAGE;
      const n = Math.min(PAGE - within, size - pos);
      const page = this.pages.get(idx);
      if (page) out.set(page.subarray(within, within + n), pos);
      else out.fill(0, pos, pos + n);
      pos += n;
      off += n;
    }
    return out;
  }

  /** Starts recording undo information for one message. */
  begin(): void {
    this.journal = new Map();
    this.journalSize = this.sizePages;
  }

  commit(): void { this.journal = null; }

  rollback(): void {
    if (!this.journal) return;
    for (const [idx, original] of this.journal) {
      if (original) this.pages.set(idx, original);
      else this.pages.delete(idx);
    }
    this.sizePages = this.journalSize;
    this.journal = null;
  }

  clear(): void {
    this.pages.clear();
    this.sizePages = 0n;
    this.journal = null;
  }

  /** Allocated pages in index order (for persistence). */
  allocatedPages(): [number, Uint8Array][] {
    return [...this.pages.entries()].sort((a, b) => a[0] - b[0]);
  }

  restore(sizePages: bigint, pages: Iterable<[number, Uint8Array]>): void {
    this.clear();
    this.sizePages = sizePages;
    for (const [idx, page] of pages) this.pages.set(idx, page);
  }
}
