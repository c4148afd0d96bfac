/**
 * Streaming GPT disk reader: the protective MBR and GPT header (LBA 1) and the partition table
 * come before any partition's data, so the table is read from the first bytes and every later
 * byte is routed, by offset, to the partition(s) that hold it, or to `(outside partitions)`
 * (MBR, GPT headers and tables, gaps, backup GPT). Checks the header and table CRC-32s.
 */
import type { ManifestEntry } from '../../protocol/types.js';
import { OUTSIDE_PARTITIONS } from '../../protocol/manifest.js';
import { ContentNode, concat } from './content.js';
import { crc32 } from './crc32.js';
import { FormatError, type LevelParser, type PassContext, type Sink } from './sink.js';

const SIGNATURE = 'EFI PART';
const MAX_TABLE_BYTES = 4 << 20;

function hasSignature(b: Uint8Array, off: number): boolean {
  if (b.length < off + 8) return false;
  for (let i = 0; i < 8; i++) if (b[off + i] !== SIGNATURE.charCodeAt(i)) return false;
  return true;
}

/** Sector size of a GPT disk (512 or 4096) from its first bytes, or 0 when there is no GPT. */
export function gptSectorSize(head: Uint8Array): number {
  if (hasSignature(head, 512) && headerCrcOk(head, 512)) return 512;
  if (hasSignature(head, 4096) && headerCrcOk(head, 4096)) return 4096;
  return 0;
}

function headerCrcOk(b: Uint8Array, off: number): boolean {
  const dv = new DataView(b.buffer, b.byteOffset);
  const size = dv.getUint32(off + 12, true);
  if (size < 92 || off + size > b.length) return false;
  const copy = b.slice(off, off + size);
  const stored = dv.getUint32(off + 16, true);
  copy.fill(0, 16, 20);
  return crc32(copy) === stored;
}

/** Mixed-endian GUID text, as sgdisk and the UEFI spec print it. */
export function guidText(b: Uint8Array, off: number): string {
  const h = (i: number) => b[off + i].toString(16).padStart(2, '0');
  const part = (idx: number[]) => idx.map(h).join('');
  return `${part([3, 2, 1, 0])}-${part([5, 4])}-${part([7, 6])}-${part([8, 9])}-${part([10, 11, 12, 13, 14, 15])}`.toUpperCase();
}

interface Partition {
  number: number;
  name: string;
  typeGuid: string;
  uniqueGuid: string;
  attrs: bigint;
  start: number;
  end: number; // exclusive, bytes
  node: ContentNode;
}

interface Segment {
  start: number;
  end: number;
  targets: Sink[];
}

export class GptParser implements LevelParser {
  private head: Uint8Array[] | null = [];
  private headLen = 0;
  private pos = 0;
  private parts: Partition[] = [];
  private segments: Segment[] = [];
  private seg = 0;
  private readonly outside: ContentNode;
  private list: ManifestEntry[] | null = null;

  constructor(
    private readonly path: string[],
    private readonly ctx: PassContext,
    private readonly sectorSize: number,
  ) {
    this.outside = new ContentNode([...path, OUTSIDE_PARTITIONS], ctx, { parse: false });
  }

  write(chunk: Uint8Array): void {
    if (this.head) {
      this.head.push(chunk.slice());
      this.headLen += chunk.length;
      const buf = concat(this.head, this.headLen);
      const need = this.tableEnd(buf);
      if (need > this.headLen) {
        this.head = [buf];
        return;
      }
      this.head = null;
      this.readTable(buf);
      this.route(buf);
      return;
    }
    this.route(chunk);
  }

  end(): void {
    if (this.head) throw new FormatError('the disk image ends inside its partition table');
    for (const p of this.parts) p.node.end();
    this.outside.end();
    const short = this.parts.filter((p) => p.node.size < p.end - p.start);
    for (const p of short) {
      this.ctx.notes.push(`partition ${p.name} should hold ${p.end - p.start} bytes but the disk image ends after ${p.node.size}`);
    }
    const entries: ManifestEntry[] = this.parts.map((p) => {
      const r = p.node.result();
      let detail = `type=${p.typeGuid} guid=${p.uniqueGuid} off=${p.start}`;
      if (p.attrs !== 0n) detail += ` attrs=${p.attrs.toString(16)}`;
      const e: ManifestEntry = { path: p.name, kind: 'partition', size: r.size, sha256: r.sha256, detail };
      if (r.children) e.children = r.children;
      if (r.truncated) e.truncated = true;
      return e;
    });
    const o = this.outside.result();
    entries.push({ path: OUTSIDE_PARTITIONS, kind: 'other', size: o.size, sha256: o.sha256 });
    this.list = entries;
  }

