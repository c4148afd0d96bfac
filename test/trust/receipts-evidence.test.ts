/**
 * Receipts and Evidence without the CLI: real answers from the compiled canister served by
 * replica/http, checked by client/receipts.ts and verify/evidence.ts, then mutated one field at a
 * time (the transparency-dev mutation families: index ±1, a flipped bit, a shorter path, another
 * key) — every mutation is refused and named.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HttpAgent, IC_ROOT_KEY } from '@dfinity/agent';
import { Ed25519KeyIdentity } from '@dfinity/identity';

import type { Opt } from '../../protocol/service.js';
import type { Receipt } from '../../protocol/certified-idl.js';
import { startReplicaServer, type ReplicaServer } from '../../replica/http/index.js';
import { AttestationsClient } from '../../attestor/client/client.js';
import { receiptFromCandid, verifyReceipt, type ReceiptFile } from '../../attestor/client/receipts.js';
import { eventChain, verifyEvidence, type Evidence } from '../../attestor/verify/evidence.js';
import { fetchEvidence } from '../../attestor/verify/proposal.js';
import { TrustError } from '../../attestor/verify/trust-error.js';
import { deploy, type Deployed } from '../canister/harness.js';
import { envelope, hash, profile, reviewer } from '../canister/fixtures.js';
import { ok } from '../canister/util.js';

const P = 616_161n;
const [ann, ben] = [reviewer('rcpt-ann', 'ed25519'), reviewer('rcpt-ben', 'secp256k1')];

let d: Deployed;
let server: ReplicaServer;
let client: AttestationsClient;
let ids: bigint[] = [];

before(async () => {
  d = await deploy();
  for (const r of [ann, ben]) ok(await d.as(r).register_reviewer(profile(r)));
  ids = [
    ok(await d.as(ann).submit_attestation(envelope(ann, { proposal: P, os: 'guestos', built: hash('g'), proposalHash: hash('g') }))),
    ok(await d.as(ben).submit_attestation(envelope(ben, { proposal: P, os: 'guestos', built: hash('g'), proposalHash: hash('g') })))
  ];
  server = await startReplicaServer({ runtime: d.rt });
  const agent = await HttpAgent.create({ host: server.url, rootKey: server.rootKey, identity: Ed25519KeyIdentity.generate() });
  client = await AttestationsClient.create(agent, d.id.toText(), server.url);
});
after(async () => server?.close());

const refusedAs = (check: TrustError['check']) => (e: unknown) => e instanceof TrustError && e.check === check && !e.message.includes('\n');

describe('receipts', () => {
  let receipt: ReceiptFile;
  before(async () => {
    const got = await client.call<Opt<Receipt>>('get_receipt', ids[0]!);
    assert.equal(got.length, 1);
    receipt = receiptFromCandid(got[0]!, d.id.toText());
  });

  it('a real receipt verifies: certified head, inclusion of the attestation entry', async () => {
    const head = await verifyReceipt(receipt, server.rootKey);
    assert.equal(head.size.toString(), receipt.head.size);
    assert.equal(JSON.parse(receipt.entry).id, ids[0]!.toString());
  });

  it('every mutation is refused', async () => {
    const mutate = (f: (r: ReceiptFile) => void): ReceiptFile => {
      const r = structuredClone(receipt);
      f(r);
      return r;
    };
    await assert.rejects(verifyReceipt(mutate((r) => (r.leafIndex = String(Number(r.leafIndex) + 1))), server.rootKey), refusedAs('inclusion'));
    await assert.rejects(verifyReceipt(mutate((r) => (r.path = r.path.slice(1))), server.rootKey), refusedAs('inclusion'));
    await assert.rejects(verifyReceipt(mutate((r) => (r.path[0] = `${r.path[0]!.slice(0, -1)}${r.path[0]!.endsWith('0') ? '1' : '0'}`)), server.rootKey), refusedAs('inclusion'));
    await assert.rejects(verifyReceipt(mutate((r) => (r.entry = r.entry.replace(/"os":"guestos"/, '"os":"hostos"'))), server.rootKey), refusedAs('inclusion'));
    await assert.rejects(verifyReceipt(mutate((r) => (r.attestationId = ids[1]!.toString())), server.rootKey), refusedAs('inclusion'));
    await assert.rejects(verifyReceipt(mutate((r) => (r.head.root = '00'.repeat(32))), server.rootKey), refusedAs('witness'));
    await assert.rejects(verifyReceipt(receipt, new Uint8Array(Buffer.from(IC_ROOT_KEY, 'hex'))), refusedAs('root-key'));
  });
});

describe('evidence', () => {
  let evidence: Evidence;
  const trust = () => ({ rootKey: server.rootKey, maxAgeMinutes: 5 });
  before(async () => {
    evidence = await fetchEvidence(client, P.toString(), async () => ({ source: 'unavailable', reason: 'not asked in this test' }));
  });

  it('honest evidence verifies; the event chain is recomputed from the entries', async () => {
    const v = await verifyEvidence(evidence, trust());
    assert.equal(v.ok, true, v.differences.join('\n'));
    assert.equal(v.certified.eventCount, '2');
    assert.equal(eventChain([]).every((b) => b === 0), true);
  });

  it('names an attestation whose signature, key or id was changed', async () => {
    const e1 = structuredClone(evidence);
    const env = e1.attestations[0]!.envelope as { signatures: { sig: string }[] };
    env.signatures[0]!.sig = `${env.signatures[0]!.sig[0] === 'A' ? 'B' : 'A'}${env.signatures[0]!.sig.slice(1)}`;
    const v1 = await verifyEvidence(e1, trust());
    assert.equal(v1.ok, false);
    assert.match(v1.differences.join('\n'), /attestation \d+: bad-signature/);

    const e2 = structuredClone(evidence);
    e2.reviewers[0]!.publicKey = e2.reviewers[1]!.publicKey;
    const v2 = await verifyEvidence(e2, trust());
    assert.match(v2.differences.join('\n'), /the public key given for the reviewer belongs to/);

    const e3 = structuredClone(evidence);
    e3.attestations[1]!.id = '999';
    const v3 = await verifyEvidence(e3, trust());
    assert.match(v3.differences.join('\n'), /attestation 999: listed, but not in the certified log/);
    assert.match(v3.differences.join('\n'), /is certified but missing from the list \(omitted\)/);
  });

  it('refuses reordered events and a report swapped for none', async () => {
    const e1 = structuredClone(evidence);
    e1.certified.events.reverse();
    await assert.rejects(verifyEvidence(e1, trust()), refusedAs('events'));
    const e2 = structuredClone(evidence);
    e2.certified.reportJson = null;
    await assert.rejects(verifyEvidence(e2, trust()), refusedAs('report'));
  });
});
