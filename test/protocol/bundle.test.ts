/**
 * protocol/ must run inside the canister (QuickJS): no Node APIs, no Buffer, no TextEncoder.
 * Bundle it with esbuild the way a canister build would, then run it in a bare ECMAScript realm
 * (node:vm, which has none of Node's or the browser's globals) and compare results with Node:
 * signatures and consensus, and the Merkle log (appends, proofs, verification).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { computeConsensus, consistencyProof, inclusionProof, RFC9162_SHA256 as H, root, signEnvelope, signerFromSecretKey, verifyConsistency, verifyEnvelope } from '../../protocol/index.js';
import { statement } from './fixtures.js';
import { MemoryLog } from './merkle/helpers.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

async function bundle(): Promise<string> {
  const out = await build({
    entryPoints: [new URL('../../protocol/index.ts', import.meta.url).pathname],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'protocol',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    target: 'es2020',
    logLevel: 'silent'
  });
  return out.outputFiles[0].text;
}

describe('protocol bundle for QuickJS', () => {
  let sandbox: Record<string, unknown>;
  /** Runs a probe script in the realm holding the bundle (in a block: its consts stay its own); its last value is JSON. */
  const inBareRealm = (probe: string): string => runInNewContext(`{${probe}}`, sandbox) as string;
  before(async () => {
    const code = await bundle();
    assert.doesNotMatch(code, /\brequire\(|from\s*["']node:|\bBuffer\b|\bprocess\.\w/);
    sandbox = {};
    runInNewContext(code + '\n;globalThis.protocol = protocol;', sandbox);
    assert.equal(typeof sandbox.TextEncoder, 'undefined');
    assert.equal(typeof sandbox.Buffer, 'undefined');
  });

  it('runs sign, verify and consensus in a bare realm, same results as Node', () => {
    const st = statement();
    const probe = `
      const s = protocol.signerFromSecretKey('secp256k1', new Uint8Array(32).fill(3));
      const e = protocol.signerFromSecretKey('ed25519', new Uint8Array(32).fill(3));
      const st = JSON.parse(${JSON.stringify(JSON.stringify(st))});
      const env = protocol.signEnvelope(st, s);
      const r = protocol.verifyEnvelope(env, s.publicKeyDer, { expectedProposal: st.predicate.proposal });
      const bad = protocol.verifyEnvelope({ ...env, payload: env.payload.slice(1) }, s.publicKeyDer);
      const envEd = protocol.signEnvelope(st, e);
      const c = protocol.computeConsensus(st.predicate.proposal, [
        { id: 1n, reviewer: s.principal, endorsed: true, statement: st, revoked: false, submittedAtNs: 1n }
      ], { quorum: 1 });
      JSON.stringify({
        warm: protocol.warmUpSignatures(),
        env, envEd, principals: [s.principal, e.principal],
        digest: r.ok ? r.value.digest : r.error.message,
        badKind: bad.ok ? 'ok' : bad.error.kind,
        consensus: c
      }, (k, v) => typeof v === 'bigint' ? v.toString() + 'n' : v);
    `;
    const inRealm = JSON.parse(inBareRealm(probe));

    const s = signerFromSecretKey('secp256k1', new Uint8Array(32).fill(3));
    const e = signerFromSecretKey('ed25519', new Uint8Array(32).fill(3));
    const env = signEnvelope(st, s);
    const r = verifyEnvelope(env, s.publicKeyDer);
    assert.ok(r.ok);
    assert.equal(inRealm.warm, true);
    assert.deepEqual(inRealm.principals, [s.principal, e.principal]);
    assert.deepEqual(inRealm.env, env);
    assert.deepEqual(inRealm.envEd, signEnvelope(st, e));
    assert.equal(inRealm.digest, r.value.digest);
    assert.equal(inRealm.badKind, 'bad-base64');
    const c = computeConsensus(st.predicate.proposal, [{ id: 1n, reviewer: s.principal, endorsed: true, statement: st, revoked: false, submittedAtNs: 1n }], { quorum: 1 });
    assert.equal(JSON.stringify(inRealm.consensus), JSON.stringify(c, (_k, v) => (typeof v === 'bigint' ? v.toString() + 'n' : v)));
    assert.equal(inRealm.consensus.oses[0].verdict, 'reproduced');
  });

  it('appends 37 Merkle leaves, serves and verifies proofs in a bare realm, same bytes as Node', () => {
    const probe = `
      const P = protocol, H = P.RFC9162_SHA256, nodes = new Map();
      const get = (l, i) => nodes.get(l + '/' + i);
      for (let i = 0; i < 37; i++) {
        for (const n of P.appendNodes(H, i, H.hashLeaf(Uint8Array.of(i, i + 1)), get)) nodes.set(n.level + '/' + n.index, n.hash);
      }
      const hex = (b) => P.bytesToHex(b);
      const inc = P.inclusionProof(H, 21, 37, get);
      const con = P.consistencyProof(H, 13, 37, get);
      const bad = P.verifyInclusion(H, 21, 37, H.hashLeaf(Uint8Array.of(0)), inc, P.root(H, 37, get));
      JSON.stringify({
        root: hex(P.root(H, 37, get)), inc: inc.map(hex), con: con.map(hex),
        okInc: P.verifyInclusion(H, 21, 37, H.hashLeaf(Uint8Array.of(21, 22)), inc, P.root(H, 37, get)).ok,
        okCon: P.verifyConsistency(H, 13, 37, con, P.root(H, 13, get), P.root(H, 37, get)).ok,
        badKind: bad.ok ? 'ok' : bad.error.kind, badIsError: !bad.ok && bad.error instanceof P.MerkleError
      });
    `;
    const inRealm = JSON.parse(inBareRealm(probe));

    const log = new MemoryLog(H);
    for (let i = 0; i < 37; i++) log.append(Uint8Array.of(i, i + 1));
    assert.equal(inRealm.root, hex(root(H, 37, log.get)));
    assert.deepEqual(inRealm.inc, inclusionProof(H, 21, 37, log.get).map(hex));
    assert.deepEqual(inRealm.con, consistencyProof(H, 13, 37, log.get).map(hex));
    assert.equal(inRealm.okInc, true);
    assert.equal(inRealm.okCon, verifyConsistency(H, 13, 37, consistencyProof(H, 13, 37, log.get), root(H, 13, log.get), root(H, 37, log.get)).ok);
    assert.equal(inRealm.okCon, true);
    assert.equal(inRealm.badKind, 'root-mismatch');
    assert.equal(inRealm.badIsError, true);
  });
});
