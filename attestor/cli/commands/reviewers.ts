/**
 * reviewers list|endorse|unendorse: who may decide a verdict. Listing is a query anyone can make;
 * endorsing calls the canister's controller-only endorse_reviewer with the selected identity.
 */
import { Principal } from '@dfinity/principal';
import type { Command } from 'commander';

import { action } from '../action.js';
import { CliError, usageError } from '../errors.js';
import { paint, table } from '../output.js';
import type { Context } from '../context.js';
import { unwrapResult } from '../../client/client.js';
import { compareReviewers, displayName, visibleText } from '../../../protocol/names.js';
import type { Opt, Reviewer, ReviewerPage } from '../../../protocol/service.js';

/** JSON shape of one reviewer (`reviewers list --json`, and `reviewer` in endorse/unendorse). */
export interface ReviewerJson {
  principal: string;
  name: string;
  contact: string | null;
  keyType: string;
  endorsed: boolean;
  /** Another reviewer's name is the same after case folding: tell them apart by principal. */
  nameCollides: boolean;
  attestations: string;
  registeredAtNs: string;
  updatedAtNs: string;
}

/** JSON shape of `reviewers list`: endorsed first, then by name. */
export interface ReviewersJson {
  reviewers: ReviewerJson[];
}

/** JSON shape of `reviewers endorse|unendorse`. */
export interface EndorseJson {
  principal: string;
  endorsed: boolean;
  /** The registered reviewer, or null: endorsing an unregistered principal invites it. */
  reviewer: ReviewerJson | null;
}

export function reviewerJson(r: Reviewer): ReviewerJson {
  return {
    principal: r.id.toText(),
    name: r.name,
    contact: r.contact.length === 1 ? r.contact[0] : null,
    keyType: r.key_type,
    endorsed: r.endorsed,
    nameCollides: r.name_collides === true,
    attestations: r.attestations.toString(),
    registeredAtNs: r.registered_at_ns.toString(),
    updatedAtNs: r.updated_at_ns.toString()
  };
}

/** Every registered reviewer, page by page (100 at a time), endorsed first. */
export async function allReviewers(ctx: Context): Promise<ReviewerJson[]> {
  const client = await ctx.client(false);
  const out: ReviewerJson[] = [];
  let cursor: Opt<Principal> = [];
  for (;;) {
    const page: ReviewerPage = await client.call<ReviewerPage>('list_reviewers', cursor, 100);
    out.push(...page.reviewers.map(reviewerJson));
    if (page.next_cursor.length === 0 || page.reviewers.length === 0) break;
    cursor = page.next_cursor;
    ctx.out.log(`read ${out.length} reviewers…`);
  }
  return out.sort((a, b) => compareReviewers(a, b));
}

export function renderReviewers(rs: ReviewerJson[], color: boolean): string {
  if (rs.length === 0) return 'no reviewers registered';
  const rows = rs.map((r) => {
    const d = displayName(visibleText(r.name), r.principal, { collides: r.nameCollides, endorsed: r.endorsed });
    return [
      r.principal,
      d.name,
      r.endorsed ? paint(color, 'green', 'yes') : paint(color, 'yellow', 'no (unverified)'),
      r.attestations,
      r.nameCollides ? paint(color, 'red', 'name shared with another reviewer') : ''
    ];
  });
  const endorsed = rs.filter((r) => r.endorsed).length;
  return `${table(['PRINCIPAL', 'NAME', 'ENDORSED', 'ATTESTATIONS', 'NOTE'], rows)}\n${endorsed} of ${rs.length} endorsed; only endorsed reviewers decide verdicts`;
}

function parsePrincipal(text: string): Principal {
  try {
    return Principal.fromText(text);
  } catch {
    throw usageError(`not a principal: ${JSON.stringify(text)} (expected text like 2vxsx-fae or aaaaa-…-cai)`);
  }
}

async function setEndorsed(ctx: Context, text: string, endorsed: boolean): Promise<EndorseJson> {
  const target = parsePrincipal(text);
  const client = await ctx.client(true);
  const caller = ctx.identity().principal;
  try {
    unwrapResult<null>(await client.call('endorse_reviewer', target, endorsed), 'endorse_reviewer');
  } catch (e) {
    // Ingress from a non-controller is refused before execution, with the replica's words only.
    if (e instanceof CliError && e.kind === 'canister' && !/invalid-argument/.test(e.message)) {
      throw new CliError('canister', `${e.message} (endorsing is for the canister's controllers; the selected identity is ${caller})`, e.detail, { cause: e });
    }
    throw e;
  }
  const [r] = await client.call<Opt<Reviewer>>('get_reviewer', target);
  return { principal: target.toText(), endorsed, reviewer: r === undefined ? null : reviewerJson(r) };
}

function renderEndorse(j: EndorseJson): string {
  const who = j.reviewer === null ? `${j.principal} (not registered yet${j.endorsed ? ': invited, may now register' : ''})` : displayName(visibleText(j.reviewer.name), j.principal, { endorsed: j.endorsed, collides: j.reviewer.nameCollides }).label;
  return `${j.endorsed ? 'endorsed' : 'no longer endorsed'}: ${who}${j.endorsed ? '\nTheir attestations now count towards verdicts.' : '\nTheir attestations are shown as unverified and no longer decide verdicts.'}`;
}

export function registerReviewers(program: Command): void {
  const reviewers = program.command('reviewers').description('registered reviewers; endorsing one (controllers only) lets its attestations decide verdicts');

  reviewers
    .command('list')
    .description('every registered reviewer: endorsed first, with name collisions marked')
    .action(
      action(async (ctx) => {
        const rs = await allReviewers(ctx);
        const j: ReviewersJson = { reviewers: rs };
        ctx.out.result(j, () => renderReviewers(rs, ctx.out.color));
      })
    );

  reviewers
    .command('endorse')
    .argument('<principal>', "the reviewer's principal (need not be registered yet)")
    .description("endorse a reviewer (the selected identity must be one of the canister's controllers)")
    .action(
      action(async (ctx, principal: string) => {
        const j = await setEndorsed(ctx, principal, true);
        ctx.out.result(j, () => renderEndorse(j));
      })
    );

  reviewers
    .command('unendorse')
    .argument('<principal>', "the reviewer's principal")
    .description("withdraw an endorsement (the selected identity must be one of the canister's controllers)")
    .action(
      action(async (ctx, principal: string) => {
        const j = await setEndorsed(ctx, principal, false);
        ctx.out.result(j, () => renderEndorse(j));
      })
    );
}
