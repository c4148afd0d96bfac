/** The same envelope gives the same verification result in Node and inside the canister Wasm. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { verifyEnvelope } from '../../protocol/envelope.js';
import { fromCandidEnvelope, type CandidEnvelope } from '../../protocol/service.js';
import { envelope, hash, reviewer } from './fixtures.js';
import { deploy, type Deployed } from './harness.js';

const P = 142_000n;
const ed = reviewer('ed', 'ed25519');
const k1 = reviewer('k1', 'secp256k1');
const G = hash('g');

function flip(b64: string, at: number): string {
  const b = Buffer.from(b64, 'base64');
  b[at % b.length] ^= 0x80;
  return b.toString('base64');
}

describe('attestations canister: verification agrees with Node', () => {
  let d: Deployed;
  before(async () => {
    d = await deploy();
  });

  const edEnv = envelope(ed, { proposal: P, os: 'guestos', built: G, proposalHash: G });
  const k1Env = envelope(k1, { proposal: P, os: 'setupos', built: G, proposalHash: null, cdn: G });
  const cases: [string, CandidEnvelope, Uint8Array, bigint | null][] = [
    ['valid Ed25519', edEnv, ed.signer.publicKeyDer, null],
    ['valid secp256k1', k1Env, k1.signer.publicKeyDer, P],
    ['wrong key', edEnv, k1.signer.publicKeyDer, null],
    ['tampered payload', { ...edEnv, payload: flip(edEnv.payload, 100) }, ed.signer.publicKeyDer, null],
    ['tampered signature', { ...k1Env, signatures: [{ ...k1Env.signatures[0], sig: flip(k1Env.signatures[0].sig, 3) }] }, k1.signer.publicKeyDer, null],
    ['other payload type', { ...edEnv, payload_type: 'application/json' }, ed.signer.publicKeyDer, null],
    ['truncated base64', { ...edEnv, payload: edEnv.payload.slice(0, -3) }, ed.signer.publicKeyDer, null],
    ['no signature', { ...edEnv, signatures: [] }, ed.signer.publicKeyDer, null],
    ['another proposal expected', edEnv, ed.signer.publicKeyDer, P + 1n],
    ['not a key', edEnv, new Uint8Array([0x30, 0x03, 0x01, 0x02, 0x03]), null]
  ];

  for (const [name, env, key, expected] of cases) {
    it(name, async () => {
      const node = verifyEnvelope(fromCandidEnvelope(env), key, expected === null ? {} : { expectedProposal: expected.toString() });
      const canister = await d.anonymous.verify_envelope(env, key, expected === null ? [] : [expected]);
      if (node.ok) {
        assert.ok('Ok' in canister, `canister accepts too: ${JSON.stringify('Err' in canister ? canister.Err : null)}`);
        assert.deepEqual(canister.Ok, {
          signer: node.value.principal,
          proposal: BigInt(node.value.statement.predicate.proposal),
          os: node.value.statement.predicate.os,
          digest: node.value.digest
        });
      } else {
        assert.ok('Err' in canister, 'canister rejects too');
        assert.equal(canister.Err.kind, node.error.kind);
        assert.deepEqual(canister.Err.field, node.error.field === undefined ? [] : [node.error.field]);
      }
    });
  }

  it('the valid cases really are valid and the others really are not', async () => {
    assert.ok(verifyEnvelope(fromCandidEnvelope(edEnv), ed.signer.publicKeyDer).ok);
    assert.equal(verifyEnvelope(fromCandidEnvelope(edEnv), k1.signer.publicKeyDer).ok, false);
  });
});
