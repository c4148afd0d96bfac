/** The commander program: global options (with env fallbacks) and every command. */
import { Command, CommanderError, Option } from 'commander';

import { CliError, EXIT_USAGE, toCliError } from './errors.js';
import { exitState } from './action.js';
import { jsonReplacer } from './output.js';
import { registerIdentity } from './commands/identity.js';
import { registerIcosCommands } from './commands/icos.js';
import { registerReviewCommands } from './commands/review.js';
import { registerReplica } from './commands/replica.js';
import { registerAudit } from './commands/audit.js';
import { TOOL_VERSION } from './version.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('icos-attest')
    .description('Signed, verifiable reproducibility attestations for IC-OS election proposals')
    .version(TOOL_VERSION)
    .addOption(new Option('--network <local|ic|URL>', 'replica to talk to').env('ICOS_ATTEST_NETWORK'))
    .addOption(new Option('--canister <id>', 'attestations canister id').env('ICOS_ATTEST_CANISTER'))
    .addOption(new Option('--identity <name>', 'dfx identity name').env('ICOS_ATTEST_IDENTITY'))
    .addOption(new Option('--pem <file>', 'PEM file of the reviewer key (instead of a dfx identity)').env('ICOS_ATTEST_PEM'))
    .addOption(new Option('--root-key <file>', 'root key of the replica (hex or DER); default: fetched, or mainnet').env('ICOS_ATTEST_ROOT_KEY'))
    .addOption(new Option('--state-dir <dir>', 'where the embedded replica keeps local.json and its state').env('ICOS_ATTEST_STATE_DIR').default('.icos-attest'))
    .addOption(new Option('--json', 'print one JSON document on stdout (see docs/cli.md)').env('ICOS_ATTEST_JSON'))
    .addOption(new Option('--quiet', 'no progress or logs on stderr').env('ICOS_ATTEST_QUIET'))
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ outputError: () => {} });
  registerIdentity(program);
  registerIcosCommands(program);
  registerReviewCommands(program);
  registerAudit(program);
  registerReplica(program);
  // subcommands inherit exitOverride/configureOutput only when set before they are added
  for (const cmd of allCommands(program)) cmd.exitOverride().configureOutput({ outputError: () => {} });
  return program;
}

function allCommands(cmd: Command): Command[] {
  return cmd.commands.flatMap((c) => [c, ...allCommands(c)]);
}

/** Runs the CLI; returns the process exit code. Errors → one line on stderr (+ JSON with --json). */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  const wantsJson = argv.includes('--json') || Boolean(process.env.ICOS_ATTEST_JSON);
  exitState.code = 0;
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitState.code;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0) return 0;
      // a command group without its subcommand: the help was printed, that is the message
      if (err.code === 'commander.help') return EXIT_USAGE;
      return report(new CliError('usage', err.message.replace(/^error:\s*/, '')), wantsJson);
    }
    if (process.env.ICOS_ATTEST_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return report(toCliError(err), wantsJson);
  }
}

function report(err: CliError, json: boolean): number {
  process.stderr.write(`icos-attest: ${err.message}\n`);
  if (json) process.stdout.write(`${JSON.stringify(err.toJSON(), jsonReplacer, 2)}\n`);
  return err.exitCode || EXIT_USAGE;
}
