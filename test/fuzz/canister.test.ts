/**
 * Fuzz: random and mutated Candid arguments, and mutated or hostile envelopes, at every update
 * and query of the compiled canister Wasm. Each call must answer (a reply or a reject, never a
 * trap), stay under its instruction limit, and leave the stored state as it was unless the call
 * was valid and accepted (an Ok). Bounded here (≈ 30 s); `npm run fuzz` runs it longer
 * (ICOS_ATTEST_FUZZ_RUNS, ICOS_ATTEST_FUZZ_SEED to replay).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import fc from 'fast-check';
import { METHODS, type MethodName } from '../../protocol/service.js';
import { ErrorCodes, IC_INSTRUCTION_LIMITS, type CallResult } from '../../replica/runtime/index.js';
import { candidBomb, deepCandid, deepJsonEnvelope, freshKey, signedRaw, zeroSizedVec } from '../canister/attacks.js';
import { envelope, hash, profile, reviewer } from '../canister/fixtures.js';
import { CONTROLLER, deploy, type Deployed } from '../canister/harness.js';
import { ok } from '../canister/util.js';
import { encodeArgs, mutatedArgs, randomBytes, valueOf } from './candid.js';

/** Scale of the run: 1 in `npm test`; `npm run fuzz` sets ICOS_ATTEST_FUZZ_RUNS (e.g. 20). */
const SCALE = Number(process.env.ICOS_ATTEST_FUZZ_RUNS ?? 1);
const SEED = process.env.ICOS_ATTEST_FUZZ_SEED === undefined ? undefined : Number(process.env.ICOS_ATTEST_FUZZ_SEED);
const params = (runs: number) => ({ numRuns: Math.max(1, Math.round(runs * SCALE)), ...(SEED === undefined ? {} : { seed: SEED }) });

const METHOD_NAMES = Object.keys(METHODS) as MethodName[];
const alice = reviewer('fuzz-alice', 'ed25519');
const P = 77n;
const G = hash('guestos');

/** What "stored state" means here: certified data (every accepted change moves it) and stats. */
async function stored(d: Deployed): Promise<string> {
  const stats = await d.anonymous.stats();
  return `${Buffer.from(d.rt.certifiedData(d.id)).toString('hex')} ${JSON.stringify(stats, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`;
}

/** Whether a reply is an Ok (a valid call that may change state) for a method answering a Result. */
function accepted(method: MethodName, r: CallResult): boolean {
  if (r.kind !== 'replied') return false;
  const [v] = IDL.decode([METHODS[method].ret], r.reply) as unknown[];
  return typeof v === 'object' && v !== null && 'Ok' in v;
}

