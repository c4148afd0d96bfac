/**
 * attestor/verify/certified.ts against real certificates: the compiled canister served by
 * replica/http signs its certified data with the replica's BLS key (the dashboard's IC-Certificate
 * header carries that certificate and the witness). Then the pure lookups over certified trees
 * laid out as the certified interface says (log head, proposals), absence proven by label order.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Actor, HttpAgent, IC_ROOT_KEY } from '@dfinity/agent';
import { Principal } from '@dfinity/principal';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import * as cbor from '@dfinity/cbor';
import { sha256 } from '@noble/hashes/sha2';

import { idlFactory, type AttestationsService } from '../../protocol/service.js';
import { startReplicaServer, type ReplicaServer } from '../../replica/http/index.js';
import { fork, labeled, leaf, pruned, rootHash, witness, type StateChildren } from '../../protocol/hash-tree.js';
import { checkCertifiedData, decodeWitness, logHead, proposalState, u64Bytes, verifyCertified, type CertifiedBlobs } from '../../attestor/verify/certified.js';
import { TrustError } from '../../attestor/verify/trust-error.js';
import { deploy, type Deployed } from '../canister/harness.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const hexToBytes = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));

function rejects(check: TrustError['check'], pattern: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof TrustError, `a TrustError, got ${String(e)}`);
    assert.equal(e.check, check, e.message);
    assert.equal(e.exitCode, 1);
    assert.match(e.message, pattern);
    assert.ok(!e.message.includes('\n'), 'one line');
    return true;
  };
}

describe('verifyCertified with certificates from the embedded replica', () => {
  let d: Deployed;
  let server: ReplicaServer;
  let blobs: CertifiedBlobs;

  before(async () => {
    d = await deploy();
    server = await startReplicaServer({ runtime: d.rt });
    const agent = await HttpAgent.create({ host: server.url, rootKey: server.rootKey, identity: Ed25519KeyIdentity.generate() });
    const actor = Actor.createActor<AttestationsService>(idlFactory, { agent, canisterId: d.id });
    const r = await actor.http_request({ method: 'GET', url: '/', headers: [['host', 'localhost']], body: new Uint8Array(), certificate_version: [2] });
    const header = r.headers.find(([k]) => k.toLowerCase() === 'ic-certificate')?.[1] ?? '';
    const m = /certificate=:([^:]*):, tree=:([^:]*):/.exec(header);
    assert.ok(m, header);
    blobs = { certificate: new Uint8Array(Buffer.from(m[1], 'base64')), witness: new Uint8Array(Buffer.from(m[2], 'base64')) };
  });
  after(async () => server?.close());

  it('accepts the real certificate and witness; reports the certificate time', async () => {
    const s = await verifyCertified(blobs, { rootKey: server.rootKey, canisterId: d.id.toText(), maxAgeMinutes: 5 });
    assert.deepEqual(rootHash(s.tree), d.rt.certifiedData(d.id));
    const ageMs = Date.now() - Number(s.timeNs / 1_000_000n);
    assert.ok(ageMs >= 0 && ageMs < 60_000, `certificate time is now (age ${ageMs} ms)`);
  });

  it('refuses another root key (mainnet\'s) in one line', async () => {
    await assert.rejects(verifyCertified(blobs, { rootKey: hexToBytes(IC_ROOT_KEY), canisterId: d.id.toText(), maxAgeMinutes: 5 }), rejects('root-key', /root key/));
  });

  it('refuses a witness that is not the certified one (one leaf changed)', async () => {
    // Flip one bit of the first pruned hash or leaf value found (whatever the dashboard's tree shape).
    const tree = decodeWitness(blobs.witness) as any[];
    const flip = (t: any[]): boolean => {
      if ((t[0] === 3 || t[0] === 4) && t[1].length > 0) {
        t[1] = t[1].slice();
        t[1][0] ^= 1;
        return true;
      }
      if (t[0] === 3 || t[0] === 4) return false;
      if (t[0] === 1) return flip(t[1]) || flip(t[2]);
      if (t[0] === 2) return flip(t[2]);
      return false;
    };
    assert.ok(flip(tree), 'the witness has a non-empty leaf or pruned node');
    const tampered = { ...blobs, witness: cbor.encodeWithSelfDescribedTag(tree) };
    await assert.rejects(verifyCertified(tampered, { rootKey: server.rootKey, canisterId: d.id.toText(), maxAgeMinutes: 5 }), rejects('witness', /not what canister/));
  });

  it('refuses a certificate of another canister\'s data, an empty certificate and garbage', async () => {
    const other = Principal.fromText('rwlgt-iiaaa-aaaaa-aaaaa-cai').toText();
    await assert.rejects(verifyCertified(blobs, { rootKey: server.rootKey, canisterId: other, maxAgeMinutes: 5 }), rejects('certificate', /no certified data for canister/));
    await assert.rejects(verifyCertified({ ...blobs, certificate: new Uint8Array() }, { rootKey: server.rootKey, canisterId: d.id.toText(), maxAgeMinutes: 5 }), rejects('certificate', /no certificate/));
    await assert.rejects(verifyCertified({ ...blobs, witness: utf8('not cbor at all') }, { rootKey: server.rootKey, canisterId: d.id.toText(), maxAgeMinutes: 5 }), (e) => e instanceof TrustError && e.check === 'witness');
  });

  it('refuses a replayed (old) certificate unless the age check is off on purpose', async () => {
    await new Promise((r) => setTimeout(r, 50));
    const trust = { rootKey: server.rootKey, canisterId: d.id.toText() };
    await assert.rejects(verifyCertified(blobs, { ...trust, maxAgeMinutes: 0.0001 }), rejects('certificate', /certificate/));
    const s = await verifyCertified(blobs, { ...trust, maxAgeMinutes: null });
    assert.ok(s.timeNs > 0n);
  });
});

describe('certified tree lookups (pure)', () => {
  const head = { size: 5n, root: sha256(utf8('root')) };
  const state: StateChildren = [
    [utf8('log'), [[utf8('root'), head.root], [utf8('size'), u64Bytes(head.size)]]],
    [
      utf8('proposals'),
      [
        [u64Bytes(7n), [[utf8('events'), new Uint8Array([...u64Bytes(2n), ...sha256(utf8('chain'))])], [utf8('report'), sha256(utf8('{}'))]]],
        [u64Bytes(9n), [[utf8('events'), new Uint8Array([...u64Bytes(1n), ...sha256(utf8('c9'))])], [utf8('report'), sha256(utf8('{9}'))]]]
      ]
    ]
  ];
  const P = (n: bigint) => [utf8('proposals'), u64Bytes(n)];

  it('reads the log head and a proposal\'s events and report hash', () => {
    const w = witness(state, [[utf8('log')], P(7n)]);
    assert.deepEqual(logHead(w), head);
    const p = proposalState(w, 7n);
    assert.deepEqual(p, { count: 2n, chain: sha256(utf8('chain')), reportSha256: sha256(utf8('{}')) });
  });

  it('proves a proposal absent by its neighbours, and refuses a witness that hides it', () => {
    const w = witness(state, [[utf8('log')], P(8n)]);
    assert.equal(proposalState(w, 8n), null);
    // Proposal 9 pruned away: not provably absent, not revealed.
    const hidden = witness(state, [[utf8('log')], P(7n)]);
    assert.throws(() => proposalState(hidden, 9n), /prunes proposal 9/);
    // A witness without the log at all.
    assert.throws(() => logHead(witness(state, [P(7n)])), /does not reveal the log head/);
  });

  it('checkCertifiedData ties a certificate tree to a witness, byte for byte', () => {
    const w = witness(state, [[utf8('log')]]);
    const id = Principal.fromText('rwlgt-iiaaa-aaaaa-aaaaa-cai');
    const certTree = fork(labeled(utf8('canister'), labeled(id.toUint8Array(), labeled(utf8('certified_data'), leaf(rootHash(w))))), labeled(utf8('time'), leaf(new Uint8Array([0x85, 0x01]))));
    assert.equal(checkCertifiedData(certTree, id.toText(), w), 133n);
    const other = witness([[utf8('log'), [[utf8('size'), u64Bytes(4n)]]]], [[utf8('log')]]);
    assert.throws(() => checkCertifiedData(certTree, id.toText(), other), /is not what canister/);
    assert.throws(() => checkCertifiedData(pruned(rootHash(certTree)), id.toText(), w), /no certified data/);
  });

  it('decodeWitness refuses trees with bad node shapes', () => {
    assert.throws(() => decodeWitness(new Uint8Array([0x83, 0x07, 0x40, 0x40])), /not an IC hash tree/);
  });
});
