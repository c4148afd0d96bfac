/** Runs every JSON vector under testdata/ through the verifiers; the files must match the oracle's generator. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { RFC9162_SHA256 as H, verifyConsistency, verifyInclusion, type MerkleResult } from '../../../protocol/index.js';
import { generateVectors, type ConsistencyVector, type InclusionVector } from './vectors.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'testdata');
const b = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

function files(d: string): string[] {
  return readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(d, e.name)) : [join(d, e.name)]));
}

const vectors = new Map(files(dir).map((f) => [relative(dir, f), readFileSync(f, 'utf8')]));

function check(name: string, v: { wantErr: boolean; wantKind?: string }, r: MerkleResult<true>): void {
  if (!v.wantErr) return assert.deepEqual(r, { ok: true, value: true }, `${name}: ${!r.ok && r.error.message}`);
  assert.equal(r.ok, false, `${name} was accepted`);
  if (!r.ok) assert.equal(r.error.kind, v.wantKind, `${name}: ${r.error.message}`);
}

describe('merkle: JSON vectors (transparency-dev testdata shape)', () => {
  it('the committed files are exactly what gen-vectors.ts writes', () => {
    const want = generateVectors();
    assert.deepEqual([...vectors.keys()].sort(), [...want.keys()].sort());
    for (const [k, text] of want) assert.equal(vectors.get(k), text, k);
  });

  it('every inclusion case gives its verdict and error kind', () => {
    let n = 0;
    for (const [name, text] of vectors) {
      if (!name.startsWith('inclusion')) continue;
      const v = JSON.parse(text) as InclusionVector;
      check(name, v, verifyInclusion(H, v.leafIdx, v.treeSize, b(v.leafHash), v.proof.map(b), b(v.root)));
      n++;
    }
    assert.ok(n > 100, `${n} inclusion cases`);
  });

  it('every consistency case gives its verdict and error kind', () => {
    let n = 0;
    for (const [name, text] of vectors) {
      if (!name.startsWith('consistency')) continue;
      const v = JSON.parse(text) as ConsistencyVector;
      check(name, v, verifyConsistency(H, v.size1, v.size2, v.proof.map(b), b(v.root1), b(v.root2)));
      n++;
    }
    assert.ok(n > 100, `${n} consistency cases`);
  });
});
