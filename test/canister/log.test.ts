/**
 * The transparency log and the certified state, on the compiled canister: every accepted change
 * is one entry, refused or repeated ones append nothing, proofs verify with protocol/merkle, the
 * certified tree commits to the log head and to each proposal's report and event chain, and all
 * of it is identical across an upgrade. The log root is also recomputed by a third party's few
 * lines over node:crypto (no import of protocol/).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { lookup, rootHash } from '../../protocol/hash-tree.js';
import { RFC9162_SHA256, verifyConsistency, verifyInclusion } from '../../protocol/merkle/index.js';
import { envelope, hash, profile, reviewer } from './fixtures.js';
import { deploy, type Deployed } from './harness.js';
import { errKind, ok, refusedCode } from './util.js';
import { decodeWitness } from './witness.js';

const P = 150_000n;
const alice = reviewer('alice', 'ed25519');
const bob = reviewer('bob', 'secp256k1');
const G = hash('guestos build');
const utf8 = (s: string) => new TextEncoder().encode(s);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const u64 = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(n);
  return new Uint8Array(b);
};

/** RFC 9162 root from the leaves, written apart from protocol/ (a third party's check). */
function thirdPartyRoot(entries: Uint8Array[]): Buffer {
  const h = (...parts: Uint8Array[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
  const mth = (xs: Uint8Array[]): Buffer => {
    if (xs.length === 0) return h();
    if (xs.length === 1) return h(Buffer.from([0]), xs[0]);
    let k = 1;
    while (k * 2 < xs.length) k *= 2;
    return h(Buffer.from([1]), mth(xs.slice(0, k)), mth(xs.slice(k)));
  };
  return mth(entries);
}

async function allEntries(d: Deployed): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (;;) {
    const page = await d.anonymous.get_log_entries(BigInt(out.length), 0);
    if (page.length === 0) return out;
    page.forEach((e, i) => assert.equal(e.index, BigInt(out.length + i)));
    out.push(...page.map((e) => Uint8Array.from(e.entry)));
  }
}

const kinds = (entries: Uint8Array[]) => entries.map((e) => JSON.parse(Buffer.from(e).toString()).kind);

describe('attestations canister: transparency log and certified state', () => {
  let d: Deployed;
  let a1: bigint;

  before(async () => {
    d = await deploy();
    ok(await d.as(alice).register_reviewer(profile(alice)));
    ok(await d.as(bob).register_reviewer(profile(bob)));
    ok(await d.controller.endorse_reviewer(alice.principal, true));
    a1 = ok(await d.as(alice).submit_attestation(envelope(alice, { proposal: P, os: 'guestos', built: G, proposalHash: G })));
    ok(await d.as(bob).submit_attestation(envelope(bob, { proposal: P, os: 'guestos', built: hash('other'), proposalHash: G })));
    ok(await d.as(bob).revoke_attestation(a1 + 1n, 'wrong machine'));
    ok(await d.controller.set_config({ quorum: 1, registration_open: true, max_envelope_bytes: 65536, max_submissions_per_proposal: [] }));
  });

  it('appends one canonical entry per accepted change, in order', async () => {
    const entries = await allEntries(d);
    assert.deepEqual(kinds(entries), ['reviewer', 'reviewer', 'endorsement', 'attestation', 'attestation', 'revocation', 'config']);
    const first = JSON.parse(Buffer.from(entries[3]).toString());
    const [stored] = await d.anonymous.get_attestation(a1);
    assert.deepEqual(first, { v: 1, kind: 'attestation', id: String(a1), proposal: String(P), os: 'guestos', reviewer: alice.principal.toText(), digest: stored!.digest, at: first.at });
    for (const e of entries) {
      const text = Buffer.from(e).toString();
      const keys = Object.keys(JSON.parse(text));
      assert.deepEqual(keys, [...keys].sort(), 'keys sorted (canonical JSON)');
      assert.ok(!/\s/.test(text.replace(/"[^"]*"/g, '')), 'no white space outside strings');
    }
  });

  it('certifies the tree head; a third party recomputes the same root from the entries', async () => {
    const entries = await allEntries(d);
    const { head, witness } = await d.anonymous.get_tree_head();
    assert.equal(head.size, BigInt(entries.length));
    assert.equal(hex(Uint8Array.from(head.root)), thirdPartyRoot(entries).toString('hex'));
    const tree = decodeWitness(Uint8Array.from(witness));
    assert.equal(hex(rootHash(tree)), hex(d.rt.certifiedData(d.id)), 'the witness is cut from the certified tree');
    assert.equal(hex(lookup(tree, [utf8('log'), utf8('root')]) as Uint8Array), hex(Uint8Array.from(head.root)));
    assert.equal(hex(lookup(tree, [utf8('log'), utf8('size')]) as Uint8Array), hex(u64(head.size)));
    assert.equal(lookup(tree, [utf8('proposals'), u64(P), utf8('report')]), 'unknown', 'everything else is pruned');
  });

  it('inclusion proofs for every entry and consistency proofs between every pair of sizes verify', async () => {
    const entries = await allEntries(d);
    const n = entries.length;
    for (let size = 1; size <= n; size++) {
      const root = thirdPartyRoot(entries.slice(0, size));
      for (let i = 0; i < size; i++) {
        const p = ok(await d.anonymous.get_inclusion_proof(BigInt(i), BigInt(size)));
        assert.equal(hex(Uint8Array.from(p.entry)), hex(entries[i]));
        const v = verifyInclusion(RFC9162_SHA256, i, size, RFC9162_SHA256.hashLeaf(entries[i]), p.path.map((x) => Uint8Array.from(x)), root);
        assert.ok(v.ok, `leaf ${i} of ${size}`);
      }
      for (let from = 0; from <= size; from++) {
        const proof = ok(await d.anonymous.get_consistency_proof(BigInt(from), BigInt(size)));
        const v = verifyConsistency(RFC9162_SHA256, from, size, proof.map((x) => Uint8Array.from(x)), thirdPartyRoot(entries.slice(0, from)), root);
        assert.ok(v.ok, `consistency ${from} → ${size}`);
      }
    }
  });

  it('refuses proofs about trees that do not exist yet', async () => {
    const { head } = await d.anonymous.get_tree_head();
    assert.equal(errKind(await d.anonymous.get_inclusion_proof(0n, head.size + 1n)), 'invalid-argument');
    assert.equal(errKind(await d.anonymous.get_inclusion_proof(head.size, head.size)), 'invalid-argument');
    assert.equal(errKind(await d.anonymous.get_consistency_proof(3n, 2n)), 'invalid-argument');
    assert.equal(errKind(await d.anonymous.get_consistency_proof(0n, head.size + 1n)), 'invalid-argument');
  });

  it('a refused or repeated change appends nothing and leaves the certified data alone', async () => {
    const before = { head: (await d.anonymous.get_tree_head()).head, data: hex(d.rt.certifiedData(d.id)) };
    const same = envelope(alice, { proposal: P, os: 'guestos', built: G, proposalHash: G });
    assert.equal(ok(await d.as(alice).submit_attestation(same)), a1, 'identical resubmission');
    const tampered = { ...same, payload: same.payload.slice(0, -4) + 'AAA=' };
    assert.equal(errKind(await d.as(alice).submit_attestation(tampered)), 'bad-signature');
    assert.equal(errKind(await d.as(bob).revoke_attestation(a1, 'not mine')), 'not-author');
    ok(await d.as(alice).register_reviewer(profile(alice))); // the same profile again
    ok(await d.controller.endorse_reviewer(alice.principal, true)); // already endorsed
    ok(await d.controller.set_config({ quorum: 1, registration_open: true, max_envelope_bytes: 65536, max_submissions_per_proposal: [] })); // unchanged
    assert.equal(await refusedCode(d.as(alice).set_config({ quorum: 2, registration_open: true, max_envelope_bytes: 65536, max_submissions_per_proposal: [] })), 'IC0516');
    const after = { head: (await d.anonymous.get_tree_head()).head, data: hex(d.rt.certifiedData(d.id)) };
    assert.deepEqual(after, before);
  });

  it('certifies each proposal: report bytes, event count and hash chain; an unknown proposal is provably absent', async () => {
    const c = await d.anonymous.certified_report(P, 0n, 0);
    const tree = decodeWitness(Uint8Array.from(c.witness));
    assert.equal(hex(rootHash(tree)), hex(d.rt.certifiedData(d.id)));
    const text = c.report_json[0];
    assert.ok(text !== undefined);
    const reportHash = lookup(tree, [utf8('proposals'), u64(P), utf8('report')]);
    assert.equal(hex(reportHash as Uint8Array), createHash('sha256').update(text).digest('hex'));
    // The chain over the proposal's events, recomputed from the entries.
    assert.equal(c.event_count, 3n);
    let chain = Buffer.alloc(32);
    for (const e of c.events) chain = createHash('sha256').update(Buffer.concat([chain, Buffer.from(RFC9162_SHA256.hashLeaf(Uint8Array.from(e.entry)))])).digest();
    assert.equal(hex(lookup(tree, [utf8('proposals'), u64(P), utf8('events')]) as Uint8Array), hex(Buffer.concat([u64(3n), chain])));
    assert.deepEqual(kinds(c.events.map((e) => Uint8Array.from(e.entry))), ['attestation', 'attestation', 'revocation']);
    // The report query answers the same document.
    const [report] = await d.anonymous.proposal_report(P);
    const json = JSON.parse(text);
    assert.equal(json.oses[0].verdict, report!.oses[0].verdict);
    assert.equal(json.oses[0].verdict, 'reproduced', 'quorum 1: alice alone reproduces; bob revoked');

    const none = await d.anonymous.certified_report(999n, 0n, 0);
    assert.deepEqual(none.report_json, []);
    const absent = decodeWitness(Uint8Array.from(none.witness));
    assert.equal(hex(rootHash(absent)), hex(d.rt.certifiedData(d.id)));
    assert.equal(lookup(absent, [utf8('proposals'), u64(999n), utf8('report')]), 'absent');
  });

  it('gives a receipt whose inclusion proof leads to the certified head', async () => {
    const [r] = await d.anonymous.get_receipt(a1);
    assert.ok(r);
    const entry = Uint8Array.from(r.proof.entry);
    assert.equal(JSON.parse(Buffer.from(entry).toString()).id, String(a1));
    const v = verifyInclusion(RFC9162_SHA256, Number(r.proof.index), Number(r.proof.tree_size), RFC9162_SHA256.hashLeaf(entry), r.proof.path.map((x) => Uint8Array.from(x)), Uint8Array.from(r.head.head.root));
    assert.ok(v.ok);
    assert.deepEqual(await d.anonymous.get_receipt(12345n), []);
  });

  it('keeps log, tree head, certified data and reports identical across an upgrade', async () => {
    const before = { entries: (await allEntries(d)).map(hex), head: await d.anonymous.get_tree_head(), data: hex(d.rt.certifiedData(d.id)), report: await d.anonymous.certified_report(P, 0n, 0) };
    await d.upgrade();
    const after = { entries: (await allEntries(d)).map(hex), head: await d.anonymous.get_tree_head(), data: hex(d.rt.certifiedData(d.id)), report: await d.anonymous.certified_report(P, 0n, 0) };
    assert.deepEqual(after, before);
    // And the log goes on from there.
    const bobHost = ok(await d.as(bob).submit_attestation(envelope(bob, { proposal: P, os: 'hostos', built: hash('h'), proposalHash: hash('h') })));
    const [r] = await d.anonymous.get_receipt(bobHost);
    assert.equal(r?.proof.index, before.head.head.size);
    assert.notEqual(hex(d.rt.certifiedData(d.id)), before.data);
  });
});
