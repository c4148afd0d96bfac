/**
 * `hash <file...> [--manifest]`: sha256 (and the manifest) of local files. Its own file, importing
 * nothing heavy, so `icos-attest hash` starts without loading keys, agents or the canister client
 * (program.ts loads only this group for it; action.ts gives it a light context).
 */
import type { Command } from 'commander';

import { action } from '../action.js';
import { loadHash, loadManifest } from '../cores.js';
import { EXIT_OK, EXIT_USAGE } from '../errors.js';
import { formatAmount, progressRenderer } from '../output.js';

export function registerHash(program: Command): void {
  program
    .command('hash')
    .argument('<file...>', 'artifact files')
    .option('--manifest', 'also compute the manifest (digest per tar entry / GPT partition)')
    .description('sha256 (and optionally the manifest) of local artifacts')
    .action(
      action(async (ctx, files: string[], flags: { manifest?: boolean }) => {
        const { hashFiles } = await loadHash();
        const render = progressRenderer(ctx.out);
        const hashed = await hashFiles(files, { onProgress: render });
        const out: Array<Record<string, unknown>> = [];
        for (const h of hashed) {
          const row: Record<string, unknown> = { ...h };
          if (flags.manifest && h.error === null) {
            const { computeManifest } = await loadManifest();
            const m = await computeManifest(h.path);
            row.manifest = { root: m.root, compression: m.compression, contentSize: m.contentSize, entries: m.entries, notes: m.notes };
          }
          out.push(row);
        }
        // an unreadable file is an error line on stderr; the others are still hashed (stdout)
        for (const r of out) if (r.error) process.stderr.write(`icos-attest: ${(r.error as { message: string }).message}\n`);
        ctx.out.result({ files: out }, () =>
          out
            .filter((r) => !r.error)
            .map((r) => {
              const m = r.manifest as { root: string; entries: { path: string; sha256: string; size: number }[] } | undefined;
              return [`${r.sha256}  ${r.path}`, ...(m ? [`  manifest root ${m.root}`, ...m.entries.map((e) => `  ${e.sha256}  ${e.path} (${formatAmount(e.size, 'bytes')})`)] : [])].join('\n');
            })
            .join('\n')
        );
        return hashed.some((h) => h.error !== null) ? EXIT_USAGE : EXIT_OK;
      }, { light: true })
    );

}
