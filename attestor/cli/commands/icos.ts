/** proposal show, check, build, hash: the IC-OS side, thin shells over attestor/icos and attestor/hash. */
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';

import { notIcosMessage } from '../../../protocol/nns/alternative.js';
import type { OsName } from '../../../protocol/types.js';
import { writeFileAtomic } from '../../attest/files.js';
import { createAgent } from '../../network/agent.js';
import { governanceNetworkOf as governanceNetworkFor, resolveNetwork } from '../../network/resolve.js';
import { action } from '../action.js';
import type { Context } from '../context.js';
import { loadBuild, loadCdn, loadDiff, loadHash, loadManifest, loadProposal } from '../cores.js';
import { CliError, EXIT_OK, EXIT_USAGE, EXIT_VERIFICATION, inputError, networkError, usageError } from '../errors.js';
import { formatAmount, paint, progressRenderer } from '../output.js';
import { attestFile, fetchReport, parseOsList, parseProposalId, submitFiles } from './review.js';
import { renderReport } from '../../client/report.js';
import { submitFailure } from '../../client/submit.js';
import { registerHash } from './hash.js';

// ---------------------------------------------------------------- shared options

export interface ProposalSourceFlags {
  source?: string;
  governanceNetwork?: string;
  governanceId?: string;
  dashboardUrl?: string;
}

export function addProposalSourceOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--source <governance|dashboard>', 'where the proposal is read from').choices(['governance', 'dashboard']).default('governance').env('ICOS_ATTEST_PROPOSAL_SOURCE'))
    .addOption(new Option('--governance-network <local|ic|URL>', 'replica hosting NNS governance (default: --network when it is local, else ic)').env('ICOS_ATTEST_GOVERNANCE_NETWORK'))
    .addOption(new Option('--governance-id <id>', 'NNS governance canister id').env('ICOS_ATTEST_GOVERNANCE_ID'))
    .addOption(new Option('--dashboard-url <url>', 'dashboard API base (…/api/v3)').env('ICOS_ATTEST_DASHBOARD_URL'));
}

export interface CacheFlags {
  cacheDir?: string;
  mirror?: string[];
  idleTimeout?: string;
  skipProvenance?: boolean;
  trustRoot?: string;
  attestationsUrl?: string;
}

export function addCdnOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--cache-dir <dir>', 'download cache').env('ICOS_ATTEST_CACHE_DIR'))
    .addOption(new Option('--mirror <url>', 'CDN mirror base URL; repeat or comma-separate (default: both DFINITY CDNs)').env('ICOS_ATTEST_MIRRORS').argParser(collectList))
    .addOption(new Option('--idle-timeout <seconds>', 'give up on a mirror silent this long').env('ICOS_ATTEST_IDLE_TIMEOUT').default('30'))
    .addOption(new Option('--skip-provenance', 'do not verify the GitHub build-provenance of each SHA256SUMS (recorded as skipped)').env('ICOS_ATTEST_SKIP_PROVENANCE'))
    .addOption(new Option('--trust-root <file>', 'Sigstore TrustedRoot JSON (default: the public-good root via TUF)').env('ICOS_ATTEST_TRUST_ROOT'))
    .addOption(new Option('--attestations-url <url>', 'GitHub API base for attestations').env('ICOS_ATTEST_ATTESTATIONS_URL'));
}

/** --idle-timeout in ms: a positive number of seconds. */
export function idleTimeoutMs(flags: CacheFlags): number {
  const text = flags.idleTimeout ?? '30';
  const s = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !(s > 0)) throw usageError(`--idle-timeout must be a positive number of seconds, got "${text}"`);
  return Math.round(s * 1000);
}

/** Where and how `build` and `run` build: the same options, the same environment variables. */
export function addBuildOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--workdir <dir>', 'where the ic checkout, logs and outputs live').env('ICOS_ATTEST_WORKDIR'))
    .addOption(new Option('--repo-url <url>', 'ic repository to clone').env('ICOS_ATTEST_IC_REPO'))
    .option('--force', 'rebuild even when outputs of an identical build are present')
    .option('--ignore-prerequisites', 'build even when x86_64/RAM/disk/podman checks fail');
}

