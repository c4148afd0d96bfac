/**
 * Worst cases under attack: the inputs of the hardening issue played against the real Wasm,
 * each message's instructions beside its IC limit. A deeply nested JSON payload (12,000 `[`,
 * signed over PAE by a fresh key), Candid bombs (`vec null` of 2^31 in ~300 bytes, a recursive
 * `opt` nested 30,000 deep), one identity's 260 self-superseding ≈60 KB statements for one
 * proposal (259 bulk-loaded by the bench seeder, the rest real submissions: past the default
 * limit, then with the limit raised), and governance dates of 2^62 and 2^64−1 seconds. After
 * the flood every query and page that reads the flooded proposal is measured.
 */
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { HttpRequestIdl, METHODS, type CandidEnvelope, type MethodName } from '../../protocol/service.js';
import { governanceStandInIdlFactory, type GovernanceStandIn } from '../../replica/governance/src/interface.js';
import { candidBomb, deepCandid, deepJsonEnvelope, freshKey, signedRaw, zeroSizedVec } from '../../test/canister/attacks.js';
import { envelope as testEnvelope, hash, reviewer as testReviewer } from '../../test/canister/fixtures.js';
import { guestSeed } from '../../test/canister-sync/harness.js';
import { buildSeeder, CONTROLLER, MEASURE_LIMITS, realWasm, ROOT, seedAppend, START_TIME_NS } from '../canister-host.js';
import type { Measurement } from '../results.js';
import type { Section } from '../section.js';
import { loadRuntime, vsLimit } from './canister.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const FLOOD = 260;
const FLOODED = 9n;
const OTHER = 8n;
const G = hash('guestos');
/** ≈ 60 KB statements: a ~280-entry manifest of long names. */
const MANIFEST: [string, string][] = Array.from({ length: 280 }, (_, i) => [`usr/lib/a-fairly-long-directory-name/component-${i}.so`, hash(`c${i}`)]);

type Rt = InstanceType<Awaited<ReturnType<typeof loadRuntime>>['Runtime']>;

interface Raw {
  kind: 'replied' | 'rejected';
  instructions: number;
  /** The decoded reply, or the reject's error code and message. */
  value: unknown;
}

async function raw(rt: Rt, id: Principal, method: MethodName, arg: Uint8Array, caller: Principal, ingress = true): Promise<Raw> {
  const spec = METHODS[method];
  const r = spec.query ? await rt.query(id, method, arg, { caller }) : await rt.update(id, method, arg, { caller, ingress });
  if (r.kind === 'rejected') return { kind: 'rejected', instructions: Number(r.instructions), value: `${r.errorCode}: ${r.message.slice(0, 160)}` };
  return { kind: 'replied', instructions: Number(r.instructions), value: (IDL.decode([spec.ret], r.reply) as unknown[])[0] };
}

const enc = (method: MethodName, args: unknown[]) => new Uint8Array(IDL.encode([...METHODS[method].args], args));

/** "Err invalid-statement", "Ok", "rejected IC0406", "200": what the attacked call answered. */
function outcome(r: Raw): string {
  if (r.kind === 'rejected') return `rejected ${String(r.value).slice(0, 6)}`;
  const v = r.value as Record<string, unknown>;
  if (v && typeof v === 'object' && 'Err' in v) return `Err ${(v.Err as { kind: string }).kind}`;
  if (v && typeof v === 'object' && 'Ok' in v) return 'Ok';
  if (v && typeof v === 'object' && 'status_code' in v) return `HTTP ${String(v.status_code)}`;
  return 'replied';
}

function get(url: string): Uint8Array {
  return new Uint8Array(IDL.encode([HttpRequestIdl], [{ method: 'GET', url, headers: [], body: new Uint8Array(), certificate_version: [2] }]));
}

