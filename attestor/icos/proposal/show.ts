/**
 * The core of `icos-attest proposal show <id> [--source governance|dashboard]`: read from the
 * chosen source, render for a person; `--json` prints the ElectionProposal itself:
 *
 *   {id, title, summary, status, elects, action, commit, sha256, urls, launchMeasurements,
 *    unelect, proposedAtSeconds, deadlineSeconds, source}   (protocol/nns/types.ts)
 *
 * Exit codes: ProposalError 'network' -> 3; every other kind -> 2 (see `asCliError`).
 */
import type { Agent } from '@dfinity/agent';

import { CliError } from '../../cli/errors.js';
import { ProposalError, isProposalError } from '../../../protocol/nns/errors.js';
import { nnsFunctionId } from '../../../protocol/nns/functions.js';
import type { ElectionProposal } from '../../../protocol/nns/types.js';
import { fetchProposalFromDashboard } from './dashboard.js';
import { fetchProposalFromGovernance } from './governance.js';

export type ProposalSource = 'governance' | 'dashboard';

export interface ReadProposalOptions {
  source: ProposalSource;
  /** Needed for the governance source. */
  agent?: Agent;
  governanceId?: string;
  dashboardUrl?: string;
  fetch?: typeof globalThis.fetch;
  allowNotIcos?: boolean;
}

export async function readProposal(id: string | number | bigint, opts: ReadProposalOptions): Promise<ElectionProposal> {
  if (opts.source === 'dashboard') {
    return fetchProposalFromDashboard(id, { baseUrl: opts.dashboardUrl, fetch: opts.fetch, allowNotIcos: opts.allowNotIcos });
  }
  if (opts.agent === undefined) throw new ProposalError('bad-input', 'reading from governance needs an agent (a network to talk to)');
  return fetchProposalFromGovernance(opts.agent, id, { governanceId: opts.governanceId, allowNotIcos: opts.allowNotIcos });
}

const OS_LABEL = { guestos: 'GuestOS', hostos: 'HostOS' } as const;

/** "GuestOS election (ReviseElectedGuestosVersions, NNS function 38)" and the like. */
export function proposalKind(p: ElectionProposal): string {
  const fn = nnsFunctionId(p.action);
  const what = p.elects === 'not-icos' ? 'not an IC-OS election' : `${OS_LABEL[p.elects]} election`;
  return `${what} (${p.action}${fn === undefined ? '' : `, NNS function ${fn}`})`;
}

const iso = (s: number): string => new Date(s * 1000).toISOString().replace('.000Z', 'Z');

/** Human output: one fact per line, the values a reviewer copies (commit, hash, URLs) unwrapped. */
export function renderProposal(p: ElectionProposal): string {
  const lines = [
    `Proposal ${p.id}: ${p.title || '(no title)'}`,
    `  type:      ${proposalKind(p)}`,
    `  status:    ${p.status}`,
    `  commit:    ${p.commit ?? '(none)'}`,
    `  sha256:    ${p.sha256 ?? '(none)'}`
  ];
  if (p.urls.length === 0) lines.push('  urls:      (none)');
  p.urls.forEach((u, i) => lines.push(`  ${i === 0 ? 'urls:     ' : '          '} ${u}`));
  if (p.elects === 'guestos') {
    if (p.launchMeasurements.length === 0) lines.push('  launch measurements: (none in the proposal)');
    else p.launchMeasurements.forEach((m, i) => lines.push(`  ${i === 0 ? 'launch measurements:' : '                    '} ${m}`));
  }
  if (p.unelect.length > 0) lines.push(`  unelects:  ${p.unelect.join(', ')}`);
  lines.push(`  proposed:  ${iso(p.proposedAtSeconds)}`);
  if (p.deadlineSeconds !== null) lines.push(`  deadline:  ${iso(p.deadlineSeconds)}`);
  lines.push(`  source:    ${p.source === 'governance' ? 'NNS governance canister' : 'dashboard API'}`);
  return lines.join('\n');
}

/** ProposalError -> CliError: network -> exit 3, everything else is an input problem (exit 2). */
export function asCliError(e: unknown): unknown {
  if (!isProposalError(e)) return e;
  return new CliError(e.kind === 'network' ? 'network' : 'input', e.message, { kind: e.kind });
}
