/**
 * `demo` (what `npm start` runs): a throwaway replica, three local reviewers who attest a small
 * synthetic build of a synthetic proposal (carol's HostOS diverges: ext4 instead of tmpfs
 * changes root.img), endorsed by the controller; then the canister's report and an independent
 * verification of it. Every step goes through the same code as the CLI commands, over HTTP.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Principal } from '@dfinity/principal';

import type { OsName } from '../../protocol/types.js';
import type { Result } from '../../protocol/service.js';
import { syntheticResult } from '../attest/synthetic.js';
import { unwrapResult } from '../client/client.js';
import { renderReport, type ReportJson } from '../client/report.js';
import { newEd25519Pem } from '../identity/dfx.js';
import { verifyProposal, type ProposalVerification } from '../verify/proposal.js';
import { attestFile, fetchReport, submitFiles } from './commands/review.js';
import { Context } from './context.js';
import { startLocalReplica, type LocalReplica } from './local-replica.js';
import { paint } from './output.js';

export const DEMO_PROPOSAL = '140000';
const REVIEWERS: { name: string; diverge: OsName | null }[] = [
  { name: 'alice', diverge: null },
  { name: 'bob', diverge: null },
  { name: 'carol', diverge: 'hostos' }
];

export interface DemoResult {
  replica: LocalReplica;
  ok: boolean;
  report: ReportJson | null;
  verification: ProposalVerification;
}

export async function runDemo(ctx: Context, opts: { port: number; wasm: Uint8Array; work: string; keepRunning: boolean }): Promise<DemoResult> {
  const log = (l: string) => ctx.out.log(l);
  const pemOf = (name: string) => {
    const path = join(opts.work, `${name}.pem`);
    writeFileSync(path, newEd25519Pem(), { mode: 0o600 });
    return path;
  };
  const controllerPem = pemOf('controller');
  const controllerCtx = new Context({ pem: controllerPem, quiet: true }, ctx.env);
  const controller = Principal.fromText(controllerCtx.identity().principal);

  log('starting a throwaway local replica with the attestations canister…');
  const replica = await startLocalReplica({ stateDir: null, port: opts.port, controller, wasm: opts.wasm, log });
  const rootKeyPath = join(opts.work, 'root-key.hex');
  writeFileSync(rootKeyPath, Buffer.from(replica.rootKey).toString('hex'));
  const net = { network: replica.url, canister: replica.canisterId, rootKey: rootKeyPath, quiet: true };
  log(`replica ${replica.url}, canister ${replica.canisterId}`);

  const admin = await new Context({ ...net, pem: controllerPem }, ctx.env).client(true);
  const reviewers: { name: string; principal: string; envelopes: string[]; attestations: string[] }[] = [];
  for (const r of REVIEWERS) {
    const rctx = new Context({ ...net, pem: pemOf(r.name) }, ctx.env);
    const dir = join(opts.work, r.name);
    mkdirSync(dir, { recursive: true });
    const resultPath = join(dir, 'result.json');
    writeFileSync(resultPath, JSON.stringify(syntheticResult({ proposal: DEMO_PROPOSAL, oses: ['guestos', 'hostos'], divergeOs: r.diverge }), null, 2));
    const files = await attestFile(rctx, resultPath, {});
    const submitted = await submitFiles(rctx, files.map((f) => f.path), r.name);
    const principal = rctx.identity().principal;
    unwrapResult(await admin.call<Result<null>>('endorse_reviewer', Principal.fromText(principal), true), 'endorse_reviewer');
    reviewers.push({ name: r.name, principal, envelopes: files.map((f) => f.path), attestations: submitted.submitted.map((s) => s.id) });
    log(`${r.name} (${principal.slice(0, 11)}…): attested ${files.map((f) => `${f.os} ${f.artifacts.map((a) => a.outcome).join('/')}`).join(', ')}; submitted #${submitted.submitted.map((s) => s.id).join(', #')}; endorsed`);
  }

  const readCtx = new Context(net, ctx.env);
  const report = await fetchReport(readCtx, DEMO_PROPOSAL);
  const verification = await verifyProposal(await readCtx.client(false), DEMO_PROPOSAL);
  const ok = verification.ok;
  ctx.out.result(
    { url: replica.url, canisterId: replica.canisterId, dashboardUrl: replica.dashboardUrl, proposal: DEMO_PROPOSAL, reviewers, report, verification: { ok, differences: verification.differences } },
    () =>
      [
        report ? renderReport(report, ctx.out.color) : 'no report',
        '',
        ok
          ? paint(ctx.out.color, 'green', `verify --proposal ${DEMO_PROPOSAL}: every signature checks out and the recomputed consensus matches the canister's report`)
          : paint(ctx.out.color, 'red', `verify --proposal ${DEMO_PROPOSAL}: FAILED: ${verification.differences.join('; ')}`),
        ...(opts.keepRunning
          ? ['', `Dashboard: ${replica.dashboardUrl}`, `Try: icos-attest report ${DEMO_PROPOSAL} --network ${replica.url} --canister ${replica.canisterId} --root-key ${rootKeyPath}`]
          : [])
      ].join('\n')
  );
  return { replica, ok, report, verification };
}
