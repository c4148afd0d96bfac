/** The commander program: global options (with env fallbacks) and every command. */
import { Command, CommanderError, Option } from 'commander';

import { CliError, EXIT_USAGE, debugChain, toCliError, withoutInternals } from './errors.js';
import { exitState } from './action.js';
import { jsonReplacer } from './output.js';
import { TOOL_VERSION } from './version.js';

type Register = (program: Command) => void;

/** Every command group, in help order; each loads its own modules. */
const GROUPS: Array<() => Promise<Register>> = [
  async () => (await import('./commands/identity.js')).registerIdentity,
  async () => (await import('./commands/icos.js')).registerIcosCommands,
  async () => (await import('./commands/review.js')).registerReviewCommands,
  async () => (await import('./commands/proposals.js')).registerProposals,
  async () => (await import('./commands/reviewers.js')).registerReviewers,
  async () => (await import('./commands/replica.js')).registerReplica,
  async () => (await import('./commands/doctor.js')).registerDoctor,
  async () => (await import('./commands/audit.js')).registerAudit,
  async () => (await import('./commands/watch.js')).registerWatch
];

/** Commands that start without the rest of the command tree (no keys, agent or client to load). */
const LIGHT: Record<string, () => Promise<Register>> = {
  hash: async () => (await import('./commands/hash.js')).registerHash
};

const GLOBAL_WITH_VALUE = new Set(['--network', '--canister', '--identity', '--pem', '--root-key', '--state-dir']);

/** The command name in argv: the first word that is neither an option nor a global option's value. */
export function commandName(argv: string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return null;
    if (a.startsWith('-')) {
      if (GLOBAL_WITH_VALUE.has(a)) i += 1;
      continue;
    }
    return a;
  }
  return null;
}

/** The program with only the group a light command needs, else every group. */
export async function loadProgram(argv: string[]): Promise<Command> {
  const light = LIGHT[commandName(argv) ?? ''];
  return buildProgram(light ? [await light()] : await Promise.all(GROUPS.map((g) => g())));
}

export function buildProgram(groups: Register[]): Command {
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
  for (const register of groups) register(program);
  // subcommands inherit exitOverride/configureOutput only when set before they are added
  for (const cmd of allCommands(program)) cmd.exitOverride().configureOutput({ outputError: () => {} });
  return program;
}

function allCommands(cmd: Command): Command[] {
  return cmd.commands.flatMap((c) => [c, ...allCommands(c)]);
}

/** Runs the CLI; returns the process exit code. Errors → one line on stderr (+ JSON with --json). */
export async function runCli(argv: string[]): Promise<number> {
  const program = await loadProgram(argv);
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
    const cli = toCliError(err);
    // the whole cause chain with stacks, for a bug report; never in the one line
    if (process.env.ICOS_ATTEST_DEBUG === '1') process.stderr.write(`${debugChain(err)}\n`);
    return report(cli, wantsJson);
  }
}

function report(err: CliError, json: boolean): number {
  process.stderr.write(`icos-attest: ${withoutInternals(err.message)}\n`);
  if (json) process.stdout.write(`${JSON.stringify(err.toJSON(), jsonReplacer, 2)}\n`);
  return err.exitCode || EXIT_USAGE;
}
