/**
 * protocol/merkle must run in the canister's QuickJS: bundle protocol/ as a canister build would
 * and run appends, proofs and verification in a bare ECMAScript realm (node:vm: no Buffer, no
 * TextEncoder), with the same results as Node.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { consistencyProof, inclusionProof, RFC9162_SHA256 as H, root, verifyConsistency } from '../../../protocol/index.js';
import { MemoryLog } from './helpers.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('protocol/merkle bundle for QuickJS', () => {
  it('appends 37 leaves, serves and verifies proofs in a bare realm, same bytes as Node', async () => {
    const out = await build({
      entryPoints: [new URL('../../../protocol/index.ts', import.meta.url).pathname],
      bundle: true,
      write: false,
      format: 'iife',
      globalName: 'protocol',
      platform: 'neutral',
      mainFields: ['module', 'main'],
      target: 'es2020',
      logLevel: 'silent'
    });
    const code = out.outputFiles[0].text;
    assert.doesNotMatch(code, /\brequire\(|from\s*["']node:|\bBuffer\b|\bprocess\.\w/);
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
    const sandbox: Record<string, unknown> = {};
    runInNewContext(code + '\n;globalThis.protocol = protocol;', sandbox);
    assert.equal(typeof sandbox.Buffer, 'undefined');
    assert.equal(typeof sandbox.TextEncoder, 'undefined');
    const inRealm = JSON.parse(runInNewContext(probe, sandbox) as string);

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
