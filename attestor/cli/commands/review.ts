/** attest, submit, report, verify: from a result file to a checked, shared attestation. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { Principal } from '@dfinity/principal';

import { signerFromSecretKey, OS_NAMES, type OsName } from '../../../protocol/index.js';
import type { Opt, ProposalReport, Reviewer } from '../../../protocol/service.js';
import { attestResult, type AttestedFile } from '../../attest/attest.js';
import { prepareResult } from '../../attest/sources.js';
import { loadEnvelopes, submitEnvelopes, submitFailure, type SubmitJson } from '../../client/submit.js';
import { fromOpt, renderReport, reportToJson, type ReportJson } from '../../client/report.js';
import { envelopeKeyId, verifyEnvelopeFile, type EnvelopeVerification } from '../../verify/envelope.js';
import { readPublicKeyPem } from '../../verify/public-key.js';
import { electedFromGovernance, fetchEvidence, fetchVerifiedReport, parseEvidence, type ProposalVerification } from '../../verify/proposal.js';
import { verifyEvidence, type ElectedEvidence } from '../../verify/evidence.js';
import { rememberHead } from '../../audit/remember.js';
import type { AttestationsClient } from '../../client/client.js';
import { writeFileAtomic } from '../../attest/files.js';
import { createAgent } from '../../network/agent.js';
import { governanceNetworkOf, resolveNetwork, sameEndpoint } from '../../network/resolve.js';
import { proposalEndpoints } from '../../icos/proposal/endpoints.js';
import { hexToBytes } from '../../../protocol/bytes.js';
import { action } from '../action.js';
import type { Context } from '../context.js';
import { EXIT_OK, EXIT_VERIFICATION, inputError, usageError } from '../errors.js';
import { paint } from '../output.js';

export function parseProposalId(text: string): string {
  if (!/^[0-9]{1,20}$/.test(text) || BigInt(text) > 0xffffffffffffffffn) throw usageError(`"${text}" is not a proposal id (a decimal number)`);
  return BigInt(text).toString();
}

export function parseOsList(text: string | undefined): OsName[] | undefined {
  if (!text) return undefined;
  const list = text.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  for (const os of list) if (!(OS_NAMES as readonly string[]).includes(os)) throw usageError(`unknown OS "${os}": use ${OS_NAMES.join(', ')}`);
  return list as OsName[];
}

function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw inputError(`cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw inputError(`${path} is not JSON (expected ${what})`);
  }
}

export interface AttestFlags {
  output?: string;
  os?: string;
  supersedes?: string;
  check?: string;
  proposal?: string;
  manifest?: boolean;
}

export async function attestFile(ctx: Context, resultPath: string, o: AttestFlags): Promise<AttestedFile[]> {
  const id = ctx.identity();
  const signer = signerFromSecretKey(id.keyType, id.secret);
  const raw = readJsonFile(resultPath, 'a result file');
  const check = o.check ? readJsonFile(o.check, 'a check report') : undefined;
  const progress = ctx.out.progress('manifest');
  const prepared = await prepareResult(raw, {
    check,
    proposal: o.proposal === undefined ? undefined : parseProposalId(o.proposal),
    manifests: o.manifest !== false,
    onManifest: (_name, done, total) => progress.update(done, total)
  });
  if (progress.used) progress.finish();
  const { files } = attestResult(prepared, signer, { out: o.output, resultPath, oses: parseOsList(o.os), supersedes: o.supersedes });
  return files;
}

export function renderAttested(files: AttestedFile[]): string {
  return files
    .map((f) => `${f.written === 'written' ? 'wrote' : 'kept (identical)'} ${f.path}\n  ${f.os} of proposal ${f.proposal}, commit ${f.commit}, signed by ${f.principal}\n${f.artifacts.map((a) => `  ${a.name} ${a.sha256} ${a.outcome}`).join('\n')}`)
    .join('\n');
}

export async function submitFiles(ctx: Context, paths: string[], name?: string): Promise<SubmitJson> {
  const id = ctx.identity();
  const envelopes = loadEnvelopes(paths, id.principal);
  const client = await ctx.client(true);
  return submitEnvelopes(client, id, envelopes, { name, retry: { onRetry: (n, ms) => ctx.out.log(`network error; retry ${n} in ${ms} ms`) } });
}

/** The certified report, verified against the root key and the tree heads seen before. */
export async function fetchReport(ctx: Context, proposal: string): Promise<ReportJson | null> {
  const client = await ctx.client(false);
  const { report, head } = await fetchVerifiedReport(client, proposal);
  await rememberHead(client, head, { stateDir: ctx.opts.stateDir });
  return report;
}

