/**
 * Principal ↔ text, memoised: Principal.fromText re-encodes to check the CRC (≈ 4 M instructions
 * in QuickJS), and a report touches the same few hundred reviewers over and over.
 */
import { Principal } from '@dfinity/principal';

const MAX_ENTRIES = 10_000;
const byText = new Map<string, Principal>();
const texts = new WeakMap<Principal, string>();

export function principalFromText(text: string): Principal {
  let p = byText.get(text);
  if (p === undefined) {
    if (byText.size >= MAX_ENTRIES) byText.clear();
    p = Principal.fromText(text);
    byText.set(text, p);
    texts.set(p, text);
  }
  return p;
}

export function principalText(p: Principal): string {
  let t = texts.get(p);
  if (t === undefined) {
    t = p.toText();
    texts.set(p, t);
  }
  return t;
}
