/** `audit`: the monitor. A thin shell over attestor/audit/audit.ts. */
import type { Command } from 'commander';

import { audit, type AuditJson } from '../../audit/audit.js';
import { defaultHeadsPath } from '../../audit/heads.js';
import { action } from '../action.js';
import { EXIT_OK, EXIT_VERIFICATION } from '../errors.js';
import { paint } from '../output.js';
import { TrustError } from '../../verify/trust-error.js';

export function registerAudit(program: Command): void {
  program
    .command('audit')
    .argument('[receipt...]', 'receipt files written by `submit` (<envelope>.receipt.json): each must still be in the log')
    .option('--mirror <dir>', 'also copy the whole log into <dir> and recompute every leaf, the root and every attestation digest')
    .option('--heads <file>', 'the tree heads seen so far (default: <state-dir>/tree-heads/<canister>-<root key hash>.json)')
    .description('check the log never shrank or changed: consistency with the last tree head seen, receipts still included (exit 1 naming what changed)')
    .action(
      action(async (ctx, receipts: string[], o: { mirror?: string; heads?: string }) => {
        const client = await ctx.client(false);
        const rootKey = client.agent.rootKey;
        if (!rootKey) throw new TrustError('root-key', 'no root key to check tree heads with');
        const progress = ctx.out.progress('mirror');
        const res = await audit(client, new Uint8Array(rootKey), {
          headsFile: o.heads ?? defaultHeadsPath(ctx.opts.stateDir ?? '.icos-attest', client.canisterId, new Uint8Array(rootKey)),
          receipts,
          mirror: o.mirror,
          onProgress: (done, total) => progress.update(done, total, 'items')
        });
        if (progress.used) progress.finish();
        ctx.out.result(res, () => renderAudit(res, ctx.out.color));
        return res.ok ? EXIT_OK : EXIT_VERIFICATION;
      })
    );
}

function renderAudit(r: AuditJson, color: boolean): string {
  const lines = [`Log of canister ${r.canister}: ${r.head.size} entries, root ${r.head.root}`];
  if (r.previous) lines.push(`  last seen ${r.previous.seenAt}: ${r.previous.size} entries${r.relation === 'extended' ? ' — extended consistently' : r.relation === 'same' ? ' — unchanged' : ''}`);
  else lines.push('  first tree head seen for this canister');
  for (const x of r.receipts) lines.push(`  ${x.included ? paint(color, 'green', 'included') : paint(color, 'red', 'MISSING ')} attestation ${x.attestationId} (entry ${x.leafIndex}) ${x.path}${x.error ? `: ${x.error}` : ''}`);
  if (r.mirror) lines.push(`  mirror ${r.mirror.dir}: ${r.mirror.entries} entries, root ${r.mirror.rootMatches ? 'matches' : 'DIFFERS'}; ${r.mirror.attestationsChecked} attestation digests checked`);
  if (r.problems.length > 0) {
    lines.push(paint(color, 'red', 'FAILED:'));
    for (const p of r.problems) lines.push(`  ${p}`);
  } else lines.push(paint(color, 'green', 'OK: the log only grew, and everything checked is still in it.'));
  return lines.join('\n');
}
