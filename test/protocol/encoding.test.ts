import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  base64Decode,
  base64Encode,
  canonicalJson,
  pae,
  ProtocolError,
  publicKeyFromDer,
  utf8Decode,
  utf8Encode,
  verifySignature
} from '../../protocol/index.js';
import { fromHex, utf8 } from './fixtures.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('PAE (DSSE v1)', () => {
  it('matches the example in the DSSE protocol spec', () => {
    assert.equal(
      new TextDecoder().decode(pae('http://example.com/HelloWorld', utf8('hello world'))),
      'DSSEv1 29 http://example.com/HelloWorld 11 hello world'
    );
  });

  it('encodes an empty body as "0 " with the trailing space', () => {
    assert.equal(hex(pae('application/vnd.in-toto+json', new Uint8Array(0))), hex(utf8('DSSEv1 28 application/vnd.in-toto+json 0 ')));
  });

  it('counts the payload type in UTF-8 bytes, not characters', () => {
    // "ä" is two bytes: 29, not 28 (vector non-ascii-payload-type of the DSSE test vectors).
    const out = pae('application/vnd.exämple+json', utf8('{"_type":"https://in-toto.io/Statement/v1"}'));
    assert.equal(
      hex(out),
      '445353457631203239206170706c69636174696f6e2f766e642e6578c3a46d706c652b6a736f6e203433207b225f74797065223a2268747470733a2f2f696e2d746f746f2e696f2f53746174656d656e742f7631227d'
    );
  });

  it('takes the body as raw bytes (non-UTF-8 body from the url-safe vector)', () => {
    assert.equal(
      hex(pae('application/vnd.in-toto+json', fromHex('fbffbf3e3f'))),
      '445353457631203238206170706c69636174696f6e2f766e642e696e2d746f746f2b6a736f6e203520fbffbf3e3f'
    );
  });

  // DSSE test vectors (secure-systems-lab/dsse testvectors/vectors.json), key A = RFC 8032 test key 1.
  const keyA = publicKeyFromDer(fromHex('302a300506032b6570032100' + 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'));
  const vectors = [
    { id: 'single-signature', type: 'application/vnd.in-toto+json', payload: 'eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEifQ==', sig: '2WAfaHm5jluo0w+0rk8uVkluELJYWjSmU9x7EUzx+AyteDGJ4/nqyJXfmAUVFIAoQafWm7AxBZNw5M9ixNHiCA==', accept: true },
    { id: 'url-safe-base64', type: 'application/vnd.in-toto+json', payload: '-_-_Pj8=', sig: 'P-_KHICeR7tI6S_YyejJTRtrXhcQyQ2LYPaL8h90KjC9qN8HU_svOQ6TuDOT1HIrsGW886DbWNWcCmX5twLrAw==', accept: true },
    { id: 'non-ascii-payload-type', type: 'application/vnd.exämple+json', payload: 'eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEifQ==', sig: 'xmSk/ug66ysT7ayhkCIjhAq42zgZXSsEWuzUaNL7w2eGAdF/NU6/fRXPtmfN+5DNSAs5/i2lUnHjbbjPsu0tAw==', accept: true },
    { id: 'empty-payload', type: 'application/vnd.in-toto+json', payload: '', sig: 'gSggCAaTLTYyRH6FIDBem6meyIynsYy8RTHVzwx9tnTb7Bg/1jMWnuVgI/gffqmbsC2VX5/jHfkkDqsj7CDbDg==', accept: true },
    { id: 'payload-type-swapped', type: 'application/vnd.example.other+json', payload: 'eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEifQ==', sig: '2WAfaHm5jluo0w+0rk8uVkluELJYWjSmU9x7EUzx+AyteDGJ4/nqyJXfmAUVFIAoQafWm7AxBZNw5M9ixNHiCA==', accept: false }
  ];
  for (const v of vectors) {
    it(`DSSE vector ${v.id}: signature over PAE ${v.accept ? 'verifies' : 'is refused'}`, () => {
      assert.ok(keyA.ok);
      const body = base64Decode(v.payload);
      const sig = base64Decode(v.sig);
      assert.ok(body instanceof Uint8Array && sig instanceof Uint8Array);
      assert.equal(verifySignature(keyA.value, pae(v.type, body), sig), v.accept);
    });
  }
});

