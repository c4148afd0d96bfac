/**
 * `demo` (what `npm start` runs): the whole reviewer flow for real, on this machine — a local
 * replica with the attestations canister and the NNS governance stand-in, a synthetic ic repo
 * built and published on two loopback CDN mirrors, a GuestOS and a HostOS election in
 * governance, three reviewers running `icos-attest run` (carol's HostOS diverges), endorsement,
 * the reports and `verify --proposal`. The scenario lives in demo/scenario.ts; this file loads
 * it, finds the Wasm files and prints the result.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import type { DemoOutcome } from '../../demo/scenario.js';
import { renderReport } from '../client/report.js';
import type { Context } from './context.js';
import { CliError, inputError, oneLine, unavailable } from './errors.js';
import { REPO_ROOT, readWasm } from './local-replica.js';
import { paint } from './output.js';

export const GOVERNANCE_WASM = join(REPO_ROOT, '.azle', 'governance', 'governance.wasm');

export interface DemoResult {
  /** Everything the demo serves (replica and mirrors); close() stops them all. */
  replica: { url: string; canisterId: string; close(): Promise<void> };
  ok: boolean;
  outcome: DemoOutcome;
}

/** The governance stand-in's Wasm: built like the attestations canister (skipped when up to date). */
function governanceWasm(ctx: Context, build: boolean): Uint8Array {
  if (build) {
    const quiet = ctx.out.quiet || ctx.out.json;
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'build-canister.ts'), 'governance'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', quiet ? 'pipe' : 'inherit', quiet ? 'pipe' : 'inherit'],
      encoding: 'utf8'
    });
    if (r.status !== 0) throw inputError(`the governance stand-in build failed (exit ${r.status}); run \`npm run build\` to see why`);
  }
  if (!existsSync(GOVERNANCE_WASM)) throw inputError(`missing ${GOVERNANCE_WASM}: run \`npm run build\``);
  return readWasm(GOVERNANCE_WASM);
}

export async function runDemo(ctx: Context, opts: { port: number; wasm: Uint8Array; work: string; keepRunning: boolean; build?: boolean }): Promise<DemoResult> {
  const govWasm = governanceWasm(ctx, opts.build !== false);
  let scenario: typeof import('../../demo/scenario.js');
  try {
    // the compiled CLI (bin/aot.mjs, in dist/cli/<build>/) leaves the scenario in TypeScript:
    // load it from the checkout through tsx
    if ((globalThis as { __icosAttestCompiled?: boolean }).__icosAttestCompiled) {
      (await import('tsx/esm/api')).register();
      scenario = (await import(pathToFileURL(join(REPO_ROOT, 'demo', 'scenario.ts')).href)) as typeof import('../../demo/scenario.js');
    } else {
      scenario = await import('../../demo/scenario.js');
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') throw unavailable('the demo scenario (demo/scenario.ts)');
    throw err;
  }
  const started = Date.now();
  let outcome: DemoOutcome;
  try {
    outcome = await scenario.runDemoScenario({ port: opts.port, attestationsWasm: opts.wasm, governanceWasm: govWasm, work: opts.work, log: (l) => ctx.out.log(l), env: ctx.env });
  } catch (err) {
    if (err instanceof CliError) throw err;
    // The temp folder stays: it holds the logs an error may point to.
    throw new CliError('input', `the demo stopped: ${oneLine(err)} (its files: ${opts.work})`);
  }
  ctx.out.log(`▸ done in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const color = ctx.out.color;
  const net = `--network ${outcome.url} --canister ${outcome.attestationsId} --root-key ${outcome.rootKeyPath}`;
  ctx.out.result(
    {
      url: outcome.url,
      canisterId: outcome.attestationsId,
      governanceId: outcome.governanceId,
      dashboardUrl: outcome.dashboardUrls[0],
      dashboardUrls: outcome.dashboardUrls,
      rootKeyPath: outcome.rootKeyPath,
      commit: outcome.commit,
      mirrors: outcome.mirrors,
      official: outcome.official,
      reviewers: outcome.reviewers.map(({ key, name, principal, nondeterministic, runs }) => ({ key, name, principal, nondeterministic, runs })),
      proposals: outcome.proposals.map((p) => ({ ...p, verification: { ok: p.verification.ok, differences: p.verification.differences, attestations: p.verification.attestations } })),
      ok: outcome.ok,
      problems: outcome.problems
    },
    () =>
      [
        ...outcome.proposals.flatMap((p) => [
          '',
          p.report ? renderReport(p.report, color) : `Proposal ${p.id}: no report`,
          '',
          p.verification.ok
            ? paint(color, 'green', `verify --proposal ${p.id}: ${p.verification.attestations.length} signatures check out; the recomputed consensus matches the canister's report`)
            : paint(color, 'red', `verify --proposal ${p.id}: FAILED: ${p.verification.differences.join('; ')}`)
        ]),
        ...(outcome.problems.length > 0 ? ['', paint(color, 'red', 'The demo did not go as planned:'), ...outcome.problems.map((x) => `  ${x}`)] : []),
        '',
        `Dashboard: ${outcome.dashboardUrls[0]}`,
        `       or: ${outcome.dashboardUrls[1]}`,
        ...(opts.keepRunning
          ? [
              `Proposal pages: ${outcome.proposals.map((p) => `${outcome.dashboardUrls[0]}proposal/${p.id}`).join('  ')}`,
              `Try, from another shell: icos-attest ${net} report ${outcome.proposals[0]?.id ?? ''}`,
              `                         icos-attest ${net} verify --proposal ${outcome.proposals[1]?.id ?? ''}`,
              `Reviewers' logs and envelopes: ${outcome.reviewers.map((r) => r.home).join(', ')}`
            ]
          : [])
      ].join('\n')
  );
  return { replica: { url: outcome.url, canisterId: outcome.attestationsId, close: outcome.close }, ok: outcome.ok, outcome };
}
