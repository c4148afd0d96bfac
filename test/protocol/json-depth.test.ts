/**
 * JSON nesting is bounded before any parser sees it (protocol/json-depth.ts): a signed payload
 * of 12,000 `[` is `invalid-statement`, an envelope file nested as deep `malformed-envelope`, in
 * the CLI exactly as in the canister (same code).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { base64Encode, canonicalJson, LIMITS, pae, parseEnvelope, PAYLOAD_TYPE, signerFromSecretKey, verifyEnvelope } from '../../protocol/index.js';
import { parseJsonBounded, scanJsonDepth } from '../../protocol/json-depth.js';

const key = signerFromSecretKey('ed25519', new Uint8Array(32).fill(0x5e));
const utf8 = (s: string) => new TextEncoder().encode(s);
const nest = (n: number, inner = '') => '['.repeat(n) + inner + ']'.repeat(n);

function signed(payloadText: string) {
  const payload = utf8(payloadText);
  return { payloadType: PAYLOAD_TYPE, payload: base64Encode(payload), signatures: [{ keyid: key.principal, sig: base64Encode(key.sign(pae(PAYLOAD_TYPE, payload))) }] };
}

/** Depth of a parsed value, counted like the scan: `[]` = 1. */
function depthOf(v: unknown): number {
  if (typeof v !== 'object' || v === null) return 0;
  const kids = Array.isArray(v) ? v : Object.values(v);
  return 1 + kids.reduce<number>((m, k) => Math.max(m, depthOf(k)), 0);
}

describe('JSON nesting limit', () => {
  it(`accepts ${LIMITS.jsonDepth} levels and refuses ${LIMITS.jsonDepth + 1}, strings and escapes aside`, () => {
    assert.equal(scanJsonDepth(nest(LIMITS.jsonDepth)), 'within');
    assert.equal(scanJsonDepth(nest(LIMITS.jsonDepth + 1)), 'too-deep');
    assert.equal(scanJsonDepth('{"a":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\"[[[[[[[","b":["\\\\",{}]}'), 'within');
    assert.equal(scanJsonDepth('['.repeat(12_000)), 'too-deep');
    assert.equal(scanJsonDepth('[[]'.repeat(40)), 'too-deep', 'unbalanced but deep: no run of openers needed');
    // A pair that becomes innermost only once another is removed is the next level, not this one.
    assert.equal(scanJsonDepth('{"":{"":[[],{"":[]}]}}', 4), 'too-deep', 'fast-check found this: 5 levels');
    assert.equal(scanJsonDepth('{"":{"":[[],{"":[]}]}}', 5), 'within');
    assert.equal(scanJsonDepth('[{[{[]}]}]', 4), 'too-deep');
    assert.equal(scanJsonDepth('[1,2'), 'unbalanced');
    const r = parseJsonBounded('[1,2');
    assert.ok(!r.ok && !/nested/.test(r.message), 'a shallow syntax error keeps the parser\'s own message');
  });

  it('canonicalJson writes exactly as deep as the scan reads', () => {
    const deep = (n: number): unknown => (n === 0 ? 1 : [deep(n - 1)]);
    assert.equal(scanJsonDepth(canonicalJson(deep(LIMITS.jsonDepth))), 'within');
    assert.throws(() => canonicalJson(deep(LIMITS.jsonDepth + 1)), (e: Error & { kind?: string }) => e.kind === 'invalid-statement');
  });

  it('verifyEnvelope: 12,000 `[` signed over PAE by a fresh key is invalid-statement, not a crash', () => {
    for (const text of ['['.repeat(12_000), nest(5_000), nest(LIMITS.jsonDepth + 1, '1')]) {
      const r = verifyEnvelope(signed(text), key.publicKeyDer);
      assert.ok(!r.ok);
      assert.equal(r.error.kind, 'invalid-statement');
      assert.equal(r.error.field, 'envelope.payload');
      assert.match(r.error.message, /nested deeper than 32 levels/);
    }
  });

  it('parseEnvelope: a deeply nested envelope file is malformed-envelope', () => {
    const r = parseEnvelope(`{"payload":${nest(12_000)}}`);
    assert.ok(!r.ok);
    assert.equal(r.error.kind, 'malformed-envelope');
    assert.match(r.error.message, /nested deeper/);
  });

  it('property: a scan of "within" means the parsed value is no deeper than the limit; valid JSON is judged by its depth', () => {
    const json = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'large', maxDepth: 40 }, fc.constant(null), fc.string(), fc.integer(), tie('arr'), tie('obj')),
      arr: fc.array(tie('value'), { maxLength: 3 }),
      obj: fc.dictionary(fc.string({ maxLength: 4 }), tie('value'), { maxKeys: 3 })
    })).value;
    fc.assert(fc.property(json, fc.integer({ min: 1, max: 40 }), (v, max) => {
      const text = JSON.stringify(v);
      const scan = scanJsonDepth(text, max);
      assert.equal(scan, depthOf(v) <= max ? 'within' : 'too-deep');
    }), { numRuns: 300 });
    // Arbitrary text (mutated JSON): whatever the scan lets through parses no deeper than the limit.
    const alphabet = fc.constantFrom('[', ']', '{', '}', '"', '\\', ',', ':', '1', 'a', ' ');
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 200 }).map((cs) => cs.join('')), (text) => {
      const r = parseJsonBounded(text, 4);
      if (r.ok) assert.ok(depthOf(r.value) <= 4, text);
    }), { numRuns: 2000 });
  });
});
