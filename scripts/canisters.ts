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

/** Candid text without comments, white space and argument names, so a commented .did with named arguments compares equal to azle's. */
export function normalizeCandid(did: string): string {
  return stripArgNames(did.replace(/\/\/[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\s+/g, ''));
}

/** Drops `name:` at the start of each component of a parenthesised tuple: only argument lists are parenthesised in Candid. */
export function stripArgNames(s: string): string {
  const stack: string[] = [];
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    out += c;
    if (c === '(' || c === '{') stack.push(c);
    else if (c === ')' || c === '}') stack.pop();
    if ((c === '(' || c === ',') && stack[stack.length - 1] === '(') {
      const m = /^([A-Za-z_][A-Za-z0-9_]*|"(?:[^"\\]|\\.)*"):/.exec(s.slice(i + 1));
      if (m) i += m[0].length;
    }
  }
  return out;
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