describe('canonicalJson', () => {
  it('sorts keys by UTF-16 code units at every level and writes no white space', () => {
    assert.equal(canonicalJson({ b: 1, a: [{ z: null, y: true }], A: 'x', é: 0, '\u{1F600}': 1, '\uFB33': 2 }),
      '{"A":"x","a":[{"y":true,"z":null}],"b":1,"é":0,"\u{1F600}":1,"\uFB33":2}');
  });

  it('escapes like JSON.stringify (RFC 8785) and writes -0 as 0', () => {
    const s = 'q"b\\\n\t\u0001\u001f\u007f€';
    assert.equal(canonicalJson(s), JSON.stringify(s));
    assert.equal(canonicalJson(-0), '0');
    assert.equal(canonicalJson([1e21, 0.5, -3]), '[1e+21,0.5,-3]');
  });

  it('agrees with a JSON.stringify-based reference for random JSON values', () => {
    // Objects can't hold integer-like keys in sorted order, so the reference sorts while writing.
    const ref = (v: unknown): string => Array.isArray(v) ? `[${v.map(ref).join(',')}]`
      : v !== null && typeof v === 'object'
        ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${ref((v as Record<string, unknown>)[k])}`).join(',')}}`
        : JSON.stringify(v);
    fc.assert(fc.property(fc.jsonValue(), (v) => {
      const out = canonicalJson(v);
      assert.equal(out, ref(v));
      assert.deepEqual(JSON.parse(out), JSON.parse(JSON.stringify(v)));
    }), { numRuns: 300 });
  });

  it('rejects what JSON cannot carry exactly, naming the path', () => {
    const cases: [unknown, string][] = [
      [{ a: undefined }, '$.a'],
      [{ a: [1, NaN] }, '$.a[1]'],
      [Infinity, '$'],
      [{ a: 1n }, '$.a'],
      [{ d: new Date(0) }, '$.d'],
      [{ b: new Uint8Array(1) }, '$.b'],
      [{ s: 'x\uD800' }, '$.s'],
      [[, 1], '$[0]'],
      [() => 1, '$']
    ];
    for (const [v, field] of cases) {
      assert.throws(() => canonicalJson(v), (e: unknown) => e instanceof ProtocolError && e.kind === 'invalid-statement' && e.field === field);
    }
    const deep: Record<string, unknown> = {};
    let cur = deep;
    for (let i = 0; i < 100; i++) { const n = {}; cur.x = n; cur = n; }
    assert.throws(() => canonicalJson(deep), ProtocolError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.throws(() => canonicalJson(cyclic), ProtocolError);
  });
});

describe('base64 and UTF-8', () => {
  it('round-trips random bytes and agrees with node', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), (b) => {
      const s = base64Encode(b);
      assert.equal(s, Buffer.from(b).toString('base64'));
      assert.deepEqual(base64Decode(s), b);
      assert.deepEqual(base64Decode(Buffer.from(b).toString('base64url').padEnd(s.length, '=')), b);
    }), { numRuns: 300 });
  });

  it('refuses truncation, bad characters, mixed alphabets and non-zero trailing bits', () => {
    for (const s of ['aGVsbG8gd29ybGQ', 'aGVsbG8gd29ybG', 'aGVsbG8gd29yb', 'aGVs bG8=', 'aGVsbG8*', 'a+b_', 'aGVsbG9=', 'aGVsbH==', '====', 'aGk=aGk=']) {
      assert.equal(typeof base64Decode(s), 'string', s);
    }
  });

  it('UTF-8 round-trips random strings, agrees with TextEncoder, and decodes strictly', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => {
      const b = utf8Encode(s);
      assert.ok(b);
      assert.deepEqual(b, new TextEncoder().encode(s));
      assert.equal(utf8Decode(b), s);
    }), { numRuns: 300 });
    assert.equal(utf8Encode('a\uDC00'), null);
    for (const h of ['c0af', 'e080af', 'eda080', 'f4908080', 'e282', 'ff', '80']) assert.equal(utf8Decode(fromHex(h)), null, h);
  });
});
