/**
 * Streaming tar reader (ustar, GNU, PAX), one entry per member with its own content node.
 *
 * Written here rather than on tar-stream because real IC-OS images are sparse tars
 * (`tar --sparse`): GNU tar's default format writes old-GNU sparse members (type `S`) whose
 * extension headers are *not* counted in the header's size field, which tar-stream reads as
 * data (misaligning every later member), and tar-stream exposes no sparse map. This reader
 * handles GNU sparse (`S`, with extension headers) and PAX sparse 0.0, 0.1 and 1.0, and hashes
 * the *expanded* content (holes as zeros: what extraction gives, so `sha256sum` of the extracted
 * file matches), recording a digest of the hole map in `detail` (see protocol/manifest.ts).
 * Being synchronous, nested levels cost no stream per member. tar-stream is kept as a test
 * oracle for the plain formats.
 */
import { createHash } from 'node:crypto';
import type { ManifestEntry } from '../../protocol/types.js';
import { ContentNode } from './content.js';
import { FormatError, ZEROS, type LevelParser, type PassContext, type Sink } from './sink.js';

const BLOCK = 512;
const MAX_META_BYTES = 1 << 20;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const DETAIL_MAX = 128;
const PATH_MAX = 512;

const ascii = (b: Uint8Array, off: number, len: number): string => {
  let s = '';
  for (let i = off; i < off + len && b[i] !== 0; i++) s += String.fromCharCode(b[i]);
  return s;
};
const utf8 = new TextDecoder('utf-8');
const str = (b: Uint8Array, off: number, len: number): string => {
  let end = off;
  while (end < off + len && b[end] !== 0) end++;
  return utf8.decode(b.subarray(off, end));
};

/** Octal (NUL/space padded) or base-256 (high bit set) number field. */
function num(b: Uint8Array, off: number, len: number): number {
  if (b[off] & 0x80) {
    if (b[off] === 0xff) throw new FormatError('negative number in a tar header');
    let v = b[off] & 0x7f;
    for (let i = off + 1; i < off + len; i++) v = v * 256 + b[i];
    return v;
  }
  const s = ascii(b, off, len).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new FormatError(`bad octal number "${s}" in a tar header`);
  return parseInt(s, 8);
}

function checksumOk(h: Uint8Array): boolean {
  let stored: number;
  try {
    stored = num(h, 148, 8);
  } catch {
    return false;
  }
  let u = 0;
  let s = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 32 : h[i];
    u += b;
    s += (b << 24) >> 24;
  }
  return stored === u || stored === s;
}

/** First block is a ustar/GNU header with a valid checksum. */
export function looksLikeTar(buf: Uint8Array): boolean {
  return buf.length >= BLOCK && ascii(buf, 257, 5) === 'ustar' && checksumOk(buf.subarray(0, BLOCK));
}

function isZeroBlock(b: Uint8Array): boolean {
  for (let i = 0; i < BLOCK; i++) if (b[i] !== 0) return false;
  return true;
}

type Pax = [string, string][];

function parsePax(b: Uint8Array): Pax {
  const out: Pax = [];
  let i = 0;
  while (i < b.length) {
    let j = i;
    while (j < b.length && b[j] !== 0x20) j++;
    const len = parseInt(ascii(b, i, j - i), 10);
    if (!(len > 0) || i + len > b.length) {
      if (b[i] === 0) break; // padding
      throw new FormatError('malformed PAX header record');
    }
    const rec = utf8.decode(b.subarray(j + 1, i + len - 1)); // drop the trailing newline
    const eq = rec.indexOf('=');
    if (eq < 0) throw new FormatError('malformed PAX header record');
    out.push([rec.slice(0, eq), rec.slice(eq + 1)]);
    i += len;
  }
  return out;
}

const paxGet = (p: Pax, key: string): string | undefined => {
  let v: string | undefined;
  for (const [k, x] of p) if (k === key) v = x; // last one wins
  return v;
};

function paxInt(v: string | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new FormatError(`bad PAX ${what} "${v}"`);
  return Number(v);
}

type Segment = [offset: number, length: number];