/** `report --format markdown`: links to this canister's pages on this network (attestor/report/markdown.ts). */
async function markdownOf(ctx: Context, proposal: string, report: ReportJson | null): Promise<string> {
  const { renderMarkdown, canisterWebUrl } = await import('../../report/markdown.js');
  if (!report) return `No attestations for proposal ${proposal} yet.\n`;
  const target = ctx.target();
  const canisterId = ctx.canisterId();
  const mainnet = target.name === 'ic';
  return renderMarkdown(report, { canisterId, canisterUrl: canisterWebUrl(target.url, canisterId, mainnet), network: mainnet ? 'ic' : target.url });
}

interface VerifyFlags {
  publicKey?: string;
  proposal?: string;
  expectProposal?: string;
  evidence?: string;
  replay?: string;
  governanceNetwork?: string;
  governanceId?: string;
}

/** Elected hashes from governance (--governance-network, default as for every command: network/resolve.ts), the same agent when it is the same replica. */
function governanceReader(ctx: Context, client: AttestationsClient, proposal: string, o: VerifyFlags): () => Promise<ElectedEvidence> {
  return async () => {
    const target = resolveNetwork({ network: governanceNetworkOf(o.governanceNetwork, ctx.opts.network), stateDir: ctx.opts.stateDir });
    const agent = sameEndpoint(target.url, client.url) ? client.agent : await createAgent(target, undefined, (m) => ctx.out.warn(m));
    const elected = await electedFromGovernance(agent, target.url, proposal, proposalEndpoints({ governanceId: o.governanceId }).governanceId);
    if (elected.source === 'unavailable') ctx.out.warn(`the elected hash was not read from NNS governance (${elected.reason}); set --governance-network`);
    return elected;
  };
}

/** verify --proposal: fetch → Evidence (saved with --evidence) → verifyEvidence; or --replay a saved one. */
async function verifyProposalCommand(ctx: Context, proposal: string | undefined, o: VerifyFlags): Promise<ProposalVerification> {
  if (o.replay) {
    const evidence = parseEvidence(readJsonFile(o.replay, 'an evidence file'));
    if (proposal !== undefined && evidence.proposal !== proposal) throw usageError(`${o.replay} is evidence for proposal ${evidence.proposal}, not ${proposal}`);
    const rootKey = ctx.target().rootKey;
    if (rootKey.kind === 'fetch') throw usageError('--replay needs a pinned root key: --root-key <file>, --network ic, or the embedded replica\'s local.json');
    return verifyEvidence(evidence, { rootKey: rootKey.key, maxAgeMinutes: null });
  }
  const client = await ctx.client(false);
  const evidence = await fetchEvidence(client, proposal!, governanceReader(ctx, client, proposal!, o));
  if (o.evidence) writeFileAtomic(resolve(o.evidence), `${JSON.stringify(evidence, null, 2)}\n`);
  const res = await verifyEvidence(evidence, { rootKey: new Uint8Array(client.agent.rootKey ?? new Uint8Array()), maxAgeMinutes: 5 });
  // Proven absent (certified): nothing was attested, so there is nothing to call verified.
  if (res.report === null && res.certified.eventCount === '0') throw inputError(`proposal ${proposal} has no attestations and no report in this canister (certified absent); nothing to verify`);
  await rememberHead(client, { size: BigInt(res.certified.logSize), root: hexToBytes(res.certified.logRoot), timeNs: BigInt(res.certified.certificateTimeNs) }, { stateDir: ctx.opts.stateDir });
  return res;
}