describe('fuzz: every method of the compiled canister', () => {
  let d: Deployed;
  let state: string;
  /** Anonymous, a registered reviewer, a controller, a stranger. */
  const callers = [Principal.anonymous(), alice.principal, CONTROLLER, Principal.fromText(freshKey(9).principal)];

  before(async () => {
    d = await deploy();
    ok(await d.as(alice).register_reviewer(profile(alice)));
    ok(await d.as(alice).submit_attestation(envelope(alice, { proposal: P, os: 'guestos', built: G, proposalHash: G })));
    state = await stored(d);
  });

  /** Calls and checks one message; re-baselines the state after an accepted update. */
  async function check(method: MethodName, arg: Uint8Array, caller: Principal, ingress: boolean): Promise<void> {
    const spec = METHODS[method];
    const r = spec.query ? await d.rt.query(d.id, method, arg, { caller }) : await d.rt.update(d.id, method, arg, { caller, ingress });
    const where = `${method} (${arg.length} bytes ${Buffer.from(arg.subarray(0, 48)).toString('hex')}…) by ${caller.toText()}`;
    if (r.kind === 'rejected') {
      assert.notEqual(r.errorCode, ErrorCodes.canisterTrapped, `${where} trapped: ${r.message}`);
      assert.notEqual(r.errorCode, ErrorCodes.outOfInstructions, `${where} ran out of instructions`);
    }
    const limit = spec.query ? IC_INSTRUCTION_LIMITS.query : IC_INSTRUCTION_LIMITS.update;
    assert.ok(r.instructions < limit, `${where}: ${r.instructions} instructions`);
    if (spec.query) return;
    const now = await stored(d);
    if (accepted(method, r)) state = now;
    else assert.equal(now, state, `${where} was refused but changed the stored state`);
  }

  const caller = fc.integer({ min: 0, max: 3 });

  it('random bytes and mutated encodings of each method\'s arguments', async () => {
    const call = fc.constantFrom(...METHOD_NAMES).chain((m) =>
      fc.tuple(fc.constant(m), fc.oneof({ weight: 1, arbitrary: randomBytes }, { weight: 3, arbitrary: mutatedArgs(METHODS[m].args) }), caller, fc.boolean())
    );
    await fc.assert(fc.asyncProperty(call, async ([m, arg, who, ingress]) => check(m, arg, callers[who], ingress)), params(120));
  });

  it('well-typed random arguments to every method (paths past decoding)', async () => {
    // sync_proposal awaits governance, which is not configured here: it answers Err at once.
    const call = fc.constantFrom(...METHOD_NAMES).chain((m) => fc.tuple(fc.constant(m), fc.tuple(...METHODS[m].args.map((t) => valueOf(t))), caller));
    await fc.assert(
      fc.asyncProperty(call, async ([m, values, who]) => check(m, encodeArgs(METHODS[m].args, values), callers[who], false)),
      params(80)
    );
  });

  it('known bombs appended to every method', async () => {
    for (const m of METHOD_NAMES) {
      const values = fc.sample(fc.tuple(...METHODS[m].args.map((t) => valueOf(t))), { numRuns: 1, seed: 1 })[0];
      for (const arg of [zeroSizedVec(m, values), zeroSizedVec(m, values, IDL.Record({})), deepCandid(m, values, 20_000)]) await check(m, arg, alice.principal, false);
    }
    await check('verify_envelope', candidBomb(), Principal.anonymous(), false);
  });

  it('mutated and hostile envelopes to verify_envelope and submit_attestation', async () => {
    const good = envelope(alice, { proposal: P, os: 'guestos', built: hash('second'), proposalHash: G, run: 7 });
    const hostile = fc.oneof(
      // A payload signed by alice's own key, whatever it says: it reaches the statement checks.
      fc.oneof(fc.json({ depthSize: 'medium' }), fc.string({ maxLength: 64 }), fc.nat({ max: 3000 }).map((n) => '['.repeat(n)), fc.constant('{'.repeat(40))).map((text) => signedRaw(alice.signer, text)),
      // The good envelope with one field replaced or mangled.
      fc.record({ field: fc.constantFrom('payload', 'payload_type', 'keyid', 'sig'), text: fc.string({ maxLength: 40 }) }).map(({ field, text }) =>
        field === 'keyid' || field === 'sig' ? { ...good, signatures: [{ ...good.signatures[0], [field]: text }] } : { ...good, [field]: text }
      ),
      fc.nat({ max: good.payload.length - 1 }).map((at) => ({ ...good, payload: good.payload.slice(0, at) + (good.payload[at] === 'A' ? 'B' : 'A') + good.payload.slice(at + 1) }))
    );
    await fc.assert(
      fc.asyncProperty(hostile, fc.boolean(), async (env, viaVerify) => {
        if (viaVerify) await check('verify_envelope', encodeArgs(METHODS.verify_envelope.args, [env, alice.signer.publicKeyDer, [P]]), Principal.anonymous(), false);
        else await check('submit_attestation', encodeArgs(METHODS.submit_attestation.args, [env]), alice.principal, false);
      }),
      params(12)
    );
    await check('verify_envelope', encodeArgs(METHODS.verify_envelope.args, [deepJsonEnvelope(alice.signer), alice.signer.publicKeyDer, []]), Principal.anonymous(), false);
  });
});
