/**
 * Text ↔ bytes at native speed inside the canister. JavaScript here is QuickJS interpreted in
 * Wasm: a byte loop costs ≈ 6-10 K instructions per byte, and Azle's TextEncoder/TextDecoder
 * are pure-JS polyfills of that kind. @dfinity/candid makes one per text value it encodes or
 * decodes, and the store, pages and reports turn text into bytes all the time, so:
 * - short ASCII: split + Map.prototype.get as the map callback (native loops only);
 * - long text: Azle's Rust-side Candid parser. A string given as a Candid text literal comes back
 *   as a Candid message whose value is exactly its UTF-8 bytes (≈ 1 K instructions per byte,
 *   most of it the escaping regexes);
 * - decoding: String.fromCharCode over chunks, then a native check that it was ASCII.
 * Anything else (a lone surrogate, outside a canister) takes the plain encoders: same output.
 */
import { utf8Decode, utf8Encode } from '../protocol/bytes.js';

type Encoder = { encode(input?: string): Uint8Array };
type Decoder = { decode(input?: ArrayBuffer | ArrayBufferView): string };
type DecoderCtor = new (label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean }) => Decoder;

interface NativeCandid {
  candidEncode(text: string): Uint8Array;
}

const NON_ASCII = /[^\u0000-\u007f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Control characters other than \n, which pages are full of (that one has its own, cheaper replace). */
const RARE_CONTROL = /[\x00-\x09\x0b-\x1f\x7f]/;
const RARE_CONTROLS = /[\x00-\x09\x0b-\x1f\x7f]/g;
/** `DIDL`, no type table, one argument of type text (0x71); its length (LEB128) follows. */
const TEXT_HEADER = [0x44, 0x49, 0x44, 0x4c, 0x00, 0x01, 0x71];
/** Below this the native call's fixed cost is not worth it. */
const NATIVE_MIN = 64;

/** char → code for the 128 ASCII characters. */
const ASCII_CODES = new Map<string, number>(Array.from({ length: 128 }, (_, i) => [String.fromCharCode(i), i]));

function splitBytes(s: string): Uint8Array {
  return new Uint8Array(s.split('').map(Map.prototype.get, ASCII_CODES) as number[]);
}

function native(): NativeCandid | undefined {
  const ic = (globalThis as { _azleIc?: NativeCandid })._azleIc;
  return ic !== undefined && typeof ic.candidEncode === 'function' ? ic : undefined;
}

const byteEscape = (c: string): string => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`;

/** As a Candid text literal: `\`, `"` and control characters as `\XX` byte escapes, the rest verbatim. */
function candidLiteral(s: string): string {
  let body = s.replace(/\\/g, '\\5c').replace(/"/g, '\\22').replace(/\n/g, '\\0a');
  if (RARE_CONTROL.test(body)) body = body.replace(RARE_CONTROLS, byteEscape);
  return `("${body}")`;
}

/** The UTF-8 bytes of `s` from the native Candid encoder, or null if its answer is not the expected shape. */
function nativeUtf8(ic: NativeCandid, s: string): Uint8Array | null {
  const out = ic.candidEncode(candidLiteral(s));
  for (let i = 0; i < TEXT_HEADER.length; i++) if (out[i] !== TEXT_HEADER[i]) return null;
  let at = TEXT_HEADER.length;
  let length = 0;
  for (let scale = 1; ; scale *= 128) {
    const b = out[at++];
    if (b === undefined) return null;
    length += (b & 0x7f) * scale;
    if (b < 0x80) break;
  }
  return out.length - at === length ? out.subarray(at) : null;
}

/** UTF-8 bytes of `s`; null when `s` holds a lone surrogate (not encodable). */
export function encodeUtf8(s: string): Uint8Array | null {
  const ascii = !NON_ASCII.test(s);
  const ic = native();
  if (ic !== undefined && s.length >= NATIVE_MIN && !LONE_SURROGATE.test(s)) {
    const bytes = nativeUtf8(ic, s);
    if (bytes !== null) return bytes;
  }
  return ascii ? splitBytes(s) : utf8Encode(s);
}

/** Bytes of an ASCII string. */
export function asciiBytes(s: string): Uint8Array {
  return encodeUtf8(s) ?? splitBytes(s);
}

/** Bytes as text, one character per byte (exact for ASCII): native, no per-element JS iteration. */
export function asciiText(bytes: Uint8Array): string {
  let text = '';
  // A typed array is array-like: apply reads it natively.
  for (let i = 0; i < bytes.length; i += 8192) text += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192) as unknown as number[]);
  return text;
}

/** Text of UTF-8 bytes (null when they are not UTF-8): ASCII by native conversion, the rest by the full decoder. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  const s = asciiText(bytes);
  return NON_ASCII.test(s) ? utf8Decode(bytes) : s;
}

/** Replaces the global TextEncoder/TextDecoder with these (same results; the originals for what they do not cover). */
export function installFastText(): void {
  const g = globalThis as unknown as { TextEncoder?: new () => Encoder; TextDecoder?: DecoderCtor };
  const SlowEncoder = g.TextEncoder;
  const SlowDecoder = g.TextDecoder;
  if (SlowEncoder === undefined || SlowDecoder === undefined) return;

  class FastTextEncoder {
    readonly encoding = 'utf-8';
    encode(input = ''): Uint8Array {
      return encodeUtf8(input) ?? new SlowEncoder!().encode(input);
    }
  }

  class FastTextDecoder {
    readonly encoding = 'utf-8';
    private readonly label?: string;
    private readonly options?: { fatal?: boolean; ignoreBOM?: boolean };
    constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean }) {
      this.label = label;
      this.options = options;
    }
    decode(input?: ArrayBuffer | ArrayBufferView): string {
      if (input === undefined) return '';
      const bytes = input instanceof Uint8Array ? input : ArrayBuffer.isView(input) ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength) : new Uint8Array(input);
      const s = asciiText(bytes);
      if (NON_ASCII.test(s)) return new SlowDecoder!(this.label, this.options).decode(bytes);
      return s;
    }
  }

  g.TextEncoder = FastTextEncoder as unknown as new () => Encoder;
  g.TextDecoder = FastTextDecoder as unknown as DecoderCtor;
}