export function registerReviewCommands(program: Command): void {
  program
    .command('attest')
    .argument('<result>', 'result file written by `build` or `check`')
    .option('-o, --output <file>', 'envelope file (several OSes: .<os> is inserted before the extension)')
    .option('--os <list>', 'only these OSes (comma-separated)')
    .option('--supersedes <id>', 'id of your earlier attestation this one replaces (one OS)')
    .option('--check <file>', 'check report of the same proposal: adds the proposal and CDN hashes to a build result')
    .option('--proposal <id>', 'proposal id for a result built with --commit')
    .option('--no-manifest', 'do not compute artifact manifests (faster; no divergence diagnosis)')
    .description('sign the result as one DSSE envelope per OS, offline; written to disk, never sent')
    .action(
      action(async (ctx, result: string, o: AttestFlags) => {
        if (o.supersedes !== undefined && !/^[0-9]{1,20}$/.test(o.supersedes)) throw usageError('--supersedes takes an attestation id (a decimal number)');
        const files = await attestFile(ctx, result, o);
        ctx.out.result({ envelopes: files }, () => renderAttested(files));
      })
    );

  program
    .command('submit')
    .argument('<envelope...>', 'envelope files written by `attest`')
    .option('--name <text>', 'reviewer name shown in reports, when registering (default: the identity name)')
    .description('register the reviewer if needed and submit each envelope (retried; idempotent)')
    .action(
      action(async (ctx, paths: string[], o: { name?: string }) => {
        const res = await submitFiles(ctx, paths, o.name);
        ctx.out.result(res, () =>
          [
            ...(res.reviewer.registered ? [`registered reviewer ${res.reviewer.principal}`] : []),
            ...res.submitted.map((s) => `submitted ${s.path}: attestation ${s.id} (proposal ${s.proposal}, ${s.os})`),
            ...res.failed.map((f) => `NOT STORED ${f.path} (proposal ${f.proposal}, ${f.os}): ${f.error.message}`)
          ].join('\n')
        );
        // non-zero only after the output above said what was stored
        const failure = submitFailure(res);
        if (failure) {
          ctx.out.error(failure.message);
          return failure.exitCode;
        }
      })
    );

  program
    .command('report')
    .argument('<proposal>', 'NNS proposal id')
    .addOption(new Option('--format <text|markdown>', 'human output: a table, or a forum-ready summary in markdown (also added to --json as "markdown")').choices(['text', 'markdown']).default('text'))
    .description("the canister's report: per OS and artifact, the hash groups, reviewers, verdict and divergence hints")
    .action(
      action(async (ctx, proposalText: string, o: { format?: string }) => {
        const proposal = parseProposalId(proposalText);
        const report = await fetchReport(ctx, proposal);
        if (o.format === 'markdown') {
          const markdown = await markdownOf(ctx, proposal, report);
          return ctx.out.result({ proposal, report, markdown }, () => markdown);
        }
        ctx.out.result({ proposal, report }, () => (report ? renderReport(report, ctx.out.color) : `no attestations for proposal ${proposal} yet`));
      })
    );

  program
    .command('verify')
    .argument('[envelope...]', 'envelope files to verify offline')
    .option('--public-key <pem>', "signer's public key (PEM; a private key PEM works too)")
    .option('--proposal <id>', 'verify every attestation stored for this proposal and the canister report')
    .addOption(new Option('--expect-proposal <id>', 'offline: also require the envelope to be for this proposal'))
    .option('--evidence <file>', 'with --proposal: also save everything fetched (certified report, envelopes, keys, elected hash) as JSON')
    .option('--replay <file>', 'verify saved evidence offline (certificate age not checked; root key must be pinned)')
    .addOption(new Option('--governance-network <local|ic|URL>', 'replica hosting NNS governance, read for the elected hash (default: --network when it is local, else ic)').env('ICOS_ATTEST_GOVERNANCE_NETWORK'))
    .addOption(new Option('--governance-id <id>', 'NNS governance canister id').env('ICOS_ATTEST_GOVERNANCE_ID'))
    .description('re-verify signatures and consensus independently of the canister (exit 1 on any failure)')
    .action(
      action(async (ctx, paths: string[], o: VerifyFlags) => {
        if (o.proposal !== undefined || o.replay !== undefined) {
          if (paths.length > 0) throw usageError('give either envelope files or --proposal, not both');
          const res = await verifyProposalCommand(ctx, o.proposal === undefined ? undefined : parseProposalId(o.proposal), o);
          ctx.out.result(res, () => renderProposalVerification(res, ctx.out.color));
          return res.ok ? EXIT_OK : EXIT_VERIFICATION;
        }
        if (paths.length === 0) throw usageError('give envelope files to verify, or --proposal <id>');
        const expected = o.expectProposal !== undefined ? parseProposalId(o.expectProposal) : undefined;
        const results: EnvelopeVerification[] = [];
        for (const path of paths) {
          const key = await publicKeyFor(ctx, path, o.publicKey);
          results.push(verifyEnvelopeFile(path, key, expected));
        }
        const ok = results.every((r) => r.valid);
        ctx.out.result({ ok, envelopes: results }, () =>
          results
            .map((r) =>
              r.valid
                ? `${paint(ctx.out.color, 'green', 'valid')}   ${r.path}: ${r.os} of proposal ${r.proposal} signed by ${r.principal}\n${(r.artifacts ?? []).map((a) => `        ${a.name} ${a.sha256} ${a.outcome}`).join('\n')}`
                : `${paint(ctx.out.color, 'red', 'INVALID')} ${r.path}: ${r.error?.kind}: ${r.error?.message}`
            )
            .join('\n')
        );
        return ok ? EXIT_OK : EXIT_VERIFICATION;
      })
    );
}