export const attacksSection: Section = {
  name: 'attacks',
  title: 'Worst cases under attack',
  async run(ctx) {
    const { Runtime } = await loadRuntime();
    const measurements: Measurement[] = [];
    const m = (key: string, name: string, r: Raw, kind: 'update' | 'query') =>
      measurements.push(vsLimit(`attacks.${key}`, `${name} → ${outcome(r)}`, r.instructions, kind));

    const seeder = buildSeeder(ctx.log);
    const rt = new Runtime({ timeNs: START_TIME_NS, instructionLimits: MEASURE_LIMITS, log: () => {} });
    const id = rt.createCanister({ controllers: [CONTROLLER] });
    await rt.install(id, seeder.wasm);

    // The flood's first 259 statements, bulk-loaded (signature check skipped), then the real Wasm.
    const flooder = testReviewer('flooder', 'ed25519');
    const honest = testReviewer('honest', 'ed25519');
    const profileOf = (r: typeof flooder) => ({ name: r.name, public_key: r.signer.publicKeyDer, contact: [] as [] });
    for (const r of [flooder, honest]) await raw(rt, id, 'register_reviewer', enc('register_reviewer', [profileOf(r)]), r.principal);
    const flood = (run: number): CandidEnvelope =>
      testEnvelope(flooder, { proposal: FLOODED, os: 'guestos', built: hash(`flood ${run}`), proposalHash: G, run: run % 60, manifest: MANIFEST });
    ctx.log(`signing ${FLOOD} self-superseding ≈60 KB statements; loading ${FLOOD - 1} with the seeder`);
    const list = Array.from({ length: FLOOD - 1 }, (_, i) => ({ reviewer: flooder.principal, envelope: flood(i) }));
    await seedAppend(rt, id, list, 20);
    ctx.log('upgrading to the real attestations Wasm');
    await rt.install(id, realWasm(), { mode: 'upgrade' });
    await raw(rt, id, 'submit_attestation', enc('submit_attestation', [testEnvelope(honest, { proposal: OTHER, os: 'guestos', built: G, proposalHash: G })]), honest.principal);
    await raw(rt, id, 'submit_attestation', enc('submit_attestation', [testEnvelope(honest, { proposal: FLOODED, os: 'guestos', built: G, proposalHash: G })]), honest.principal);

    ctx.log('deep JSON and Candid bombs');
    const key = freshKey(0x44);
    const deep = deepJsonEnvelope(key);
    m('deep-json.verify', 'verify_envelope (anonymous): payload of 12,000 `[` signed by a fresh key', await raw(rt, id, 'verify_envelope', enc('verify_envelope', [deep, key.publicKeyDer, []]), Principal.anonymous()), 'query');
    // The scan's own worst case: balanced groups exactly 32 deep fill the payload (32 full passes).
    const widest = signedRaw(key, '['.repeat(32) + ']'.repeat(32) + (',' + '['.repeat(31) + ']'.repeat(31)).repeat(700));
    m('deep-json.scan-worst', 'verify_envelope: ≈44 KB payload of groups nested exactly 32 deep (the nesting scan\'s worst case)', await raw(rt, id, 'verify_envelope', enc('verify_envelope', [widest, key.publicKeyDer, []]), Principal.anonymous()), 'query');
    const keyPrincipal = Principal.fromText(key.principal);
    await raw(rt, id, 'register_reviewer', enc('register_reviewer', [{ name: 'deep', public_key: key.publicKeyDer, contact: [] }]), keyPrincipal);
    m('deep-json.submit', 'submit_attestation by its registered reviewer: the same envelope', await raw(rt, id, 'submit_attestation', enc('submit_attestation', [deep]), keyPrincipal), 'update');
    const bomb = candidBomb(key);
    m('bomb.verify', `verify_envelope: \`vec null\` of 2^31 as an extra argument (${bomb.length} bytes)`, await raw(rt, id, 'verify_envelope', bomb, Principal.anonymous()), 'query');
    m('bomb.get_config', 'get_config: the same vector (a query answering no Result)', await raw(rt, id, 'get_config', zeroSizedVec('get_config', []), Principal.anonymous()), 'query');
    const submitBomb = zeroSizedVec('submit_attestation', [deep]);
    m('bomb.submit.inspect', 'submit_attestation as ingress: refused by inspect_message', await raw(rt, id, 'submit_attestation', submitBomb, keyPrincipal, true), 'update');
    m('bomb.submit.direct', 'submit_attestation without inspection (as from a canister)', await raw(rt, id, 'submit_attestation', submitBomb, keyPrincipal, false), 'update');
    m('deep-candid.verify', 'verify_envelope: recursive `opt` nested 30,000 deep', await raw(rt, id, 'verify_envelope', deepCandid('verify_envelope', [deep, key.publicKeyDer, []]), Principal.anonymous()), 'query');

    ctx.log('the flood: real submissions past the default limit, then with the limit raised');
    const refused = await raw(rt, id, 'submit_attestation', enc('submit_attestation', [flood(FLOOD - 1)]), flooder.principal);
    m('flood.refused', `submit_attestation #${FLOOD} of one reviewer for one proposal, default limit (≈60 KB)`, refused, 'update');
    const config = (await raw(rt, id, 'get_config', enc('get_config', []), CONTROLLER)).value as Record<string, unknown>;
    await raw(rt, id, 'set_config', enc('set_config', [{ ...config, max_submissions_per_proposal: [1000] }]), CONTROLLER);
    const accepted = await raw(rt, id, 'submit_attestation', enc('submit_attestation', [flood(FLOOD - 1)]), flooder.principal);
    m('flood.accepted', `submit_attestation #${FLOOD} with the limit raised to 1000 (${FLOOD - 1} superseded ≈60 KB statements stored)`, accepted, 'update');
    const fresh = await raw(rt, id, 'submit_attestation', enc('submit_attestation', [testEnvelope(flooder, { proposal: 10n, os: 'guestos', built: hash('fresh'), proposalHash: G, manifest: MANIFEST })]), flooder.principal);
    m('flood.baseline', 'for comparison: the same reviewer\'s first ≈60 KB submission to another proposal', fresh, 'update');

    ctx.log('queries and pages of the flooded proposal');
    const q = async (key: string, name: string, method: MethodName, arg: Uint8Array) => m(key, name, await raw(rt, id, method, arg, Principal.anonymous()), 'query');
    await q('q.proposal_report', `proposal_report(${FLOODED})`, 'proposal_report', enc('proposal_report', [FLOODED]));
    await q('q.certified_report', `certified_report(${FLOODED}, 0, 0) (default page of its ${FLOOD + 1} events)`, 'certified_report', enc('certified_report', [FLOODED, 0n, 0]));
    await q('q.list_attestations', `list_attestations(proposal ${FLOODED}, limit 50)`, 'list_attestations', enc('list_attestations', [{ proposal: [FLOODED], os: [], reviewer: [], include_revoked: true }, [], 50]));
    await q('q.list_attestations.reviewer', 'list_attestations(reviewer = the flooder, limit 50)', 'list_attestations', enc('list_attestations', [{ proposal: [], os: [], reviewer: [flooder.principal], include_revoked: true }, [], 50]));
    await q('q.list_proposals', 'list_proposals(limit 50)', 'list_proposals', enc('list_proposals', [[], 50]));
    await q('q.get_log_entries', 'get_log_entries(0, 2000)', 'get_log_entries', enc('get_log_entries', [0n, 2000]));
    const lastId = (accepted.value as { Ok?: bigint }).Ok ?? 1n;
    await q('q.get_receipt', 'get_receipt of the last flood attestation', 'get_receipt', enc('get_receipt', [lastId]));
    for (const url of ['/', `/proposal/${FLOODED}`, `/proposal/${FLOODED}.json`, `/badge/${FLOODED}.svg`, `/proposal/${OTHER}`]) {
      await q(`q.http${url.replace(/[^a-z0-9]+/gi, '_')}`, `http_request GET ${url}`, 'http_request', get(url));
    }

    ctx.log('governance dates at the extremes of nat64');
    const govWasm = join(ROOT, '.azle/governance/governance.wasm');
    if (existsSync(govWasm)) {
      const { createActor } = await loadRuntime();
      const gov = rt.createCanister({ controllers: [CONTROLLER] });
      await rt.install(gov, new Uint8Array(readFileSync(govWasm)));
      await raw(rt, id, 'set_sync_config', enc('set_sync_config', [{ governance: gov, interval_seconds: 3600 }]), CONTROLLER);
      const stand = createActor<GovernanceStandIn>(rt, gov, governanceStandInIdlFactory, { caller: CONTROLLER });
      const max = (1n << 64n) - 1n;
      await stand.add_election(guestSeed(7001n, G, { proposed_at_seconds: 1n << 62n, deadline_seconds: [1n << 62n] }));
      await stand.add_election(guestSeed(7002n, G, { proposed_at_seconds: max, deadline_seconds: [max] }));
      for (const p of [7001n, 7002n]) m(`dates.sync.${p}`, `sync_proposal(${p}) (proposed_at and deadline ${p === 7001n ? '2^62' : '2^64−1'} s)`, await raw(rt, id, 'sync_proposal', enc('sync_proposal', [p]), CONTROLLER), 'update');
      for (const url of ['/proposal/7002', '/']) await q(`dates.http${url.replace(/[^a-z0-9]+/gi, '_')}`, `http_request GET ${url} with those dates`, 'http_request', get(url));
    }

    return {
      measurements,
      notes: [
        `Before the hardening (issue 14): the 12,000 \`[\` payload trapped both calls ("Maximum call stack size exceeded", IC0503); the \`vec null\` bomb ran verify_envelope to the 5 B query limit (IC0522); after 260 self-superseding statements proposal_report exceeded 5 B and \`/\`, \`/proposal/<id>\`, \`/badge/<id>.svg\` answered 502; dates of 2^62 s made \`/\` and \`/proposal/<id>\` answer 502.`,
        `Flood: ${FLOOD - 1} of the ${FLOOD} statements bulk-loaded by the bench seeder (same store code, signature check skipped), then real submissions on the real Wasm. Submitting a ≈60 KB statement costs about the same whatever the reviewer submitted before: superseded statements are skipped unread (\`retired\`), and the limit (default 20 per reviewer and proposal) stops the flood itself.`,
        'Costs are dominated by hashing the envelope (SHA-256 and the signature\'s SHA-512, ≈ 24 K instructions per byte): a refused ≈60 KB submission still pays for its verification; a Candid bomb is refused before decoding.',
        'The runtime ran with raised limits, so a cost past an IC limit would be measured, not cut off.'
      ]
    };
  }
};