interface Sparse {
  map: Segment[];
  realSize: number;
  /** Format for the detail: gnu (old GNU), pax0, pax1. */
  idx: number;
  left: number;
  pos: number;
}

interface Current {
  name: string;
  kind: ManifestEntry['kind'];
  detail: string;
  /** Receives the (expanded) content; null for entries with no content of their own. */
  node: ContentNode | null;
  fixed?: { size: number; sha256: string };
  stored: number;
  sparse: Sparse | null;
  /** PAX 1.0: the map is at the start of the data. */
  mapText?: string;
  record: boolean;
}

function clampDetail(d: string): string {
  if (d.length <= DETAIL_MAX) return d;
  const h = createHash('sha256').update(d).digest('hex').slice(0, 16);
  return `${d.slice(0, DETAIL_MAX - 19)}…#${h}`.slice(0, DETAIL_MAX);
}

function clampPath(p: string): string {
  if (p.length <= PATH_MAX) return p;
  const h = createHash('sha256').update(p).digest('hex').slice(0, 16);
  return `${p.slice(0, PATH_MAX - 18)}…#${h}`;
}

function sparseDigest(s: { map: Segment[]; realSize: number }): string {
  const h = createHash('sha256');
  for (const [o, l] of s.map) h.update(`${o},${l};`);
  h.update(`size=${s.realSize}`);
  return h.digest('hex').slice(0, 16);
}

export class TarParser implements LevelParser {
  private readonly block = new Uint8Array(BLOCK);
  private blockLen = 0;
  private phase: 'header' | 'ext' | 'mapblock' | 'meta' | 'data' | 'pad' | 'done' = 'header';
  private remaining = 0;
  private zeroBlocks = 0;
  private meta: Uint8Array[] = [];
  private metaType = '';
  private pax: Pax = [];
  private paxGlobal: Pax = [];
  private longName: string | null = null;
  private longLink: string | null = null;
  private cur: Current | null = null;
  private pendingSparse: Segment[] = [];
  private readonly list: ManifestEntry[] = [];
  private overflow: { count: number; size: number; hash: ReturnType<typeof createHash> } | null = null;

  constructor(
    private readonly path: string[],
    private readonly ctx: PassContext,
  ) {}

  entries(): ManifestEntry[] {
    if (!this.overflow) return this.list;
    const o = this.overflow;
    return [
      ...this.list,
      { path: `(${o.count} more entries)`, kind: 'other', size: o.size, sha256: o.hash.copy().digest('hex'), truncated: true },
    ];
  }

  truncated(): boolean {
    return this.overflow !== null;
  }

  write(chunk: Uint8Array): void {
    let off = 0;
    while (off < chunk.length) {
      const avail = chunk.length - off;
      switch (this.phase) {
        case 'header':
        case 'ext':
        case 'mapblock': {
          const n = Math.min(BLOCK - this.blockLen, avail);
          this.block.set(chunk.subarray(off, off + n), this.blockLen);
          this.blockLen += n;
          off += n;
          if (this.blockLen === BLOCK) {
            this.blockLen = 0;
            if (this.phase === 'header') this.onHeader(this.block);
            else if (this.phase === 'ext') this.onExtension(this.block);
            else this.onMapBlock(this.block);
          }
          break;
        }
        case 'meta': {
          const n = Math.min(this.remaining, avail);
          this.meta.push(chunk.slice(off, off + n));
          this.remaining -= n;
          off += n;
          if (this.remaining === 0) this.onMeta();
          break;
        }
        case 'data': {
          const n = Math.min(this.remaining, avail);
          this.feed(chunk.subarray(off, off + n));
          this.remaining -= n;
          off += n;
          if (this.remaining === 0) this.finishEntry();
          break;
        }
        case 'pad': {
          const n = Math.min(this.remaining, avail);
          this.remaining -= n;
          off += n;
          if (this.remaining === 0) this.phase = 'header';
          break;
        }
        case 'done':
          return; // the rest is end-of-archive padding
      }
    }
  }

  end(): void {
    if (this.phase === 'done' || (this.phase === 'header' && this.blockLen === 0)) return;
    if (this.phase === 'pad' && this.cur === null) return; // padding cut short: harmless
    throw new FormatError('the tar ends in the middle of a member');
  }

