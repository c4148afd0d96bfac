/**
 * Proof test vectors in the transparency-dev/merkle testdata shape: per happy path, a directory
 * with happy-path.json and its mutations (index ±1, size ×2 and ÷2, a flipped bit in the leaf,
 * a proof node or a root, garbage before/after, truncated or emptied proof, swapped roots).
 * Built from the naive oracle only (reference.ts), never from protocol/. Hashes are base64.
 * `wantKind` is the error kind RFC 9162's checks must give first (sizes, then proof length,
 * then roots), derived from the oracle's proof shapes.
 */
import { createHash } from 'node:crypto';
import { mth, path, pathRanges, proof, proofRanges } from './reference.js';

export interface InclusionVector {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[];
  desc: string;
  wantErr: boolean;
  wantKind?: string;
}

export interface ConsistencyVector {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[];
  desc: string;
  wantErr: boolean;
  wantKind?: string;
}

const CT_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
/** The Certificate Transparency test leaves, then `leaf <i>` in ASCII. */
export const LEAVES: Uint8Array[] = Array.from({ length: 300 }, (_, i) =>
  new Uint8Array(i < CT_LEAVES.length ? Buffer.from(CT_LEAVES[i], 'hex') : Buffer.from(`leaf ${i}`))
);

export const INCLUSION_CASES: [number, number][] = [[0, 1], [0, 8], [5, 8], [2, 3], [6, 7], [4, 5], [12, 13], [100, 300], [299, 300]];
export const CONSISTENCY_CASES: [number, number][] = [[1, 8], [3, 7], [4, 8], [6, 8], [2, 5], [7, 300], [128, 300], [299, 300], [8, 8], [0, 8]];

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const GARBAGE = new Uint8Array(createHash('sha256').update('garbage').digest());
function flipped(b: Uint8Array, bit: number): Uint8Array {
  const c = b.slice();
  c[bit >> 3] ^= 1 << (bit & 7);
  return c;
}

function inclusionKind(v: Omit<InclusionVector, 'wantKind'>): string | undefined {
  if (!v.wantErr) return undefined;
  if (v.leafIdx >= v.treeSize) return 'index-out-of-range';
  if (v.proof.length !== pathRanges(v.leafIdx, 0, v.treeSize).length) return 'wrong-proof-size';
  return 'root-mismatch';
}

function consistencyKind(v: Omit<ConsistencyVector, 'wantKind'>): string | undefined {
  if (!v.wantErr) return undefined;
  if (v.size1 > v.size2) return 'bad-sizes';
  if (v.proof.length !== proofRanges(v.size1, v.size2).length) return 'wrong-proof-size';
  return 'root-mismatch';
}

function inclusionFamily(index: number, size: number): Record<string, InclusionVector> {
  const d = LEAVES.slice(0, size);
  const happy = { leafIdx: index, treeSize: size, root: mth(d), leafHash: mth([LEAVES[index]]), proof: path(index, d) };
  type Raw = typeof happy;
  const cases: [string, string, Raw][] = [['happy-path', 'happy path', happy]];
  const add = (name: string, desc: string, change: Partial<Raw>) => cases.push([name, desc, { ...happy, ...change }]);
  add('leafIdx-plus-1', 'leafIdx + 1', { leafIdx: index + 1 });
  if (index > 0) add('leafIdx-minus-1', 'leafIdx - 1', { leafIdx: index - 1 });
  add('treeSize-times-2', 'treeSize * 2', { treeSize: size * 2 });
  add('treeSize-div-2', 'treeSize / 2', { treeSize: Math.floor(size / 2) });
  add('wrong-leaf', 'leafHash with bit 5 flipped', { leafHash: flipped(happy.leafHash, 5) });
  happy.proof.forEach((_, i) =>
    add(`modified-proof-${i}-bit-${i + 3}`, `proof[${i}] with bit ${i + 3} flipped`, { proof: happy.proof.map((p, j) => (j === i ? flipped(p, i + 3) : p)) })
  );
  add('modified-root-bit-200', 'root with bit 200 flipped', { root: flipped(happy.root, 200) });
  add('empty-root', 'root is the empty tree root', { root: mth([]) });
  add('preceding-garbage', 'a garbage node before the proof', { proof: [GARBAGE, ...happy.proof] });
  add('trailing-garbage', 'a garbage node after the proof', { proof: [...happy.proof, GARBAGE] });
  if (happy.proof.length > 0) add('truncated-proof', 'last proof node removed', { proof: happy.proof.slice(0, -1) });
  const out: Record<string, InclusionVector> = {};
  for (const [name, desc, raw] of cases) {
    const v = { leafIdx: raw.leafIdx, treeSize: raw.treeSize, root: b64(raw.root), leafHash: b64(raw.leafHash), proof: raw.proof.map(b64), desc, wantErr: name !== 'happy-path' };
    const kind = inclusionKind(v);
    out[name] = kind === undefined ? v : { ...v, wantKind: kind };
  }
  return out;
}

