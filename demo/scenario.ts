/**
 * The demo `npm start` runs: the whole reviewer flow, for real, on one machine.
 *
 *  1. A local replica with the attestations canister and the NNS governance stand-in.
 *  2. A synthetic ic repo; its "official" build (deterministic) is published on two CDN mirrors
 *     (127.0.0.1 and 127.0.0.2, loopback only).
 *  3. The stand-in holds a GuestOS and a HostOS election of that commit, electing the official
 *     hashes; the attestations canister reads both from governance (sync_proposal).
 *  4. Three reviewers, each with their own key and HOME, run `icos-attest run <proposal>` (the
 *     real CLI: check → build → attest → submit → report) for both proposals. Carol's machine
 *     makes HostOS non-deterministic, so her HostOS build differs.
 *  5. The canister's controller endorses the three; the reports and an independent
 *     `verify --proposal` of each proposal follow.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Principal } from '@dfinity/principal';

import type { OsName } from '../protocol/types.js';
import { unwrapResult } from '../attestor/client/client.js';
import type { ReportJson } from '../attestor/client/report.js';
import { Context } from '../attestor/cli/context.js';
import { fetchReport } from '../attestor/cli/commands/review.js';
import { prepareRepo } from '../attestor/icos/build/repo.js';
import { runBuild } from '../attestor/icos/build/run.js';
import { parseLaunchMeasurements } from '../attestor/icos/cdn/measurements.js';
import { newEd25519Pem } from '../attestor/identity/dfx.js';
import { verifyProposal, type ProposalVerification } from '../attestor/verify/proposal.js';
import { makeCdnTree } from './cdn-tree.js';
import { startCdn, type CdnServer } from './cdn-server.js';
import { generateIcRepo } from './ic-repo.js';
import { startDemoReplica, type DemoReplica } from './replica.js';
import { cleanEnv, runReviewerCli, type ReviewerRun } from './reviewer.js';

export const GUESTOS_PROPOSAL = '140010';
export const HOSTOS_PROPOSAL = '140011';

const REVIEWERS = [
  { key: 'alice', name: 'Alice', nondeterministic: '' },
  { key: 'bob', name: 'Bob', nondeterministic: '' },
  // Her build machine stamps a build id into HostOS (ICOS_FAKE_NONDETERMINISTIC, see ic-repo.ts).
  { key: 'carol', name: 'Carol', nondeterministic: 'hostos' }
] as const;

const PROPOSALS: { id: string; os: OsName }[] = [
  { id: GUESTOS_PROPOSAL, os: 'guestos' },
  { id: HOSTOS_PROPOSAL, os: 'hostos' }
];

export interface DemoOptions {
  /** Replica port (0: any free port). */
  port: number;
  attestationsWasm: Uint8Array;
  governanceWasm: Uint8Array;
  /** A fresh temp folder: keys, the repo, mirrors, reviewers' HOMEs, logs. */
  work: string;
  log: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

export interface DemoReviewer {
  key: string;
  name: string;
  principal: string;
  pem: string;
  home: string;
  /** What made this reviewer's machine differ (the ICOS_FAKE_NONDETERMINISTIC they ran with). */
  nondeterministic: string | null;
  runs: {
    proposal: string;
    os: OsName;
    exitCode: number | null;
    log: string;
    artifacts: { name: string; sha256: string; outcome: string }[];
    attestations: string[];
  }[];
}

export interface DemoProposal {
  id: string;
  elects: OsName;
  commit: string;
  /** The elected hash, as the canister read it from governance. */
  sha256: string | null;
  report: ReportJson | null;
  verification: ProposalVerification;
}

export interface DemoOutcome {
  url: string;
  attestationsId: string;
  governanceId: string;
  /** The dashboard through the gateway, both URL forms dfx serves. */
  dashboardUrls: string[];
  rootKeyPath: string;
  controllerPem: string;
  commit: string;
  mirrors: string[];
  official: Record<string, string>;
  reviewers: DemoReviewer[];
  proposals: DemoProposal[];
  /** Everything went as the scenario says: runs exited 0 (match) or 1 (carol's mismatch), every verification agrees. */
  ok: boolean;
  problems: string[];
  close(): Promise<void>;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export async function runDemoScenario(opts: DemoOptions): Promise<DemoOutcome> {
  const log = opts.log;
  const env = opts.env ?? process.env;
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => {});
    closers.length = 0;
  };
  try {
    return await scenario(opts, log, env, closers, close);
  } catch (err) {
    await close();
    throw err;
  }
}