  // ------------------------------------------------------------ headers

  private onHeader(h: Uint8Array): void {
    if (isZeroBlock(h)) {
      if (++this.zeroBlocks >= 2) this.phase = 'done';
      return;
    }
    this.zeroBlocks = 0;
    if (!checksumOk(h)) throw new FormatError('bad tar header checksum (corrupt or not a tar)');
    const type = h[156] === 0 ? '0' : String.fromCharCode(h[156]);
    const size = num(h, 124, 12);

    if (type === 'x' || type === 'g' || type === 'L' || type === 'K') {
      if (size > MAX_META_BYTES) throw new FormatError(`tar metadata header of ${size} bytes is too large`);
      this.metaType = type;
      this.meta = [];
      this.remaining = size;
      this.phase = 'meta';
      if (size === 0) this.onMeta();
      return;
    }

    const pax: Pax = [...this.paxGlobal, ...this.pax];
    this.pax = [];
    const posix = ascii(h, 257, 6) === 'ustar' && h[262] === 0; // "ustar\0": prefix field valid
    let name = this.longName ?? str(h, 0, 100);
    if (this.longName === null && posix && h[345] !== 0) name = `${str(h, 345, 155)}/${name}`;
    name = paxGet(pax, 'path') ?? name;
    const link = paxGet(pax, 'linkpath') ?? this.longLink ?? str(h, 157, 100);
    this.longName = null;
    this.longLink = null;

    const mode = (num(h, 100, 8) & 0o7777).toString(8).padStart(4, '0');
    const uid = paxGet(pax, 'uid') ?? String(num(h, 108, 8));
    const gid = paxGet(pax, 'gid') ?? String(num(h, 116, 8));
    const mtime = (paxGet(pax, 'mtime') ?? String(num(h, 136, 12))).split('.')[0];
    const stored = paxInt(paxGet(pax, 'size'), 'size') ?? size;
    let detail = `mode=${mode} owner=${uid}:${gid} mtime=${mtime}`;

    // Sparse members: old GNU (type S) or PAX (GNU.sparse.* keys).
    let sparse: Sparse | null = null;
    let mapText: string | undefined;
    const major = paxGet(pax, 'GNU.sparse.major');
    if (type === 'S') {
      this.pendingSparse = readGnuMap(h, 386, 4);
      sparse = { map: [], realSize: num(h, 483, 12), idx: 0, left: 0, pos: 0 };
    } else if (major === '1') {
      name = paxGet(pax, 'GNU.sparse.name') ?? name;
      const real = paxInt(paxGet(pax, 'GNU.sparse.realsize'), 'GNU.sparse.realsize');
      if (real === undefined) throw new FormatError(`PAX sparse member ${name} has no GNU.sparse.realsize`);
      sparse = { map: [], realSize: real, idx: 0, left: 0, pos: 0 };
      mapText = '';
    } else if (paxGet(pax, 'GNU.sparse.map') !== undefined || paxGet(pax, 'GNU.sparse.offset') !== undefined) {
      name = paxGet(pax, 'GNU.sparse.name') ?? name;
      const real = paxInt(paxGet(pax, 'GNU.sparse.size') ?? paxGet(pax, 'GNU.sparse.realsize'), 'GNU.sparse.size');
      if (real === undefined) throw new FormatError(`PAX sparse member ${name} has no GNU.sparse.size`);
      sparse = { map: paxMap(pax), realSize: real, idx: 0, left: 0, pos: 0 };
    }

    let kind: ManifestEntry['kind'] = 'file';
    let fixed: Current['fixed'];
    const linkSha = () => createHash('sha256').update(link).digest('hex');
    switch (type) {
      case '0': case '7': case 'S':
        break;
      case '5':
        kind = 'dir';
        fixed = { size: 0, sha256: EMPTY_SHA256 };
        break;
      case '2':
        kind = 'symlink';
        fixed = { size: Buffer.byteLength(link), sha256: linkSha() };
        detail += ` link=${link}`;
        break;
      case '1':
        kind = 'other';
        fixed = { size: Buffer.byteLength(link), sha256: linkSha() };
        detail += ` hardlink=${link}`;
        break;
      case '3': case '4':
        kind = 'other';
        fixed = { size: 0, sha256: EMPTY_SHA256 };
        detail += ` type=${type} dev=${num(h, 329, 8)}:${num(h, 337, 8)}`;
        break;
      default:
        kind = 'other';
        detail += ` type=${type}`;
    }

    const record = this.list.length < this.ctx.maxEntriesPerLevel;
    const entryPath = clampPath(name);
    this.cur = {
      name: entryPath,
      kind,
      detail,
      node: fixed ? null : new ContentNode([...this.path, entryPath], this.ctx, { parse: record }),
      fixed,
      stored,
      sparse,
      mapText,
      record,
    };
    if (type === 'S' && h[482] !== 0) {
      this.phase = 'ext';
      return;
    }
    this.startData();
  }

