/**
 * protocol/ must run inside the canister (QuickJS): no Node APIs, no Buffer, no TextEncoder.
 * Bundle it with esbuild the way a canister build would, then run it in a bare ECMAScript realm
 * (node:vm, which has none of Node's or the browser's globals) and compare results with Node.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { computeConsensus, signEnvelope, signerFromSecretKey, verifyEnvelope } from '../../protocol/index.js';
import { statement } from './fixtures.js';

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
  it('bundles with no Node imports and runs sign, verify and consensus in a bare realm, same results as Node', async () => {
    const code = await bundle();
    assert.doesNotMatch(code, /\brequire\(|from\s*["']node:|\bBuffer\b|\bprocess\.\w/);
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
    const sandbox: Record<string, unknown> = {};
    runInNewContext(code + '\n;globalThis.protocol = protocol;', sandbox);
    assert.equal(typeof sandbox.TextEncoder, 'undefined');
    assert.equal(typeof sandbox.Buffer, 'undefined');
    const inRealm = JSON.parse(runInNewContext(probe, sandbox) as string);

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
});