async function scenario(
  opts: DemoOptions,
  log: (line: string) => void,
  env: NodeJS.ProcessEnv,
  closers: (() => Promise<void>)[],
  close: () => Promise<void>
): Promise<DemoOutcome> {
  // The synthetic build runs bash, git, tar and zstd: say so up front rather than in a build log.
  const missing = ['git', 'zstd', 'tar', 'bash'].filter((tool) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status !== 0);
  if (missing.length > 0) throw new Error(`the demo needs ${missing.join(', ')} on the PATH (Debian/Ubuntu: sudo apt-get install ${missing.join(' ')})`);

  const keys = join(opts.work, 'keys');
  mkdirSync(keys, { recursive: true, mode: 0o700 });
  const pemFor = (name: string) => {
    const path = join(keys, `${name}.pem`);
    writeFileSync(path, newEd25519Pem(), { mode: 0o600 });
    return path;
  };

  // ---- 1. the replica
  const controllerPem = pemFor('operator');
  const operator = new Context({ pem: controllerPem, quiet: true }, env);
  const controller = Principal.fromText(operator.identity().principal);
  log('▸ replica: attestations canister + NNS governance stand-in, in one local replica');
  const replica: DemoReplica = await startDemoReplica({ port: opts.port, attestationsWasm: opts.attestationsWasm, governanceWasm: opts.governanceWasm, controller });
  closers.push(() => replica.close());
  const rootKeyPath = join(opts.work, 'root-key.hex');
  writeFileSync(rootKeyPath, `${hex(replica.rootKey)}\n`);
  // What `replica start` leaves for clients: reviewers' governance reads trust this root key.
  const stateDir = join(opts.work, 'replica');
  mkdirSync(stateDir, { recursive: true });
  const dashboardUrls = [`http://${replica.attestationsId}.localhost:${replica.port}/`, `${replica.url}/?canisterId=${replica.attestationsId}`];
  writeFileSync(join(stateDir, 'local.json'), `${JSON.stringify({ url: replica.url, canisterId: replica.attestationsId, rootKeyHex: hex(replica.rootKey), dashboardUrl: dashboardUrls[0] }, null, 2)}\n`);
  log(`  ${replica.url}: attestations ${replica.attestationsId} (controller ${short(controller.toText())}), governance ${replica.governanceId}`);

  // ---- 2. the ic repo, the official build, two CDN mirrors
  log('▸ ic repo: a synthetic repo whose build script writes small IC-OS images; the "official" build');
  const fx = generateIcRepo(opts.work);
  const commit = fx.commits['2025-26'];
  const officialDir = join(opts.work, 'official');
  const repo = await prepareRepo({ repoUrl: fx.repoDir, workdir: officialDir, commit });
  if (!repo.ok) throw new Error(`cannot check out the synthetic ic repo: ${repo.error.message}`);
  const built = await runBuild({ repoDir: repo.value.repoDir, workdir: officialDir, commit, os: ['guestos', 'hostos'], env: { ...cleanEnv(env, {}), ICOS_FAKE_NONDETERMINISTIC: '' } });
  if (!built.ok) throw new Error(`the official build failed: ${built.error.message}${built.error.log ? ` (log: ${built.error.log})` : ''}`);
  const result = built.value.result;
  const official = Object.fromEntries(result.artifacts.map((a) => [a.name, a.sha256]));
  const guestName = 'guestos/update-img.tar.zst';
  const hostName = 'hostos/update-img.tar.zst';
  if (!official[guestName] || !official[hostName]) throw new Error(`the official build made ${Object.keys(official).join(', ') || 'nothing'}`);
  const measurementsFile = result.extras.find((e) => e.name === 'guestos/launch-measurements.json');
  if (!measurementsFile) throw new Error('the official build wrote no GuestOS launch-measurements.json');
  const measurementsText = readFileSync(measurementsFile.path, 'utf8');
  const measured = parseLaunchMeasurements(measurementsText);
  if (!measured.ok) throw new Error(`the official launch measurements do not parse: ${measured.message}`);
  log(`  commit ${commit}: guestos ${official[guestName]!.slice(0, 16)}…, hostos ${official[hostName]!.slice(0, 16)}…`);

  const mirrors: string[] = [];
  for (const [i, host] of ['127.0.0.1', '127.0.0.2'].entries()) {
    const root = join(opts.work, `mirror-${i + 1}`);
    makeCdnTree({ root, commit, artifacts: result.artifacts, launchMeasurements: measurementsText, sumsStyle: i === 0 ? 'plain' : 'star' });
    let cdn: CdnServer;
    try {
      cdn = await startCdn(root, {}, { host });
    } catch (err) {
      // Some systems route only 127.0.0.1: the second mirror then gets another port there.
      if (host === '127.0.0.1') throw err;
      cdn = await startCdn(root, {}, { host: '127.0.0.1' });
    }
    closers.push(() => cdn.close());
    mirrors.push(cdn.url);
  }
  log(`▸ CDN: the official images published on two mirrors: ${mirrors.join(', ')}`);

  // ---- 3. the proposals, in governance and read by the attestations canister
  const nowS = BigInt(Math.floor(Date.now() / 1000));
  const urlsFor = (dir: string) => mirrors.map((m) => `${m}/ic/${commit}/${dir}/update-img.tar.zst`);
  await replica.seedElection({
    id: BigInt(GUESTOS_PROPOSAL),
    title: `Elect new IC/GuestOS revision (commit ${commit.slice(0, 7)})`,
    summary: 'icos-attest demo: a synthetic GuestOS election',
    function: { ReviseElectedGuestosVersions: null },
    commit: [commit],
    sha256: [official[guestName]!],
    urls: urlsFor('guest-os/update-img'),
    launch_measurements: measured.measurements.map((m) => Uint8Array.from(Buffer.from(m, 'hex'))),
    unelect: [],
    proposed_at_seconds: nowS - 3600n,
    deadline_seconds: [nowS + 4n * 86400n]
  });
  await replica.seedElection({
    id: BigInt(HOSTOS_PROPOSAL),
    title: `Elect new HostOS version (commit ${commit.slice(0, 7)})`,
    summary: 'icos-attest demo: a synthetic HostOS election',
    function: { ReviseElectedHostosVersions: null },
    commit: [commit],
    sha256: [official[hostName]!],
    urls: urlsFor('host-os/update-img'),
    launch_measurements: [],
    unelect: [],
    proposed_at_seconds: nowS - 3000n,
    deadline_seconds: [nowS + 4n * 86400n]
  });
  log(`▸ governance: proposal ${GUESTOS_PROPOSAL} elects GuestOS, ${HOSTOS_PROPOSAL} elects HostOS, both at ${commit.slice(0, 12)}`);

  const net = { network: replica.url, canister: replica.attestationsId, rootKey: rootKeyPath, quiet: true, stateDir };
  const admin = await new Context({ ...net, pem: controllerPem }, env).client(true);
  unwrapResult(await admin.call('set_sync_config', { governance: Principal.fromText(replica.governanceId), interval_seconds: 0 }), 'set_sync_config');
  const synced = new Map<string, string | null>();
  for (const p of PROPOSALS) {
    const g = unwrapResult<{ sha256: [] | [string]; elects: string }>(await admin.call('sync_proposal', BigInt(p.id)), 'sync_proposal');
    synced.set(p.id, g.sha256[0] ?? null);
    log(`  the attestations canister read ${p.id} from governance: elects ${g.elects}, sha256 ${(g.sha256[0] ?? '-').slice(0, 16)}…`);
  }

  // ---- 4. three reviewers run the real pipeline
  log('▸ reviewers: alice, bob and carol each run `icos-attest run` for both proposals (carol: non-deterministic HostOS)');
  const problems: string[] = [];
  const width = Math.max(...REVIEWERS.map((r) => r.key.length));
  const reviewers = await Promise.all(
    REVIEWERS.map(async (r): Promise<DemoReviewer> => {
      const pem = pemFor(r.key);
      const principal = new Context({ pem, quiet: true }, env).identity().principal;
      const home = join(opts.work, `home-${r.key}`);
      mkdirSync(home, { recursive: true });
      const childEnv = cleanEnv(env, {
        HOME: home,
        ICOS_ATTEST_PEM: pem,
        ICOS_ATTEST_NETWORK: replica.url,
        ICOS_ATTEST_CANISTER: replica.attestationsId,
        ICOS_ATTEST_ROOT_KEY: rootKeyPath,
        ICOS_ATTEST_STATE_DIR: stateDir,
        ICOS_ATTEST_GOVERNANCE_NETWORK: replica.url,
        ICOS_ATTEST_MIRRORS: mirrors.join(','),
        ICOS_ATTEST_IC_REPO: fx.repoDir,
        ...(r.nondeterministic ? { ICOS_FAKE_NONDETERMINISTIC: r.nondeterministic } : {})
      });
      const reviewer: DemoReviewer = { key: r.key, name: r.name, principal, pem, home, nondeterministic: r.nondeterministic || null, runs: [] };
      // One proposal after the other, as a person would; the second run reuses the first build.
      for (const p of PROPOSALS) {
        const args = ['--json', 'run', p.id, '--os', p.os, '--ignore-prerequisites', '--envelope', join(home, `attestation-${p.id}.json`), '--name', r.name];
        const run: ReviewerRun = await runReviewerCli({
          args,
          env: childEnv,
          cwd: home,
          logPath: join(home, `run-${p.id}.log`),
          onLine: (l) => log(`  ${r.key.padEnd(width)} │ ${p.id} ${l.split(home).join('~')}`),
          timeoutMs: 120_000
        });
        const artifacts = run.json?.envelopes?.flatMap((e) => e.artifacts) ?? [];
        const attestations = run.json?.submitted?.submitted?.map((s) => s.id) ?? [];
        reviewer.runs.push({ proposal: p.id, os: p.os, exitCode: run.exitCode, log: run.log, artifacts, attestations });
        const outcome = artifacts.map((a) => `${a.name} ${a.outcome === 'match' ? 'match' : a.outcome.toUpperCase()}`).join(', ');
        log(`  ${r.key.padEnd(width)} │ ${p.id} exit ${run.exitCode}: ${outcome || 'no attestation'}${attestations.length ? `; attestation #${attestations.join(', #')}` : ''}`);
        // 0: everything matched; 1: a hash did not match (signed and submitted all the same).
        if ((run.exitCode !== 0 && run.exitCode !== 1) || attestations.length === 0) {
          problems.push(`${r.key}'s run of ${p.id} failed (exit ${run.exitCode}); log: ${run.log}: ${lastLine(run.stderr)}`);
        }
      }
      return reviewer;
    })
  );

  // ---- 5. endorse, report, verify
  for (const r of reviewers) unwrapResult(await admin.call('endorse_reviewer', Principal.fromText(r.principal), true), 'endorse_reviewer');
  log(`▸ endorsed by the canister's controller: ${reviewers.map((r) => `${r.key} (${short(r.principal)})`).join(', ')}`);

  const reader = new Context(net, env);
  const proposals: DemoProposal[] = [];
  for (const p of PROPOSALS) {
    const report = await fetchReport(reader, p.id);
    const verification = await verifyProposal(await reader.client(false), p.id);
    if (!verification.ok) problems.push(`verify --proposal ${p.id}: ${verification.differences.join('; ')}`);
    proposals.push({ id: p.id, elects: p.os, commit, sha256: synced.get(p.id) ?? null, report, verification });
  }
  log(`▸ verify --proposal: every stored signature re-checked and the consensus recomputed, for ${PROPOSALS.map((p) => p.id).join(' and ')}`);

  return {
    url: replica.url,
    attestationsId: replica.attestationsId,
    governanceId: replica.governanceId,
    dashboardUrls,
    rootKeyPath,
    controllerPem,
    commit,
    mirrors,
    official,
    reviewers,
    proposals,
    ok: problems.length === 0,
    problems,
    close
  };
}

function short(principal: string): string {
  return `${principal.slice(0, 11)}…`;
}

function lastLine(text: string): string {
  return text.trim().split('\n').slice(-1)[0] ?? '';
}
