/** doctor: this machine (or a recorded environment) against the catalogue of known causes. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';

import { action } from '../action.js';
import { inputError } from '../errors.js';
import { diagnoseMachine, factsFromJson, formatDoctor } from '../../doctor/index.js';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('pre-flight: which known cause of divergent hashes applies to this machine, with the fix (exit 1 when one does)')
    .option('--repo <dir>', 'an ic checkout: also check its container script (tmpfs mounts, image pin) and build files')
    .option('--facts <file>', 'check a recorded environment (a result file, a statement or an environment record) instead of this machine')
    .action(
      action(async (ctx) => {
        const opts = ctx.opts as { repo?: string; facts?: string };
        let env;
        if (opts.facts) {
          let raw: unknown;
          try {
            raw = JSON.parse(readFileSync(opts.facts, 'utf8'));
          } catch (err) {
            throw inputError(`--facts ${opts.facts}: ${(err as Error).message}`);
          }
          env = factsFromJson(raw);
          if (!env) throw inputError(`--facts ${opts.facts}: no environment record in it`);
        } else {
          const { collectEnvironmentV2 } = await import('../../icos/environment/collect-v2.js');
          const repoDir = opts.repo ? resolve(opts.repo) : null;
          env = await collectEnvironmentV2({ repoDir, script: null, commandLine: [], release: true, commit: repoDir ? undefined : '0'.repeat(40) });
          // Nothing was built: a clean tree and the release flag are the build's to decide.
          if (!repoDir) env.git.clean = true;
        }
        const report = diagnoseMachine(env);
        ctx.out.result(report, () => formatDoctor(report).trimEnd());
        return report.ok ? 0 : 1;
      })
    );
}