  /** Old GNU sparse: 21 more map entries per extension block, flag at 504. */
  private onExtension(h: Uint8Array): void {
    this.pendingSparse.push(...readGnuMap(h, 0, 21));
    if (h[504] !== 0) return;
    this.startData();
  }

  private startData(): void {
    const c = this.cur!;
    if (c.sparse && c.mapText === undefined && c.sparse.map.length === 0) c.sparse.map = this.pendingSparse;
    this.pendingSparse = [];
    if (c.sparse) checkMap(c.sparse, c.name);
    this.remaining = c.stored;
    if (c.mapText !== undefined) {
      this.phase = c.stored > 0 ? 'mapblock' : 'data';
      if (c.stored === 0) throw new FormatError(`PAX sparse member ${c.name} has no map`);
      return;
    }
    this.phase = 'data';
    if (this.remaining === 0) this.finishEntry();
  }

  /** PAX sparse 1.0: decimal numbers, one per line: count, then offset/length pairs; padded to 512. */
  private onMapBlock(b: Uint8Array): void {
    const c = this.cur!;
    this.remaining -= BLOCK;
    c.mapText += ascii(b, 0, BLOCK);
    const lines = c.mapText!.split('\n');
    const complete = lines.slice(0, -1);
    if (complete.length >= 1) {
      const n = Number(complete[0]);
      if (!Number.isSafeInteger(n) || n < 0) throw new FormatError(`bad sparse map in ${c.name}`);
      if (complete.length >= 1 + 2 * n) {
        const nums = complete.slice(1, 1 + 2 * n).map((x) => {
          if (!/^\d+$/.test(x)) throw new FormatError(`bad sparse map in ${c.name}`);
          return Number(x);
        });
        c.sparse!.map = [];
        for (let i = 0; i < n; i++) c.sparse!.map.push([nums[2 * i], nums[2 * i + 1]]);
        c.mapText = undefined;
        checkMap(c.sparse!, c.name);
        this.phase = 'data';
        if (this.remaining === 0) this.finishEntry();
        return;
      }
    }
    if (this.remaining <= 0 || c.mapText!.length > MAX_META_BYTES) throw new FormatError(`sparse map of ${c.name} is cut short`);
  }

  private onMeta(): void {
    const buf = Buffer.concat(this.meta);
    this.meta = [];
    switch (this.metaType) {
      case 'x':
        this.pax.push(...parsePax(buf));
        break;
      case 'g':
        this.paxGlobal.push(...parsePax(buf));
        break;
      case 'L':
        this.longName = str(buf, 0, buf.length);
        break;
      case 'K':
        this.longLink = str(buf, 0, buf.length);
        break;
    }
    this.toPad(buf.length);
  }

  private toPad(size: number): void {
    this.remaining = (BLOCK - (size % BLOCK)) % BLOCK;
    this.phase = this.remaining ? 'pad' : 'header';
  }

  // ------------------------------------------------------------ content

  private feed(data: Uint8Array): void {
    const c = this.cur!;
    const target = c.node;
    if (!target) return; // directories, links: nothing to hash
    const sp = c.sparse;
    if (!sp) {
      target.write(data);
      return;
    }
    let o = 0;
    while (o < data.length) {
      while (sp.left === 0) {
        if (sp.idx >= sp.map.length) throw new FormatError(`${c.name} holds more data than its sparse map`);
        const [so, sl] = sp.map[sp.idx++];
        zeroFill(target, sp, so - sp.pos);
        sp.left = sl;
      }
      const n = Math.min(sp.left, data.length - o);
      target.write(data.subarray(o, o + n));
      sp.pos += n;
      sp.left -= n;
      o += n;
    }
  }