function collectList(value: string, previous?: string[]): string[] {
  return [...(previous ?? []), ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

export function cacheDirOf(flags: CacheFlags, env: NodeJS.ProcessEnv = process.env): string {
  if (flags.cacheDir) return resolve(flags.cacheDir);
  const base = env.XDG_CACHE_HOME ?? join(env.HOME ?? homedir(), '.cache');
  return join(base, 'icos-attest');
}

/** ProposalError kinds → exit codes: unreachable source 3, everything else is bad input 2. */
function fromProposalError(err: unknown): never {
  const e = err as { name?: string; kind?: string; message?: string; field?: string };
  if (e && e.name === 'ProposalError') {
    if (e.kind === 'network') throw networkError(e.message ?? 'network error', err);
    throw inputError(e.message ?? 'bad proposal', { proposalError: e.kind, ...(e.field ? { field: e.field } : {}) }, err);
  }
  throw err;
}

export async function readProposal(ctx: Context, id: string, flags: ProposalSourceFlags) {
  const core = await loadProposal();
  try {
    if (flags.source === 'dashboard') {
      return await core.fetchProposalFromDashboard(id, { baseUrl: flags.dashboardUrl });
    }
    const target = resolveNetwork({ network: governanceNetworkOf(flags, ctx.opts.network), stateDir: ctx.opts.stateDir });
    const agent = await createAgent(target);
    return await core.fetchProposalFromGovernance(agent, id, { governanceId: flags.governanceId });
  } catch (err) {
    fromProposalError(err);
  }
}

/** The one governance default rule (network/resolve.ts), for the proposal source flags. */
export function governanceNetworkOf(flags: ProposalSourceFlags, network: string | undefined): string {
  return governanceNetworkFor(flags.governanceNetwork, network);
}

const COMMIT_RE = /^[0-9a-f]{40}$/;

// ---------------------------------------------------------------- commands

export function registerIcosCommands(program: Command): void {
  const proposal = program.command('proposal').description('NNS proposals that elect IC-OS versions');
  addProposalSourceOptions(
    proposal
      .command('show')
      .argument('<id>', 'proposal id')
      .description('type, commit, elected hash, URLs and status of an IC-OS election proposal')
  ).action(
    action(async (ctx, idText: string, flags: ProposalSourceFlags) => {
      const id = parseProposalId(idText);
      const p = await readProposal(ctx, id, flags);
      const { renderProposal } = await import('../../icos/proposal/show.js');
      ctx.out.result(p, () => renderProposal(p));
    })
  );

  addCdnOptions(
    addProposalSourceOptions(
      program
        .command('check')
        .argument('<proposal>', 'proposal id')
        .option('--os <list>', 'OSes to check (default: the elected OS, + SetupOS for HostOS)')
        .option('--refresh', 're-download even when a verified copy is cached')
        .option('-o, --output <file>', 'where to write the check report (default: <cache-dir>/check-<proposal>-<os>.json)')
        .description('download and hash what the proposal and the CDNs publish; report proposal = CDN = mirrors (no build)')
    )
  ).action(
    action(async (ctx, idText: string, flags: ProposalSourceFlags & CacheFlags & { os?: string; refresh?: boolean; output?: string }) => {
      const res = await runCheck(ctx, idText, flags);
      ctx.out.result({ ...res.report, reportPath: res.path }, () => renderCheck(res.report, res.path, ctx.out.color));
      return res.report.ok ? EXIT_OK : EXIT_VERIFICATION;
    })
  );

  addProposalSourceOptions(
    addBuildOptions(
      program
        .command('build')
        .argument('[proposal]', 'proposal id (or --commit)')
        .option('--commit <sha>', 'build this ic commit instead of a proposal’s')
        .option('--os <list>', 'OSes to build: guestos,hostos,setupos,recovery (default: all the build makes)')
    )
      .option('-o, --output <file>', 'result file path (default: <workdir>/result-<proposal>-<os>-<commit12>.json)')
      .description('build IC-OS at the commit with the commit’s own scripts, hash the outputs, write a result file')
  ).action(
    action(async (ctx, idText: string | undefined, flags: BuildFlags) => {
      const res = await runBuildCommand(ctx, idText, flags);
      ctx.out.result({ resultPath: res.resultPath, result: res.result }, () => renderBuild(res.result, res.resultPath));
    })
  );

  registerHash(program);
  registerDiff(program);
  registerRun(program);
}

// ---------------------------------------------------------------- run

interface RunFlags extends BuildFlags, CacheFlags {
  refresh?: boolean;
  skipCheck?: boolean;
  name?: string;
  manifest?: boolean;
  envelope?: string;
}

function registerRun(program: Command): void {
  addCdnOptions(
    addProposalSourceOptions(
      addBuildOptions(
        program
          .command('run')
          .argument('<proposal>', 'proposal id')
          .option('--os <list>', 'OSes (default: the elected OS, + SetupOS for HostOS)')
      )
        .option('--refresh', 're-download even when a verified copy is cached')
        .option('--skip-check', 'no CDN check: the attestation then compares with nothing but the proposal')
        .option('--no-manifest', 'do not compute artifact manifests')
        .option('--envelope <file>', 'envelope file (several OSes: .<os> is inserted before the extension)')
        .option('--name <text>', 'reviewer name shown in reports, when registering')
        .description('check, build, attest, submit and report in one go (exit 1 when a hash does not match)')
    )
  ).action(
    action(async (ctx, idText: string, flags: RunFlags) => {
      const id = parseProposalId(idText);
      // The key and the canister first: a run of hours must not fail at the end on a typo.
      ctx.identity();
      ctx.canisterId();
      let check: { path: string; ok: boolean; findings: unknown[] } | null = null;
      let checkedOses: string | undefined;
      if (!flags.skipCheck) {
        ctx.out.log(`[1/5] check: proposal ${id} against the CDN mirrors`);
        const c = await runCheck(ctx, id, flags);
        check = { path: c.path, ok: c.report.ok, findings: c.report.findings };
        checkedOses = [...new Set(c.report.artifacts.map((a) => a.os))].join(',');
        if (!c.report.ok) ctx.out.warn(`the check found ${c.report.findings.length} problem(s); see ${c.path}`);
      }
      ctx.out.log('[2/5] build');
      // build (and attest) what was checked: the elected OS, + SetupOS for HostOS
      const oses = flags.os ?? checkedOses;
      const built = await runBuildCommand(ctx, id, { ...flags, os: oses });
      ctx.out.log(`[3/5] attest ${built.resultPath}`);
      const envelopes = await attestFile(ctx, built.resultPath, { check: check?.path, output: flags.envelope, manifest: flags.manifest, proposal: id });
      ctx.out.log('[4/5] submit');
      const submitted = await submitFiles(ctx, envelopes.map((e) => e.path), flags.name);
      const notStored = submitFailure(submitted);
      if (notStored) {
        for (const s of submitted.submitted) ctx.out.log(`submitted ${s.os}: attestation ${s.id} (${s.path})`);
        throw notStored;
      }
      ctx.out.log('[5/5] report');
      const report = await fetchReport(ctx, id);
      const mismatch = envelopes.some((e) => e.artifacts.some((a) => a.outcome === 'mismatch')) || (check !== null && !check.ok);
      ctx.out.result({ proposal: id, check, build: { resultPath: built.resultPath }, envelopes, submitted, report, ok: !mismatch }, () => {
        return [
          ...envelopes.flatMap((e) => e.artifacts.map((a) => `${a.outcome === 'match' ? 'match   ' : a.outcome === 'mismatch' ? 'MISMATCH' : 'n/a     '} ${a.name} ${a.sha256}`)),
          ...submitted.submitted.map((s) => `submitted ${s.os}: attestation ${s.id} (${s.path})`),
          '',
          report ? renderReport(report, ctx.out.color) : ''
        ].join('\n');
      });
      if (mismatch) {
        // the reason on screen, not only in a JSON file
        const bad = envelopes.flatMap((e) => e.artifacts.filter((a) => a.outcome === 'mismatch').map((a) => a.name));
        const why = bad.length > 0 ? `your build of ${bad.join(', ')} does not match the hash it was compared with (see above)` : `the CDN check found ${check!.findings.length} problem(s): ${check!.path}`;
        ctx.out.error(`${why}; the attestation was stored all the same`);
      }
      return mismatch ? EXIT_VERIFICATION : EXIT_OK;
    })
  );
}

// ---------------------------------------------------------------- diff

export function registerDiff(program: Command): void {
  program
    .command('diff')
    .argument('<a>', 'envelope, statement, result file, manifest or artifact')
    .argument('<b>', 'the same kinds')
    .option('--deep', 'both are artifacts: extract the first divergent component and run diffoscope on it')
    .description('where two builds differ: the first divergent component and every differing entry (exit 1 when different)')
    .action(
      action(async (ctx, a: string, b: string, flags: { deep?: boolean }) => {
        const core = await loadDiff();
        let report;
        try {
          report = await core.diffInputs(a, b);
        } catch (err) {
          if (err instanceof core.DiffError) throw inputError(err.message, { diffError: err.kind });
          throw err;
        }
        const deep: unknown[] = [];
        if (flags.deep) {
          if (report.a.kind !== 'artifact' || report.b.kind !== 'artifact') throw usageError('--deep compares two artifact files');
          for (const x of report.artifacts) {
            if (x.status === 'different' && x.firstDivergent) {
              try {
                deep.push(await core.deepDiff(a, b, x.firstDivergent));
              } catch (err) {
                if (err instanceof core.DiffError) throw inputError(err.message, { diffError: err.kind });
                throw err;
              }
            }
          }
        }
        ctx.out.result(flags.deep ? { ...report, deep } : report, () =>
          [core.formatDiff(report).trimEnd(), ...deep.map((d) => {
            const x = d as { message: string; diffoscope: { output: string } | null };
            return `${x.message}${x.diffoscope ? `\n${x.diffoscope.output}` : ''}`;
          })].join('\n')
        );
        return core.exitCodeOf(report);
      })
    );
}

// ---------------------------------------------------------------- check

export async function runCheck(ctx: Context, idText: string, flags: ProposalSourceFlags & CacheFlags & { os?: string; refresh?: boolean; output?: string }) {
  const id = parseProposalId(idText);
  const oses = parseOsList(flags.os);
  const proposal = await readProposal(ctx, id, flags);
  const cdn = await loadCdn();
  const cacheDir = cacheDirOf(flags, ctx.env);
  mkdirSync(cacheDir, { recursive: true });
  const idle = idleTimeoutMs(flags);
  const provenance = { skip: flags.skipProvenance, trustRootPath: flags.trustRoot ? resolve(flags.trustRoot) : undefined, attestationsUrl: flags.attestationsUrl };
  const r = await cdn.checkProposal(proposal, { cacheDir, mirrors: flags.mirror, os: oses, refresh: flags.refresh, idleTimeoutMs: idle, onProgress: progressRenderer(ctx.out), provenance });
  if (!r.ok) throw inputError(r.error.message, { checkError: r.error.kind });
  // named by proposal and OS: checks of other proposals or OS sets never overwrite each other
  const osPart = [...new Set(r.report.artifacts.map((a) => a.os))].join('+');
  const path = resolve(flags.output ?? join(cacheDir, `check-${id}-${osPart}.json`));
  writeFileAtomic(path, `${JSON.stringify(r.report, null, 2)}\n`);
  // an outage is an outage (exit 3), never a hash mismatch
  const { unreachableMirrors } = await import('../../icos/cdn/check.js');
  const down = unreachableMirrors(r.report);
  if (down.length > 0 && down.length >= r.report.mirrors.length) {
    throw new CliError('network', `no CDN mirror could be reached: ${down.map((d) => `${d.mirror}: ${d.reason}`).join('; ')} (report: ${path}; --idle-timeout to wait longer)`, { unreachable: down, reportPath: path });
  }
  return { report: r.report, path, unreachable: down };
}

type CheckReportT = Awaited<ReturnType<typeof runCheck>>['report'];

function renderCheck(r: CheckReportT, path: string, color: boolean): string {
  const lines = [`proposal ${r.proposal.id}: elects ${r.proposal.elects} at ${r.proposal.commit}, sha256 ${r.proposal.sha256}`];
  const failedOnly = (os: string) => r.findings.filter((f) => f.os === os).every((f) => f.kind === 'download-failed' || f.kind === 'truncated-download');
  for (const a of r.artifacts) {
    const head = a.ok ? paint(color, 'green', 'ok      ') : failedOnly(a.os) ? paint(color, 'yellow', 'UNCHECKD') : paint(color, 'red', 'MISMATCH');
    const cdn = a.cdnSha256 ?? (failedOnly(a.os) ? '(a mirror could not be downloaded from)' : '(mirrors disagree)');
    lines.push(`${head} ${a.name}: proposal ${a.proposalSha256 ?? '-'}, CDN ${cdn}`);
  }
  for (const f of r.findings) lines.push(`  ${paint(color, 'red', f.kind)}: ${f.message}`);
  lines.push(`report: ${path}`);
  const outageOnly = r.artifacts.every((a) => a.ok || failedOnly(a.os));
  lines.push(r.ok ? 'proposal = CDN = mirrors: every hash agrees' : outageOnly ? 'INCOMPLETE: no hash disagrees, but a download failed (see above); run again to finish' : 'FAILED: see the findings above');
  return lines.join('\n');
}

// ---------------------------------------------------------------- build

export interface BuildFlags extends ProposalSourceFlags {
  commit?: string;
  os?: string;
  workdir?: string;
  repoUrl?: string;
  force?: boolean;
  ignorePrerequisites?: boolean;
  output?: string;
}

export async function runBuildCommand(ctx: Context, idText: string | undefined, flags: BuildFlags) {
  if (idText === undefined && flags.commit === undefined) throw usageError('give a proposal id or --commit <sha>');
  if (idText !== undefined && flags.commit !== undefined) throw usageError('give either a proposal id or --commit, not both');
  let commit: string;
  let proposal: string | null = null;
  if (flags.commit !== undefined) {
    commit = flags.commit.toLowerCase();
    if (!COMMIT_RE.test(commit)) throw inputError(`"${flags.commit}" is not a commit: expected 40 hex digits`);
  } else {
    proposal = parseProposalId(idText!);
    const p = await readProposal(ctx, proposal, flags);
    if (!p.commit || !COMMIT_RE.test(p.commit)) throw inputError(p.alternativeGuestOs ? notIcosMessage(p) : `proposal ${proposal} names no 40-hex commit`);
    commit = p.commit;
  }
  const oses = parseOsList(flags.os) as OsName[] | undefined;
  const core = await loadBuild();
  const workdir = resolve(flags.workdir ?? join(cacheDirOf({}, ctx.env), 'build'));
  mkdirSync(workdir, { recursive: true });
  const pre = await core.checkPrerequisites({ workdir, override: flags.ignorePrerequisites });
  if (!pre.ok) {
    throw new CliError('input', `this machine cannot build IC-OS: ${pre.missing.map((m) => `${m.message} (${m.fix})`).join('; ')}; --ignore-prerequisites to try anyway`, { missing: pre.missing });
  }
  for (const m of pre.missing) ctx.out.warn(`${m.message} (${m.fix})`);
  const render = progressRenderer(ctx.out);
  const repo = await core.prepareRepo({ repoUrl: flags.repoUrl, workdir, commit, onProgress: render });
  if (!repo.ok) {
    // a fetch that failed for a network reason is exit 3; a repository or commit that is not there is input
    const networkish = /could not resolve|unable to access|connection|timed out|network|proxy|TLS|SSL/i.test(repo.error.message);
    const kind = repo.error.kind === 'fetch-failed' && networkish ? 'network' : 'input';
    throw new CliError(kind, repo.error.message, { repoError: repo.error.kind });
  }
  const built = await core.runBuild({
    repoDir: repo.value.repoDir,
    workdir,
    commit,
    proposal,
    os: oses,
    force: flags.force,
    onProgress: render,
    resultPath: resolve(flags.output ?? join(workdir, resultFileName(commit, proposal, oses))),
    // sudo -n, /dev/kvm, docker, a TTY: what this commit's era needs (era-prerequisites.ts).
    prerequisites: flags.ignorePrerequisites ? 'report' : 'enforce'
  });
  if (!built.ok) {
    const tail = built.error.tail && built.error.tail.length > 0 ? ` (last log line: ${built.error.tail[built.error.tail.length - 1]})` : '';
    throw new CliError('input', `${built.error.message}${built.error.log ? `; log: ${built.error.log}` : ''}${tail}`, { buildError: built.error.kind });
  }
  return built.value;
}

/**
 * Default result file: named by proposal and OS set (a GuestOS and a HostOS election of one
 * commit keep their own files); by commit only for `build --commit`.
 */
export function resultFileName(commit: string, proposal: string | null, oses: string[] | undefined): string {
  const osPart = oses && oses.length > 0 ? `-${[...oses].sort().join('+')}` : '';
  return proposal ? `result-${proposal}${osPart}-${commit.slice(0, 12)}.json` : `result-${commit.slice(0, 12)}${osPart}.json`;
}

type BuildResultT = Awaited<ReturnType<typeof runBuildCommand>>['result'];

function renderBuild(r: BuildResultT, path: string): string {
  return [
    `built ${r.commit}${r.proposal ? ` (proposal ${r.proposal})` : ''}${r.reused ? ' (outputs of an identical earlier build, re-hashed)' : ''}`,
    ...r.artifacts.map((a) => `  ${a.sha256}  ${a.name} (${formatAmount(a.size, 'bytes')})`),
    ...r.missing.map((m) => `  missing: ${m.os} (looked for ${m.tried.join(', ')})`),
    `log: ${r.log}`,
    `result: ${path}`,
    'next: icos-attest attest ' + path
  ].join('\n');
}
