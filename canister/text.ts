/**
 * Faster TextEncoder/TextDecoder for the canister. Azle installs a pure-JS polyfill that costs
 * tens of thousands of instructions per byte under QuickJS; @dfinity/candid creates one per
 * text value it encodes or decodes, so a 2 KB envelope cost ~100 M instructions each way and a
 * page of 100 attestations exceeded the 5 B query limit. ASCII (all our envelopes, hashes,
 * principals) takes a plain copy (still ~10 K instructions per character to encode: keep large
 * text out of replies); anything else falls back to the original, same semantics.
 */
type Encoder = { encode(input?: string): Uint8Array };
type Decoder = { decode(input?: ArrayBuffer | ArrayBufferView): string };
type DecoderCtor = new (label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean }) => Decoder;

const NON_ASCII = /[^\u0000-\u007f]/;

/** char → code for the 128 ASCII characters. */
const ASCII_CODES = new Map<string, number>(Array.from({ length: 128 }, (_, i) => [String.fromCharCode(i), i]));

/**
 * Bytes of an ASCII string using only native loops: split, then Map.prototype.get as the map
 * callback (a JS loop here costs ~10 K instructions per character).
 */
export function asciiBytes(s: string): Uint8Array {
  return new Uint8Array(s.split('').map(Map.prototype.get, ASCII_CODES) as number[]);
}

export function installFastText(): void {
  const g = globalThis as unknown as { TextEncoder?: new () => Encoder; TextDecoder?: DecoderCtor };
  const SlowEncoder = g.TextEncoder;
  const SlowDecoder = g.TextDecoder;
  if (SlowEncoder === undefined || SlowDecoder === undefined) return;

  class FastTextEncoder {
    readonly encoding = 'utf-8';
    encode(input = ''): Uint8Array {
      if (NON_ASCII.test(input)) return new SlowEncoder!().encode(input);
      return asciiBytes(input);
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
      // Native conversion first, then a native check: a JS loop costs ~10 K instructions per byte here.
      let s = '';
      for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192) as unknown as number[]);
      if (NON_ASCII.test(s)) return new SlowDecoder!(this.label, this.options).decode(bytes);
      return s;
    }
  }

  g.TextEncoder = FastTextEncoder as unknown as new () => Encoder;
  g.TextDecoder = FastTextDecoder as unknown as DecoderCtor;
}
