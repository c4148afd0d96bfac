/** Entry point of the icos-attest CLI (bin/icos-attest.js runs this through tsx). */
import { runCli } from './cli/program.js';

// Long-running commands (replica start, demo) never return from runCli; they exit on a signal.
const code = await runCli(process.argv.slice(2));
// Exit explicitly (keep-alive sockets would hold the process open), after stdout has drained so
// piped JSON is never cut short.
await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
process.exit(code);
