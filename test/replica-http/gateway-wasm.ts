/**
 * Test fixture: a hand-assembled canister module that answers `http_request` (query) and
 * `http_request_update` (update) with fixed Candid replies. The probe canister has no HTTP
 * interface, and this keeps the gateway test independent of an azle build.
 */
import { IDL } from '@dfinity/candid';

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const name = (s: string) => { const b = [...new TextEncoder().encode(s)]; return [...uleb(b.length), ...b]; };
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const i32 = (n: number) => { // signed LEB128 for i32.const
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) { out.push(b); return out; }
    out.push(b | 0x80);
  }
};

/** A module whose exported methods each reply with fixed bytes. */
export function replyingModule(methods: Array<{ export: string; reply: Uint8Array }>): Uint8Array<ArrayBuffer> {
  let offset = 0;
  const placed = methods.map((m) => { const at = offset; offset += m.reply.length; return { ...m, at }; });
  const body = (at: number, len: number) => {
    const code = [0x00, 0x41, ...i32(at), 0x41, ...i32(len), 0x10, 0x00, 0x10, 0x01, 0x0b]; // no locals; append; reply; end
    return [...uleb(code.length), ...code];
  };
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, 2, 0x7f, 0x7f, 0], [0x60, 0, 0]])),
    ...section(2, vec([
      [...name('ic0'), ...name('msg_reply_data_append'), 0x00, 0],
      [...name('ic0'), ...name('msg_reply'), 0x00, 1],
    ])),
    ...section(3, vec(placed.map(() => [1]))),
    ...section(5, vec([[0x00, 1]])),
    ...section(7, vec([[...name('memory'), 0x02, 0], ...placed.map((m, i) => [...name(m.export), 0x00, ...uleb(2 + i)])])),
    ...section(10, vec(placed.map((m) => body(m.at, m.reply.length)))),
    ...section(11, vec(placed.map((m) => [0x00, 0x41, ...i32(m.at), 0x0b, ...uleb(m.reply.length), ...m.reply]))),
  ];
  return new Uint8Array(bytes);
}

const Header = IDL.Tuple(IDL.Text, IDL.Text);
/** The response type as canisters declare it, including a field the gateway does not read. */
const HttpResponseWithStreaming = IDL.Record({
  status_code: IDL.Nat16,
  headers: IDL.Vec(Header),
  body: IDL.Vec(IDL.Nat8),
  upgrade: IDL.Opt(IDL.Bool),
  streaming_strategy: IDL.Opt(IDL.Null),
});

export function httpResponse(status: number, body: string, headers: Array<[string, string]>, upgrade?: boolean): Uint8Array {
  return new Uint8Array(IDL.encode([HttpResponseWithStreaming], [{
    status_code: status,
    headers,
    body: new TextEncoder().encode(body),
    upgrade: upgrade === undefined ? [] : [upgrade],
    streaming_strategy: [],
  }]));
}
