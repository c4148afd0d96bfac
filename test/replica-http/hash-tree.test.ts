import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { lookup_path, reconstruct, LookupPathStatus, type HashTree as AgentTree } from '@dfinity/agent';
import { fullTree, label, lookup, rootHash, witness, type StateNode, type StateChildren } from '../../protocol/hash-tree.js';
import { bytesToHex } from '@noble/hashes/utils';

const state: StateNode = [
  [label('time'), new Uint8Array([1, 2, 3])],
  [label('canister'), [
    [new Uint8Array([0, 0, 0, 0, 0, 0, 0, 1, 1, 1]), [[label('module_hash'), new Uint8Array(32).fill(7)], [label('controllers'), new Uint8Array([9])]]],
    [new Uint8Array([0, 0, 0, 0, 0, 0, 0, 2, 1, 1]), [[label('module_hash'), new Uint8Array(32).fill(8)]]],
  ]],
  [label('request_status'), []],
  [label('subnet'), [[label('x'), new Uint8Array([5])]]],
];

test('root hash agrees with the agent, for the full tree and for every witness', async () => {
  const full = rootHash(fullTree(state));
  assert.equal(bytesToHex(await reconstruct(fullTree(state) as AgentTree)), bytesToHex(full));
  const w = witness(state, [[label('time')], [label('canister'), new Uint8Array([0, 0, 0, 0, 0, 0, 0, 1, 1, 1]), label('module_hash')]]);
  assert.equal(bytesToHex(await reconstruct(w as AgentTree)), bytesToHex(full));
});

test('a witness reveals the requested paths and prunes the rest', () => {
  const cid = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
  const w = witness(state, [[label('canister'), cid, label('module_hash')]]) as AgentTree;
  const found = lookup_path(['canister', cid, 'module_hash'], w);
  assert.equal(found.status, LookupPathStatus.Found);
  assert.equal(lookup(w as never, [label('canister'), cid, label('controllers')]), 'unknown');
  assert.equal(lookup(w as never, [label('time')]), 'unknown');
  // The other canister's data is not in the witness at all.
  assert.ok(!JSON.stringify(w, (_k, v) => (v instanceof Uint8Array ? bytesToHex(v) : v)).includes('08'.repeat(32)));
});

test('an absent label is provably absent', () => {
  const w = witness(state, [[label('request_status'), new Uint8Array(32).fill(1), label('status')]]) as AgentTree;
  assert.equal(lookup_path(['request_status', new Uint8Array(32).fill(1), 'status'], w).status, LookupPathStatus.Absent);
  const w2 = witness(state, [[label('canister'), new Uint8Array([0, 0, 0, 0, 0, 0, 0, 3, 1, 1])]]) as AgentTree;
  assert.equal(lookup_path(['canister', new Uint8Array([0, 0, 0, 0, 0, 0, 0, 3, 1, 1]), 'module_hash'], w2).status, LookupPathStatus.Absent);
});

test('property: any witness of random state keeps the root hash and finds each requested leaf', async () => {
  const labelArb = fc.uint8Array({ minLength: 1, maxLength: 4 });
  const childrenArb = (depth: number): fc.Arbitrary<StateChildren> =>
    fc.uniqueArray(fc.tuple(labelArb, depth > 0 ? fc.oneof(fc.uint8Array({ maxLength: 4 }), fc.constant(null)) : fc.uint8Array({ maxLength: 4 })), {
      selector: ([l]) => bytesToHex(l), maxLength: 5,
    }).chain((items) =>
      depth > 0
        ? fc.tuple(...items.map(([l, v]) => (v === null ? childrenArb(depth - 1).map((c) => [l, c] as [Uint8Array, StateNode]) : fc.constant([l, v] as [Uint8Array, StateNode]))))
        : fc.constant(items as Array<[Uint8Array, StateNode]>));
  await fc.assert(fc.asyncProperty(childrenArb(2), fc.array(fc.array(labelArb, { maxLength: 3 }), { maxLength: 3 }), async (node, extra) => {
    const leaves: Uint8Array[][] = [];
    const walk = (n: StateNode, p: Uint8Array[]) => { if (n instanceof Uint8Array) leaves.push(p); else for (const [l, c] of n) walk(c, [...p, l]); };
    walk(node, []);
    const wanted = [...leaves.slice(0, 2), ...extra];
    const w = witness(node, wanted);
    assert.equal(bytesToHex(await reconstruct(w as AgentTree)), bytesToHex(rootHash(fullTree(node))));
    for (const p of leaves.slice(0, 2)) assert.ok(lookup(w, p) instanceof Uint8Array);
    for (const p of extra) if (!leaves.some((l) => bytesToHex(new Uint8Array(l.flatMap((x) => [...x, 255]))) === bytesToHex(new Uint8Array(p.flatMap((x) => [...x, 255]))))) assert.notEqual(lookup(w, p), 'unknown');
  }), { numRuns: 200 });
});
