/**
 * Canister cost in Wasm instructions per message (the runtime instruments the Wasm, so these
 * are counted, not estimated), against the IC's limits: submit_attestation, proposal_report at
 * 10/50/200 reviewers × 4 OSes, list_attestations, http_request for a proposal page.
 *
 * Each proposal's first 4R−1 attestations are loaded by the bench seeder (real signed
 * envelopes, stored by the same store code minus the signature check); the canister is then
 * upgraded to the real Wasm, and the 4R-th attestation is a real submit_attestation.
 */
import { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';
import { EnvelopeIdl } from '../../protocol/service.js';
import type { AttestationPage, HttpResponse, ProposalReport, Reviewer } from '../../protocol/service.js';
import {
  buildSeeder,
  call,
  CONTROLLER,
  IC_QUERY_LIMIT,
  IC_UPDATE_LIMIT,
  MEASURE_LIMITS,
  realWasm,
  seedAppend,
  seedReviewers,
  START_TIME_NS,
  unwrap
} from '../canister-host.js';
import { envelope, OS_NAMES, profile, reviewer, reviewSpec, type BenchReviewer } from '../fixtures.js';
import type { Measurement } from '../results.js';
import { importPiece, NotAvailable, timed, type Section } from '../section.js';

type RuntimeModule = typeof import('../../replica/runtime/index.js');

export const REVIEWER_COUNTS = [10, 50, 200];
const B = 1e9;

export function vsLimit(id: string, name: string, instructions: number, kind: 'update' | 'query', note?: string, method: Measurement['method'] = 'measured'): Measurement {
  const limit = kind === 'update' ? IC_UPDATE_LIMIT : IC_QUERY_LIMIT;
  return {
    id,
    name,
    value: instructions,
    unit: 'instructions',
    reference: { name: `IC ${kind} limit`, value: limit, unit: 'instructions' },
    ratio: instructions / limit,
    ratioNote: 'fraction of the limit',
    target: { text: `≤ ${limit / B} B (IC ${kind} limit)`, met: instructions <= limit },
    method,
    ...(note ? { note } : {})
  };
}

/**
 * The certified-log targets at 200 reviewers × 4 OSes, beside the figure before the log (when
 * reports were recomputed per query and pages rendered per request): bench/results.json of
 * 2026-11-30.
 */
const BEFORE_LOG: Record<string, { value: number; target: number }> = {
  submit: { value: 2.21 * B, target: 1.5 * B },
  report: { value: 3.01 * B, target: 0.5 * B },
  page: { value: 4.36 * B, target: 0.5 * B }
};

function vsBeforeLog(m: Measurement, key: keyof typeof BEFORE_LOG): Measurement {
  const before = BEFORE_LOG[key];
  return {
    ...m,
    id: `${m.id}.target`,
    name: `${m.name}: certified-log target`,
    reference: { name: 'before the certified log', value: before.value, unit: 'instructions' },
    ratio: m.value / before.value,
    ratioNote: undefined,
    target: { text: `≤ ${before.target / B} B`, met: m.value <= before.target }
  };
}

export async function loadRuntime(): Promise<RuntimeModule> {
  const mod = await importPiece<RuntimeModule>('replica/runtime/index.js', 'replica/runtime');
  if (typeof mod.Runtime !== 'function') throw new NotAvailable('replica/runtime does not export Runtime');
  return mod;
}

export function proposalPage(proposal: bigint) {
  return { url: `/proposal/${proposal}`, method: 'GET', body: new Uint8Array(0), headers: [['accept', 'text/html']] as [string, string][], certificate_version: [2] as [number] };
}

/** Where the instructions of a submission and of a report go (bench_breakdown in the seeder). */
async function costBreakdown(rt: InstanceType<RuntimeModule['Runtime']>, id: Principal, r: BenchReviewer, proposal: bigint): Promise<Measurement[]> {
  const types = [EnvelopeIdl, IDL.Vec(IDL.Nat8), IDL.Nat64, IDL.Nat64];
  const env = envelope(r, reviewSpec(149_998n, 'hostos', r.index));
  const res = await rt.query(id, 'bench_breakdown', new Uint8Array(IDL.encode(types, [env, r.signer.publicKeyDer, 1n, proposal])), { caller: CONTROLLER });
  if (res.kind !== 'replied') throw new Error(`bench_breakdown was rejected: ${res.message.slice(0, 300)}`);
  const [steps] = IDL.decode([IDL.Vec(IDL.Tuple(IDL.Text, IDL.Nat64))], res.reply) as unknown as [[string, bigint][]];
  return steps
    .filter(([name]) => !name.endsWith('attestations read'))
    .map(([name, n], i) => ({ id: `canister.breakdown.${i}`, name: `breakdown: ${name}`, value: Number(n), unit: 'instructions', method: 'measured' as const }));
}

export const canisterSection: Section = {
  name: 'canister',
  title: 'Canister cost per message (Wasm instructions) vs IC limits',
  async run(ctx) {
    const { Runtime } = await loadRuntime();
    realWasm();
    const seeder = buildSeeder(ctx.log);
    ctx.log(`seeder ${seeder.built ? 'built' : 'up to date'} (${(seeder.ms / 1000).toFixed(1)} s)`);
    const rt = new Runtime({ timeNs: START_TIME_NS, instructionLimits: MEASURE_LIMITS, log: () => {} });
    const id = rt.createCanister({ controllers: [CONTROLLER] });
    await rt.install(id, seeder.wasm);
    const probe = await rt.query(id, 'stats', new Uint8Array([0x44, 0x49, 0x44, 0x4c, 0, 0]), { caller: CONTROLLER });
    if (probe.kind === 'replied' && probe.instructions === 0n) {
      throw new NotAvailable('the runtime reports 0 instructions: Wasm instruction counting is not available yet');
    }

    const maxR = Math.max(...REVIEWER_COUNTS);
    const reviewers: BenchReviewer[] = Array.from({ length: maxR + 1 }, (_, i) => reviewer(i));
    // The last reviewer registers with the real method (its cost is measured below).
    ctx.log(`registering ${maxR} reviewers (seeder)`);
    await seedReviewers(rt, id, reviewers.slice(0, maxR), (r) => r.index % 10 !== 9);

    const last = (R: number) => ({ r: reviewers[R - 1], os: OS_NAMES[OS_NAMES.length - 1] });
    for (const R of REVIEWER_COUNTS) {
      const proposal = 140_000n + BigInt(R);
      const list: { reviewer: Principal; envelope: ReturnType<typeof envelope> }[] = [];
      for (const os of OS_NAMES) {
        for (const r of reviewers.slice(0, R)) {
          if (r === last(R).r && os === last(R).os) continue;
          list.push({ reviewer: r.principal, envelope: envelope(r, reviewSpec(proposal, os, r.index)) });
        }
      }
      ctx.log(`proposal ${proposal}: loading ${list.length} signed attestations (${R} reviewers × ${OS_NAMES.length} OSes, less one)`);
      await seedAppend(rt, id, list);
    }

    const breakdown = await costBreakdown(rt, id, reviewers[0], 140_200n);

    ctx.log('upgrading to the real attestations Wasm');
    const up = await timed(() => rt.install(id, realWasm(), { mode: 'upgrade' }));
    const measurements: Measurement[] = [];
    const targets: Measurement[] = [];
    const notes: string[] = [];

    const newcomer = reviewers[maxR];
    const reg = await call<{ Ok: Reviewer } | { Err: { kind: string; message: string } }>(rt, id, 'register_reviewer', [profile(newcomer)], newcomer.principal);
    unwrap(reg.value, 'register_reviewer');
    measurements.push(vsLimit('canister.register_reviewer', 'register_reviewer', reg.instructions, 'update'));

    const first = await call<{ Ok: bigint } | { Err: { kind: string; message: string } }>(
      rt, id, 'submit_attestation', [envelope(newcomer, reviewSpec(149_999n, 'guestos', 0))], newcomer.principal
    );
    unwrap(first.value, 'submit_attestation');
    measurements.push(vsLimit('canister.submit.first', 'submit_attestation, first for its proposal', first.instructions, 'update'));
    measurements.push(vsLimit('canister.refresh.first', 'report + pages refresh left to the next round (0 when done in the submission)', first.timerInstructions, 'update'));

    for (const R of REVIEWER_COUNTS) {
      const proposal = 140_000n + BigInt(R);
      const n = R * OS_NAMES.length;
      ctx.log(`proposal ${proposal} (${n} attestations): submit, report, page, list`);
      const { r, os } = last(R);
      const sub = await call<{ Ok: bigint } | { Err: { kind: string; message: string } }>(
        rt, id, 'submit_attestation', [envelope(r, reviewSpec(proposal, os, r.index))], r.principal
      );
      unwrap(sub.value, `submit_attestation (${R} reviewers)`);
      measurements.push(vsLimit(`canister.submit.r${R}`, `submit_attestation, ${n}th of its proposal (${R} reviewers × 4 OSes)`, sub.instructions, 'update'));
      if (R === 200) targets.push(vsBeforeLog(measurements[measurements.length - 1], 'submit'));
      measurements.push(vsLimit(`canister.refresh.r${R}`, `report + pages refresh left to the next round (0 s timer; ${n} attestations)`, sub.timerInstructions, 'update',
        'Re-materialises the report (consensus, canonical JSON, stored Candid reply) and re-renders the page, JSON document, badge and index, hashing each; once per round however many submissions the proposal had. 0 when the proposal is small enough (≤ 100 attestations) to be refreshed in the submission itself.'));

      const rep = await call<[] | [ProposalReport]>(rt, id, 'proposal_report', [proposal]);
      if (rep.value.length !== 1 || rep.value[0].attestations !== n) throw new Error(`proposal_report(${proposal}) did not cover ${n} attestations`);
      measurements.push(vsLimit(`canister.proposal_report.r${R}`, `proposal_report, ${R} reviewers × 4 OSes (${n} attestations)`, rep.instructions, 'query',
        `${(rep.instructions / n / 1e6).toFixed(1)} M instructions per attestation`));
      if (R === 200) targets.push(vsBeforeLog(measurements[measurements.length - 1], 'report'));

      const page = await call<HttpResponse>(rt, id, 'http_request', [proposalPage(proposal)]);
      if (page.value.status_code !== 200) throw new Error(`GET /proposal/${proposal} answered ${page.value.status_code}`);
      measurements.push(vsLimit(`canister.http_request.r${R}`, `http_request GET /proposal/${proposal} (${n} attestations, ${(page.value.body.length / 1024).toFixed(0)} KiB HTML)`, page.instructions, 'query'));
      if (R === 200) targets.push(vsBeforeLog(measurements[measurements.length - 1], 'page'));

      const lst = await call<AttestationPage>(rt, id, 'list_attestations', [{ proposal: [proposal], os: [], reviewer: [], include_revoked: false }, [], 100]);
      measurements.push(vsLimit(`canister.list_attestations.r${R}`, `list_attestations (proposal filter, ${n} attestations; asked for 100, got ${lst.value.attestations.length})`, lst.instructions, 'query'));
    }
    const all = await call<AttestationPage>(rt, id, 'list_attestations', [{ proposal: [], os: [], reviewer: [], include_revoked: false }, [], 20]);
    measurements.push(vsLimit('canister.list_attestations.all20', `list_attestations (no filter; asked for 20, got ${all.value.attestations.length})`, all.instructions, 'query'));

    measurements.push(...targets, ...breakdown);
    notes.push(
      'Certified-log targets: the 200-reviewer rows again, against the targets of the certified-log work and the figures before it (reports recomputed per query, pages rendered per request). Reports and pages are now materialised when a write touches them: a query sends stored bytes (a report as stored Candid, a page as stored bytes with its witness), and a submission pays for re-rendering and re-hashing its proposal (see the breakdown).',
      'Breakdown rows (no target) come from bench_breakdown in the seeder Wasm (same code as the real canister): ic0.performance_counter around each step of a submission and of a report.',
      `Seeded with the bench seeder (bench/seeder: the real canister class plus bulk-load methods; same store code and stable layout, signature check skipped), then upgraded to the real Wasm in ${(up.ms / 1000).toFixed(1)} s; every measured message ran on the real Wasm.`,
      'Counts come from the runtime\'s Wasm instrumentation (replica/runtime); the runtime ran with raised limits so costs past the IC limits are measured rather than cut off at IC0522.',
      'Reviewer statements: every 7th reviewer diverges (tmpfs), every 10th is not endorsed, every 4th uses secp256k1; each carries a 7-entry manifest (SetupOS: a disk with 6 partitions) and a full environment record (≈ 2.7 KB canonical JSON).'
    );
    return { measurements, notes };
  }
};