  entries(): ManifestEntry[] {
    return this.list ?? [];
  }

  truncated(): boolean {
    return false;
  }

  /** Bytes needed before the table can be read: header, then the whole entry array. */
  private tableEnd(buf: Uint8Array): number {
    const ss = this.sectorSize;
    if (buf.length < 2 * ss) return 2 * ss;
    const dv = new DataView(buf.buffer, buf.byteOffset);
    const entryLba = Number(dv.getBigUint64(ss + 72, true));
    const count = dv.getUint32(ss + 80, true);
    const size = dv.getUint32(ss + 84, true);
    const bytes = count * size;
    if (size < 128 || bytes > MAX_TABLE_BYTES || entryLba < 2) throw new FormatError('implausible GPT partition table');
    return entryLba * ss + bytes;
  }

  private readTable(buf: Uint8Array): void {
    const ss = this.sectorSize;
    const dv = new DataView(buf.buffer, buf.byteOffset);
    const entryLba = Number(dv.getBigUint64(ss + 72, true));
    const count = dv.getUint32(ss + 80, true);
    const size = dv.getUint32(ss + 84, true);
    const table = buf.subarray(entryLba * ss, entryLba * ss + count * size);
    if (crc32(table) !== dv.getUint32(ss + 88, true)) throw new FormatError('GPT partition table CRC mismatch');

    const raw: Omit<Partition, 'node' | 'name'>[] = [];
    const names: string[] = [];
    for (let i = 0; i < count; i++) {
      const e = table.subarray(i * size, (i + 1) * size);
      if (e.subarray(0, 16).every((x) => x === 0)) continue; // unused slot
      const edv = new DataView(e.buffer, e.byteOffset);
      const first = Number(edv.getBigUint64(32, true));
      const last = Number(edv.getBigUint64(40, true));
      if (last < first) throw new FormatError(`GPT entry ${i + 1} ends before it starts`);
      let name = '';
      for (let j = 56; j + 1 < 128; j += 2) {
        const cu = edv.getUint16(j, true);
        if (cu === 0) break;
        name += String.fromCharCode(cu);
      }
      names.push(name);
      raw.push({
        number: i + 1,
        typeGuid: guidText(e, 0),
        uniqueGuid: guidText(e, 16),
        attrs: edv.getBigUint64(48, true),
        start: first * ss,
        end: (last + 1) * ss,
      });
    }
    const counts = new Map<string, number>();
    for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
    this.parts = raw.map((p, i) => {
      const n = names[i];
      const name = n === '' ? `#${p.number}` : counts.get(n)! > 1 ? `${n}#${p.number}` : n;
      return { ...p, name, node: new ContentNode([...this.path, name], this.ctx) };
    });

    // Segments between every boundary, each with the partitions covering it (or `outside`).
    const cuts = [...new Set([0, ...this.parts.flatMap((p) => [p.start, p.end])])].sort((a, b) => a - b);
    cuts.push(Infinity);
    for (let i = 0; i + 1 < cuts.length; i++) {
      const [start, end] = [cuts[i], cuts[i + 1]];
      const targets: Sink[] = this.parts.filter((p) => p.start <= start && start < p.end).map((p) => p.node);
      this.segments.push({ start, end, targets: targets.length ? targets : [this.outside] });
    }
    if (this.parts.some((a, i) => this.parts.some((b, j) => i < j && a.start < b.end && b.start < a.end))) {
      this.ctx.notes.push(`${[...this.path].join(' › ') || 'the disk'}: partitions overlap; shared bytes count in each`);
    }
  }

  private route(chunk: Uint8Array): void {
    let o = 0;
    while (o < chunk.length) {
      const s = this.segments[this.seg];
      const n = Math.min(chunk.length - o, s.end - this.pos);
      const sub = chunk.subarray(o, o + n);
      for (const t of s.targets) t.write(sub);
      o += n;
      this.pos += n;
      if (this.pos === s.end) this.seg++;
    }
  }
}
