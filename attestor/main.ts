/** Entry point of the icos-attest CLI (bin/icos-attest.js runs its ahead-of-time compiled form). */
import { TOOL_VERSION } from './cli/version.js';

// @dfinity/agent can reject a background promise (e.g. a time sync) after the command has failed:
// the command's one error line stands; the stray rejection is shown only under ICOS_ATTEST_DEBUG=1.
process.on('unhandledRejection', (err) => {
  if (process.env.ICOS_ATTEST_DEBUG === '1') process.stderr.write(`unhandled rejection: ${(err as Error)?.stack ?? String(err)}\n`);
});

// @dfinity/agent writes to the console when it cannot read a subnet's node keys (a stack on
// stderr); the failure reaches the command as an error, so its console output is debug detail.
if (process.env.ICOS_ATTEST_DEBUG !== '1') for (const k of ['warn', 'error', 'group', 'groupEnd', 'info', 'debug'] as const) console[k] = () => {};

const argv = process.argv.slice(2);
let code: number;
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  // the version needs none of the command tree (its modules are loaded lazily, below)
  process.stdout.write(`${TOOL_VERSION}\n`);
  code = 0;
} else {
  // Long-running commands (replica start, demo) never return from runCli; they exit on a signal.
  const { runCli } = await import('./cli/program.js');
  code = await runCli(argv);
}
// Exit explicitly (keep-alive sockets would hold the process open), after stdout has drained so
// piped JSON is never cut short.
await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
process.exit(code);