/** --public-key, else an explicitly chosen identity's key, else the reviewer's key from the canister. */
async function publicKeyFor(ctx: Context, path: string, publicKeyPem?: string): Promise<Uint8Array> {
  if (publicKeyPem) return readPublicKeyPem(publicKeyPem);
  if (ctx.opts.pem || ctx.opts.identity) {
    const id = ctx.identity();
    return signerFromSecretKey(id.keyType, id.secret).publicKeyDer;
  }
  const keyid = envelopeKeyId(path);
  if (!keyid) throw inputError(`${path}: no signature keyid to look the key up by; pass --public-key <pem>`);
  let principal: Principal;
  try {
    principal = Principal.fromText(keyid);
  } catch {
    throw inputError(`${path}: keyid "${keyid.slice(0, 80)}" is not a principal; pass --public-key <pem>`);
  }
  const client = await ctx.client(false);
  const r = await client.call<Opt<Reviewer>>('get_reviewer', principal);
  if (r.length === 0) throw inputError(`${keyid} is not a registered reviewer of canister ${client.canisterId}; pass --public-key <pem>`);
  return new Uint8Array(r[0].public_key);
}

function renderProposalVerification(r: ProposalVerification, color: boolean): string {
  const lines = [`Proposal ${r.proposal} on canister ${r.canister}: ${r.attestations.length} attestation(s)`];
  lines.push(`  certified: log of ${r.certified.logSize} entries, ${r.certified.eventCount} event(s) of this proposal, report ${r.certified.reportSha256 ? 'present' : 'absent'}`);
  const elected = Object.entries(r.elected).filter(([, v]) => v).map(([os, v]) => `${os} ${v}`);
  lines.push(`  elected hash: ${r.electedSource === 'governance' ? (elected.length > 0 ? `${elected.join(', ')} (read from NNS governance, certified)` : 'none (NNS governance: no IC-OS hash elected)') : r.electedSource === 'not-found' ? 'none: governance does not know this proposal' : 'not read: NNS governance unreachable'}`);
  for (const a of r.attestations) {
    lines.push(`  ${a.valid ? paint(color, 'green', 'valid  ') : paint(color, 'red', 'INVALID')} #${a.id} ${a.os} ${a.reviewer}${a.revoked ? ' (revoked)' : ''}${a.error ? `: ${a.error}` : ''}`);
  }
  for (const os of r.consensus.oses) {
    lines.push(`  recomputed ${os.os}: ${os.verdict} (quorum ${os.quorum})${os.artifacts.map((a) => `; ${a.name}: ${a.groups.length} group(s), ${a.verdict}`).join('')}`);
  }
  if (r.differences.length > 0) {
    lines.push(paint(color, 'red', 'The canister report disagrees with the recomputed consensus:'));
    for (const d of r.differences) lines.push(`  ${d}`);
  }
  lines.push(r.ok ? paint(color, 'green', 'OK: the certified attestations are complete, every signature verifies and the certified report matches.') : paint(color, 'red', 'FAILED'));
  return lines.join('\n');
}