function consistencyFamily(size1: number, size2: number): Record<string, ConsistencyVector> {
  const happy = { size1, size2, root1: mth(LEAVES.slice(0, size1)), root2: mth(LEAVES.slice(0, size2)), proof: proof(size1, LEAVES.slice(0, size2)) };
  type Raw = typeof happy;
  const cases: [string, string, Raw][] = [['happy-path', 'happy path', happy]];
  const add = (name: string, desc: string, change: Partial<Raw>) => cases.push([name, desc, { ...happy, ...change }]);
  // From the empty tree every tree is consistent (the proof is empty and binds no root2), so only
  // mutations that still break the claim apply there.
  const fromEmpty = size1 === 0;
  if (!fromEmpty) {
    add('size1-plus-1', 'size1 + 1', { size1: size1 + 1 });
    add('size1-minus-1', 'size1 - 1', { size1: size1 - 1 });
    add('size2-times-2', 'size2 * 2', { size2: size2 * 2 });
    add('size2-div-2', 'size2 / 2', { size2: Math.floor(size2 / 2) });
    add('modified-root2-bit-100', 'root2 with bit 100 flipped', { root2: flipped(happy.root2, 100) });
  }
  happy.proof.forEach((_, i) =>
    add(`modified-proof-${i}-bit-${i + 4}`, `proof[${i}] with bit ${i + 4} flipped`, { proof: happy.proof.map((p, j) => (j === i ? flipped(p, i + 4) : p)) })
  );
  add('modified-root1-bit-9', 'root1 with bit 9 flipped', { root1: flipped(happy.root1, 9) });
  if (size1 !== size2) add('swapped-roots', 'root1 and root2 swapped', { root1: happy.root2, root2: happy.root1 });
  add('preceding-garbage', 'a garbage node before the proof', { proof: [GARBAGE, ...happy.proof] });
  add('trailing-garbage', 'a garbage node after the proof', { proof: [...happy.proof, GARBAGE] });
  if (happy.proof.length > 0) {
    add('truncated-proof', 'last proof node removed', { proof: happy.proof.slice(0, -1) });
    add('empty-proof', 'proof emptied', { proof: [] });
  }
  const out: Record<string, ConsistencyVector> = {};
  for (const [name, desc, raw] of cases) {
    const v = { size1: raw.size1, size2: raw.size2, root1: b64(raw.root1), root2: b64(raw.root2), proof: raw.proof.map(b64), desc, wantErr: name !== 'happy-path' };
    const kind = consistencyKind(v);
    out[name] = kind === undefined ? v : { ...v, wantKind: kind };
  }
  return out;
}

/** Every vector file, keyed by its path under testdata/, as the JSON text committed there. */
export function generateVectors(): Map<string, string> {
  const files = new Map<string, string>();
  const put = (dir: string, family: Record<string, object>) => {
    for (const [name, v] of Object.entries(family)) files.set(`${dir}/${name}.json`, JSON.stringify(v, null, 2) + '\n');
  };
  for (const [i, n] of INCLUSION_CASES) put(`inclusion/leaf-${i}-of-${n}`, inclusionFamily(i, n));
  for (const [m, n] of CONSISTENCY_CASES) put(`consistency/${m}-to-${n}`, consistencyFamily(m, n));
  return files;
}
