/**
 * `watch`: the review routine, run by itself. Polls NNS governance for open IC-OS elections and
 * reviews each new one exactly once (check → build → attest → submit, the functions `run` uses),
 * one build at a time, with its state in a file so a restart neither repeats nor skips a
 * proposal. A thin shell over attestor/watch (the state machine, the plan, the loop, the store).
 */
import { mkdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Option, type Command } from 'commander';

import type { ElectionProposal } from '../../../protocol/nns/types.js';
import { createAgent } from '../../network/agent.js';
import { resolveNetwork } from '../../network/resolve.js';
import { proposalEndpoints } from '../../icos/proposal/endpoints.js';
import { submitFailure } from '../../client/submit.js';
import { formatDuration, parseDuration } from '../../watch/duration.js';
import { describeEvent, type WatchEvent } from '../../watch/events.js';
import { eventReporter } from '../../watch/hooks.js';
import { drainQueue, dryRun, takePoll, type LoopDeps, type ReviewSteps } from '../../watch/loop.js';
import { markRetry, WatchStateError, type ProposalRecord, type WatchState } from '../../watch/state.js';
import { acquireLock, loadState, saveState, WatchStoreError } from '../../watch/store.js';
import { action } from '../action.js';
import type { Context } from '../context.js';
import { CliError, EXIT_NETWORK, EXIT_OK, EXIT_USAGE, EXIT_VERIFICATION, oneLine, toCliError, usageError, withoutInternals } from '../errors.js';
import { loadProposal } from '../cores.js';
import { addBuildOptions, addCdnOptions, addProposalSourceOptions, governanceNetworkOf, runBuildCommand, runCheck, type BuildFlags, type CacheFlags } from './icos.js';
import { attestFile, parseProposalId, submitFiles } from './review.js';

interface WatchFlags extends BuildFlags, CacheFlags {
  once?: boolean;
  dryRun?: boolean;
  interval?: string;
  buildDuration?: string;
  onEvent?: string;
  stateFile?: string;
  retry?: string[];
  name?: string;
  manifest?: boolean;
  skipCheck?: boolean;
  refresh?: boolean;
}

export const DEFAULT_BUILD_DURATION = '2h';
export const DEFAULT_INTERVAL = '10m';

function durationFlag(text: string, flag: string): number {
  const s = parseDuration(text);
  if (s === null) throw usageError(`${flag} takes a duration like 2h, 90m, 45s or 1h30m (or seconds), got "${text}"`);
  return s;
}

/** The state file: --state-file, else <state-dir>/watch/<canister>.json (one per canister). */
export function statePathOf(ctx: Context, flags: WatchFlags): string {
  if (flags.stateFile) return resolve(flags.stateFile);
  return resolve(ctx.opts.stateDir ?? '.icos-attest', 'watch', `${ctx.canisterId()}.json`);
}

/** Envelopes of one attempt: beside the state file, so every attempt has its own files. */
function envelopeBase(statePath: string, p: ProposalRecord): string {
  return join(dirname(statePath), basename(statePath, '.json'), p.id, `attempt-${p.attempts}.dsse.json`);
}

function fromStoreError(err: unknown): never {
  if (err instanceof WatchStoreError) throw new CliError('input', err.message, { watchError: err.kind }, { cause: err });
  if (err instanceof WatchStateError) throw new CliError('input', err.message, { watchError: err.kind }, { cause: err });
  throw err;
}