  private finishEntry(): void {
    const c = this.cur!;
    if (c.node && c.sparse) {
      const sp = c.sparse;
      if (sp.left !== 0) throw new FormatError(`${c.name} holds less data than its sparse map`);
      while (sp.idx < sp.map.length) {
        const [so, sl] = sp.map[sp.idx++];
        if (sl !== 0) throw new FormatError(`${c.name} holds less data than its sparse map`);
        zeroFill(c.node, sp, so - sp.pos);
      }
      zeroFill(c.node, sp, sp.realSize - sp.pos);
      c.detail += ` sparse=${sparseDigest(sp)}`;
    }
    let entry: ManifestEntry;
    if (c.node) {
      c.node.end();
      const r = c.node.result();
      entry = { path: c.name, kind: c.kind, size: r.size, sha256: r.sha256, detail: clampDetail(c.detail) };
      if (r.children) entry.children = r.children;
      if (r.truncated) entry.truncated = true;
    } else {
      entry = { path: c.name, kind: c.kind, size: c.fixed!.size, sha256: c.fixed!.sha256, detail: clampDetail(c.detail) };
    }
    if (c.record) this.list.push(entry);
    else {
      this.overflow ??= { count: 0, size: 0, hash: createHash('sha256') };
      this.overflow.count++;
      this.overflow.size += entry.size;
      this.overflow.hash.update(`${entry.path}\0${entry.size}\0${entry.sha256}\n`);
    }
    this.cur = null;
    this.toPad(c.stored);
  }
}

function readGnuMap(h: Uint8Array, off: number, count: number): Segment[] {
  const out: Segment[] = [];
  for (let i = 0; i < count; i++) {
    const o = off + i * 24;
    if (h[o] === 0) break;
    out.push([num(h, o, 12), num(h, o + 12, 12)]);
  }
  return out;
}

/** PAX sparse 0.1 (`GNU.sparse.map=o,n,o,n`) or 0.0 (repeated offset/numbytes keys). */
function paxMap(pax: Pax): Segment[] {
  const map = paxGet(pax, 'GNU.sparse.map');
  const nums: number[] = [];
  if (map !== undefined) {
    for (const x of map.split(',')) {
      if (!/^\d+$/.test(x)) throw new FormatError('bad GNU.sparse.map');
      nums.push(Number(x));
    }
  } else {
    for (const [k, v] of pax) {
      if (k === 'GNU.sparse.offset' || k === 'GNU.sparse.numbytes') {
        if (!/^\d+$/.test(v)) throw new FormatError(`bad ${k}`);
        nums.push(Number(v));
      }
    }
  }
  if (nums.length % 2) throw new FormatError('odd number of values in a sparse map');
  const out: Segment[] = [];
  for (let i = 0; i < nums.length; i += 2) out.push([nums[i], nums[i + 1]]);
  return out;
}

/** Holes are hashed as zeros: refuse expansions no real image has (a hostile tar could ask for exabytes). */
const MAX_SPARSE_SIZE = 2 ** 42; // 4 TiB

function checkMap(sp: Sparse, name: string): void {
  if (!Number.isSafeInteger(sp.realSize) || sp.realSize > MAX_SPARSE_SIZE) throw new FormatError(`sparse member ${name} claims ${sp.realSize} bytes, more than ${MAX_SPARSE_SIZE}`);
  let end = 0;
  for (const [o, l] of sp.map) {
    if (o < end) throw new FormatError(`sparse map of ${name} is not in order`);
    end = o + l;
  }
  if (end > sp.realSize) throw new FormatError(`sparse map of ${name} goes past its size`);
}

function zeroFill(target: Sink, sp: Sparse, n: number): void {
  if (n < 0) throw new FormatError('sparse map goes backwards');
  while (n > 0) {
    const k = Math.min(n, ZEROS.length);
    target.write(ZEROS.subarray(0, k));
    sp.pos += k;
    n -= k;
  }
}
