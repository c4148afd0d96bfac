/** The canisters this repository builds, and the small pure helpers the build uses. */
import { uleb128 } from '../protocol/leb128.js';

export interface CanisterSpec {
  name: string;
  /** Folder holding the dfx.json that names this canister (azle reads it). */
  dfxRoot: string;
  /** Source folders whose contents decide whether a rebuild is needed. */
  sources: string[];
  /** Committed Candid interface (with comments); the build checks it against azle's output. */
  candid: string;
  /** Output Wasm, with the Candid interface embedded as metadata. */
  wasm: string;
}

export const CANISTERS: CanisterSpec[] = [
  {
    name: 'attestations',
    dfxRoot: '.',
    sources: ['canister', 'protocol'],
    candid: 'canister/attestations.did',
    wasm: '.azle/attestations/attestations.wasm'
  },
  {
    name: 'probe',
    dfxRoot: 'test/fixtures/canisters/probe',
    sources: ['test/fixtures/canisters/probe/src'],
    candid: 'test/fixtures/canisters/probe/probe.did',
    wasm: '.azle/probe/probe.wasm'
  },
  {
    name: 'governance',
    dfxRoot: 'replica/governance',
    sources: ['replica/governance/src', 'protocol/nns'],
    candid: 'replica/governance/governance.did',
    wasm: '.azle/governance/governance.wasm'
  }
];

/** Candid text without comments and white space, so a commented .did compares equal to azle's. */
export function normalizeCandid(did: string): string {
  return did.replace(/\/\/[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\s+/g, '');
}

export function candidMatches(committed: string, emitted: string): boolean {
  return normalizeCandid(committed) === normalizeCandid(emitted);
}

/** Appends a Wasm custom section (id 0): size, name length, name, content. */
export function appendCustomSection(wasm: Uint8Array, name: string, content: Uint8Array): Uint8Array {
  const nameBytes = new TextEncoder().encode(name);
  const body = [...uleb128(nameBytes.length), ...nameBytes];
  const size = body.length + content.length;
  const header = [0, ...uleb128(size), ...body];
  const out = new Uint8Array(wasm.length + header.length + content.length);
  out.set(wasm, 0);
  out.set(header, wasm.length);
  out.set(content, wasm.length + header.length);
  return out;
}