/** The real steps: governance's list, and the check/build/attest/submit functions of `run`. */
function realSteps(ctx: Context, flags: WatchFlags, statePath: string): ReviewSteps {
  let agent: Awaited<ReturnType<typeof createAgent>> | null = null;
  return {
    async listOpen(): Promise<ElectionProposal[]> {
      const network = governanceNetworkOf(flags, ctx.opts.network);
      // the same replica as --network: the same pinned root key
      const target = resolveNetwork({ network, rootKeyFile: network === ctx.opts.network ? ctx.opts.rootKey : undefined, stateDir: ctx.opts.stateDir });
      agent ??= await createAgent(target, undefined, (m) => ctx.out.warn(m));
      const core = await loadProposal();
      const governanceId = proposalEndpoints({ governanceId: flags.governanceId }).governanceId;
      let res;
      try {
        res = await core.listProposalsFromGovernance(agent, { governanceId, limit: 100 });
      } catch (err) {
        const e = err as { name?: string; kind?: string; message?: string };
        if (e?.name === 'ProposalError') throw new CliError(e.kind === 'network' ? 'network' : 'input', e.message ?? 'governance error', undefined, { cause: err });
        throw err;
      }
      for (const e of res.errors) ctx.out.warn(`governance lists a proposal that cannot be read: ${e.message}`);
      return res.proposals.filter((p) => p.status === 'open');
    },

    async build(p) {
      let check: { path: string; ok: boolean; findings: number } | null = null;
      let oses: string | undefined = flags.os;
      if (!flags.skipCheck) {
        ctx.out.log(`[${p.id}] check: against the CDN mirrors`);
        const c = await runCheck(ctx, p.id, { ...flags, output: undefined });
        check = { path: c.path, ok: c.report.ok, findings: c.report.findings.length };
        oses ??= [...new Set(c.report.artifacts.map((a) => a.os))].join(',');
        if (!c.report.ok) ctx.out.warn(`[${p.id}] the check found ${c.report.findings.length} problem(s); see ${c.path}`);
      }
      ctx.out.log(`[${p.id}] build`);
      const built = await runBuildCommand(ctx, p.id, { ...flags, os: oses, output: undefined });
      ctx.out.log(`[${p.id}] attest ${built.resultPath}`);
      const output = envelopeBase(statePath, p);
      mkdirSync(dirname(output), { recursive: true });
      const files = await attestFile(ctx, built.resultPath, { check: check?.path, output, manifest: flags.manifest, proposal: p.id });
      return { resultPath: built.resultPath, check, envelopes: files.map((f) => ({ os: f.os, path: f.path, artifacts: f.artifacts.map((a) => ({ name: a.name, sha256: a.sha256, outcome: a.outcome })) })) };
    },

    async submit(p) {
      ctx.out.log(`[${p.id}] submit ${p.envelopes.map((e) => e.path).join(', ')}`);
      const res = await submitFiles(ctx, p.envelopes.map((e) => e.path), flags.name);
      const failure = submitFailure(res);
      if (failure) throw failure;
      return res.submitted.map((s) => ({ id: s.id, os: s.os, path: s.path, receipt: s.receipt ?? null }));
    }
  };
}

function classify(err: unknown): { kind: string; message: string; transient: boolean } {
  const cli = toCliError(err);
  return { kind: cli.kind, message: withoutInternals(cli.message), transient: cli.kind === 'network' };
}

