/** Which read_state paths a sender may read (interface spec, "Request: Read state"). */
import { Principal } from '@dfinity/principal';
import { bytesToHex } from '@noble/hashes/utils';
import type { Path } from '../../protocol/hash-tree.js';

export interface PathContext {
  scope: 'canister' | 'subnet';
  /** The canister or subnet id in the URL. */
  id: Principal;
  sender: Principal;
  subnetId: Principal;
  /** Sender of a known request, undefined if the id is unknown. */
  requestSender(requestId: Uint8Array): Principal | undefined;
  isController(canisterId: Principal, p: Principal): boolean;
  isPrivateSection(canisterId: Principal, name: string): boolean;
}

export interface PathDenied {
  status: 400 | 403 | 404;
  message: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
const show = (p: Path) => '/' + p.map((l) => (/^[\x21-\x7e]*$/.test(utf8.decode(l)) ? utf8.decode(l) : bytesToHex(l))).join('/');

export function authorizePaths(paths: Path[], ctx: PathContext): PathDenied | null {
  let requestId: string | null = null;
  for (const path of paths) {
    if (path.length === 0) return { status: 404, message: 'Invalid path requested: the empty path' };
    const top = utf8.decode(path[0]);
    if (top === 'time') continue;
    if (top === 'subnet') {
      if (ctx.scope === 'subnet' && path.length > 1 && bytesToHex(path[1]) !== bytesToHex(ctx.subnetId.toUint8Array())) {
        return { status: 404, message: `Invalid path requested: ${show(path)} is not about subnet ${ctx.id.toText()}` };
      }
      continue;
    }
    if (ctx.scope === 'subnet') return { status: 404, message: `Invalid path requested: ${show(path)} (a subnet's read_state answers time and subnet paths)` };
    if (top === 'request_status') {
      if (path.length < 2) return { status: 404, message: 'Invalid path requested: /request_status needs a request id' };
      const rid = bytesToHex(path[1]);
      if (requestId !== null && requestId !== rid) {
        return { status: 400, message: 'Invalid read_state request: all request_status paths must name the same request id' };
      }
      requestId = rid;
      const owner = ctx.requestSender(path[1]);
      if (owner && owner.toText() !== ctx.sender.toText()) {
        return { status: 403, message: `Request ${rid} was not sent by ${ctx.sender.toText()}; only its sender may read its status` };
      }
      continue;
    }
    if (top === 'canister') {
      if (path.length < 2) return { status: 404, message: 'Invalid path requested: /canister needs a canister id' };
      const cid = Principal.fromUint8Array(path[1]);
      if (cid.toText() !== ctx.id.toText()) {
        return { status: 400, message: `Effective canister id in the URL (${ctx.id.toText()}) does not match the canister in the path ${show(path)}` };
      }
      if (path.length >= 4 && utf8.decode(path[2]) === 'metadata') {
        const name = utf8.decode(path[3]);
        if (ctx.isPrivateSection(cid, name) && !ctx.isController(cid, ctx.sender)) {
          return { status: 403, message: `Custom section ${name} of ${cid.toText()} is private: only its controllers may read it` };
        }
      }
      continue;
    }
    return { status: 404, message: `Invalid path requested: ${show(path)}` };
  }
  return null;
}
