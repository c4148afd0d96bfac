/**
 * proposals: the canister's proposal listing, newest first, with the verdict and outcome per OS
 * (a query; `report <id>` gives one proposal's certified report).
 */
import type { Command } from 'commander';

import { action } from '../action.js';
import { usageError } from '../errors.js';
import { paint, table } from '../output.js';
import type { Context } from '../context.js';
import type { Opt, ProposalPage, ProposalSummary } from '../../../protocol/service.js';

/** JSON shape of one listed proposal (`proposals --json`). */
export interface ProposalListJson {
  proposal: string;
  attestations: number;
  lastSubmittedAtNs: string;
  /** Per OS with counted attestations (or elected by the proposal), in the order guestos, hostos, setupos, recovery. */
  oses: { os: string; verdict: string; outcome: string }[];
  /** What NNS governance says, when the canister synced the proposal. */
  governance: { title: string; status: string; elects: string; sha256: string | null; deadlineSeconds: string | null } | null;
}

/** JSON shape of `proposals`: newest first; nextCursor continues with `--after`. */
export interface ProposalsJson {
  proposals: ProposalListJson[];
  nextCursor: string | null;
}

export function proposalListJson(p: ProposalSummary): ProposalListJson {
  const g = p.governance !== undefined && p.governance.length === 1 ? p.governance[0] : null;
  return {
    proposal: p.proposal.toString(),
    attestations: p.attestations,
    lastSubmittedAtNs: p.last_submitted_at_ns.toString(),
    oses: p.oses.map((o) => ({ os: o.os, verdict: o.verdict, outcome: o.outcome ?? o.verdict })),
    governance:
      g === null
        ? null
        : { title: g.title, status: g.status, elects: g.elects, sha256: g.sha256.length === 1 ? g.sha256[0] : null, deadlineSeconds: g.deadline_seconds.length === 1 ? g.deadline_seconds[0].toString() : null }
  };
}

function parseCount(text: string, flag: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 10_000) throw usageError(`${flag} must be a whole number from 1 to 10000, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** Up to `limit` proposals older than `after` (pages of 50, as the canister allows). */
export async function listProposals(ctx: Context, limit: number, after: bigint | null): Promise<ProposalsJson> {
  const client = await ctx.client(false);
  const out: ProposalListJson[] = [];
  let cursor: Opt<bigint> = after === null ? [] : [after];
  for (;;) {
    const page = await client.call<ProposalPage>('list_proposals', cursor, Math.min(50, limit - out.length));
    out.push(...page.proposals.map(proposalListJson));
    cursor = page.next_cursor;
    if (cursor.length === 0 || out.length >= limit || page.proposals.length === 0) break;
    ctx.out.log(`read ${out.length} proposals…`);
  }
  const list = out.slice(0, limit);
  const more = cursor.length === 1 || out.length > limit;
  return { proposals: list, nextCursor: more && list.length > 0 ? list[list.length - 1].proposal : null };
}

const style = (v: string) => (v === 'reproduced' ? 'green' : v === 'pending' ? 'yellow' : 'red');

export function renderProposals(j: ProposalsJson, color: boolean): string {
  if (j.proposals.length === 0) return 'no proposals with attestations or open IC-OS elections yet';
  const rows = j.proposals.map((p) => [
    p.proposal,
    p.governance ? `${p.governance.title} (${p.governance.status})` : '(not synced from governance)',
    String(p.attestations),
    p.oses.length === 0
      ? p.governance?.elects === 'not-icos'
        ? 'not an IC-OS election'
        : '-'
      : p.oses.map((o) => `${o.os} ${paint(color, style(o.verdict), o.outcome === o.verdict ? o.verdict : `${o.verdict} (${o.outcome})`)}`).join(', ')
  ]);
  const more = j.nextCursor === null ? [] : [`more: icos-attest proposals --after ${j.nextCursor}`];
  return [table(['PROPOSAL', 'TITLE', 'ATTESTATIONS', 'VERDICT PER OS'], rows), ...more].join('\n');
}

export function registerProposals(program: Command): void {
  program
    .command('proposals')
    .description('proposals with attestations and open IC-OS elections, newest first, with the verdict per OS')
    .option('--limit <n>', 'how many to show', '20')
    .option('--after <proposal>', 'continue after this proposal id (the nextCursor of a previous listing)')
    .action(
      action(async (ctx, o: { limit: string; after?: string }) => {
        const limit = parseCount(o.limit, '--limit');
        if (o.after !== undefined && !/^\d{1,19}$/.test(o.after)) throw usageError(`--after must be a proposal id, got ${JSON.stringify(o.after)}`);
        const j = await listProposals(ctx, limit, o.after === undefined ? null : BigInt(o.after));
        ctx.out.result(j, () => renderProposals(j, ctx.out.color));
      })
    );
}