export function registerWatch(program: Command): void {
  addCdnOptions(
    addProposalSourceOptions(
      addBuildOptions(
        program
          .command('watch')
          .option('--once', 'one poll: review what is due, then exit (for cron and CI)')
          .option('--dry-run', 'say what one poll would do; change nothing')
          .addOption(new Option('--interval <duration>', 'time between polls').default(DEFAULT_INTERVAL).env('ICOS_ATTEST_WATCH_INTERVAL'))
          .addOption(new Option('--build-duration <duration>', 'typical duration of a build: a proposal whose deadline is closer is reported, not started').default(DEFAULT_BUILD_DURATION).env('ICOS_ATTEST_BUILD_DURATION'))
          .addOption(new Option('--on-event <command>', 'run this shell command for every event, the event as JSON on its stdin').env('ICOS_ATTEST_ON_EVENT'))
          .addOption(new Option('--state-file <file>', 'the watch state (default: <state-dir>/watch/<canister>.json)').env('ICOS_ATTEST_WATCH_STATE'))
          .option('--retry <id>', 'review this failed, too-late or closed proposal again (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
          .option('--os <list>', 'OSes to build (default: the elected OS, + SetupOS for HostOS)')
      )
        .option('--refresh', 're-download even when a verified copy is cached')
        .option('--skip-check', 'no CDN check: the attestation then compares with nothing but the proposal')
        .option('--no-manifest', 'do not compute artifact manifests')
        .option('--name <text>', 'reviewer name shown in reports, when registering')
        .description('poll NNS governance and review every new IC-OS election once: check, build, attest, submit')
    )
  ).action(action(async (ctx, flags: WatchFlags) => watchCommand(ctx, flags)));
}

async function watchCommand(ctx: Context, flags: WatchFlags): Promise<number> {
  const buildDurationSeconds = durationFlag(flags.buildDuration ?? DEFAULT_BUILD_DURATION, '--build-duration');
  const intervalMs = durationFlag(flags.interval ?? DEFAULT_INTERVAL, '--interval') * 1000;
  const retry = (flags.retry ?? []).map(parseProposalId);
  if (flags.dryRun && retry.length > 0) throw usageError('--retry changes the state; it cannot be combined with --dry-run');
  const statePath = statePathOf(ctx, flags);
  const clock = () => ({ nowSeconds: Math.floor(Date.now() / 1000) });

  if (flags.dryRun) {
    const steps = realSteps(ctx, flags, statePath);
    let state: WatchState;
    try {
      state = loadState(statePath);
    } catch (err) {
      fromStoreError(err);
    }
    const plan = dryRun(state, await steps.listOpen(), clock(), buildDurationSeconds);
    ctx.out.result({ stateFile: statePath, buildDurationSeconds, events: plan.events, queue: plan.queue }, () =>
      [
        `dry run (nothing changed): state ${statePath}, typical build ${formatDuration(buildDurationSeconds)}`,
        ...plan.events.map((e) => `would report: ${describeEvent(e)}`),
        ...plan.queue.map((q) => `would ${q.action} (proposal ${q.proposal})`),
        ...(plan.events.length === 0 && plan.queue.length === 0 ? ['nothing to do'] : [])
      ].join('\n')
    );
    return EXIT_OK;
  }

  // the key and the canister first: a review of hours must not fail at the end on a typo
  ctx.identity();
  ctx.canisterId();
  let release: () => void;
  let state: WatchState;
  try {
    release = acquireLock(statePath);
  } catch (err) {
    fromStoreError(err);
  }
  const stop = () => {
    release();
    ctx.out.log('watch stopped; the state is kept and the next start resumes from it');
    process.exit(EXIT_OK);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    try {
      state = loadState(statePath);
      for (const id of retry) state = markRetry(state, id);
      if (retry.length > 0) saveState(statePath, state);
    } catch (err) {
      fromStoreError(err);
    }
    const events: WatchEvent[] = [];
    const deps: LoopDeps = {
      steps: realSteps(ctx, flags, statePath),
      buildDurationSeconds,
      clock,
      classify,
      save: (s) => saveState(statePath, s),
      emit: eventReporter({
        write: (e) => {
          events.push(e);
          // --once --json prints one document at the end; otherwise one line per event as it happens
          if (!(flags.once && ctx.out.json)) process.stdout.write(ctx.out.json ? `${JSON.stringify(e)}\n` : `${e.at} ${describeEvent(e)}\n`);
        },
        command: flags.onEvent,
        warn: (m) => ctx.out.warn(m),
        onOutput: (l) => ctx.out.log(`on-event: ${l}`)
      })
    };
    ctx.out.log(`watching NNS governance for IC-OS elections${flags.once ? ' (one poll)' : `, every ${formatDuration(intervalMs / 1000)}`}; typical build ${formatDuration(buildDurationSeconds)}; state ${statePath}`);
    for (;;) {
      let open: ElectionProposal[] | null = null;
      try {
        open = await deps.steps.listOpen();
      } catch (err) {
        if (flags.once) throw err;
        ctx.out.warn(`governance could not be read (${oneLine(err)}); trying again in ${formatDuration(intervalMs / 1000)}`);
      }
      if (open !== null) {
        state = await takePoll(deps, state, open);
        state = await drainQueue(deps, state);
      }
      if (flags.once) break;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
    const doc = { stateFile: statePath, buildDurationSeconds, events, proposals: Object.values(state.proposals) };
    if (ctx.out.json) ctx.out.result(doc, () => '');
    // for cron: non-zero when this poll met a failure or a divergence
    const errors = events.filter((e) => e.type === 'error');
    if (errors.length > 0) {
      const last = errors[errors.length - 1]!;
      const code = last.detail.kind === 'network' ? EXIT_NETWORK : last.detail.kind === 'verification' ? EXIT_VERIFICATION : EXIT_USAGE;
      ctx.out.error(`proposal ${last.proposal}: ${String(last.detail.step)} failed: ${String(last.detail.message)}`);
      return code;
    }
    if (events.some((e) => e.type === 'diverged')) {
      ctx.out.error('a build did not match the hash it was compared with (see above); the attestation was submitted all the same');
      return EXIT_VERIFICATION;
    }
    return EXIT_OK;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    release!();
  }
}
