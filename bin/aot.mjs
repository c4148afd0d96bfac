/**
 * The CLI compiled ahead of time: esbuild bundles attestor/main.ts (and the node_modules it uses)
 * into dist/cli/<hash>/, with code splitting so a command loads only what it needs. dist/cli/
 * current.json names the build and every input file with its size and mtime; bin/icos-attest.js
 * runs that build when no input changed since, and rebuilds first when one did (an edited
 * checkout), so `npm ci` (which runs `prepare`) is the only set-up and tests always run the
 * current sources. Plain JavaScript: it runs before anything is compiled.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist', 'cli');
const STAMP = join(DIST, 'current.json');

/** The current build's entry file when every input is unchanged, else null. */
export function currentBuild() {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(STAMP, 'utf8'));
  } catch {
    return null;
  }
  for (const [file, [size, mtime]] of Object.entries(stamp.inputs)) {
    let st;
    try {
      st = statSync(join(ROOT, file));
    } catch {
      return null;
    }
    if (st.size !== size || Math.trunc(st.mtimeMs) !== mtime) return null;
  }
  const entry = join(DIST, stamp.dir, 'main.js');
  return existsSync(entry) ? entry : null;
}

/** Builds into a fresh directory, then points current.json at it (both steps atomic renames). */
export async function buildCli() {
  const { build } = await import('esbuild');
  mkdirSync(DIST, { recursive: true });
  const tmp = join(DIST, `.tmp-${process.pid}-${Date.now()}`);
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { main: 'attestor/main.ts' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outdir: tmp,
    metafile: true,
    logLevel: 'error',
    // CommonJS packages inside an ESM bundle still call require() for Node's own modules
    banner: { js: "import { createRequire as __icosRequire } from 'node:module'; const require = __icosRequire(import.meta.url);" },
    plugins: [demoStaysSource],
  });
  const inputs = {};
  // the bundle's inputs, and this script (a change to how it builds is a change too)
  for (const file of [...Object.keys(result.metafile.inputs), 'bin/aot.mjs']) {
    if (file.startsWith('<')) continue;
    const st = statSync(join(ROOT, file));
    inputs[file] = [st.size, Math.trunc(st.mtimeMs)];
  }
  const hash = createHash('sha256');
  for (const name of readdirSync(tmp).sort()) hash.update(name).update(readFileSync(join(tmp, name)));
  const dir = hash.digest('hex').slice(0, 16);
  const final = join(DIST, dir);
  if (existsSync(final)) rmSync(tmp, { recursive: true, force: true });
  else renameSync(tmp, final);
  const stampTmp = `${STAMP}.${process.pid}.tmp`;
  writeFileSync(stampTmp, `${JSON.stringify({ dir, inputs })}\n`);
  renameSync(stampTmp, STAMP);
  prune(dir);
  return join(final, 'main.js');
}

/** Older builds go once nobody can still be starting them (a minute after they were replaced). */
function prune(keep) {
  for (const name of readdirSync(DIST)) {
    const path = join(DIST, name);
    if (name === keep || name === 'current.json' || name.endsWith('.tmp')) continue;
    try {
      if (Date.now() - statSync(path).mtimeMs > 60_000) rmSync(path, { recursive: true, force: true });
    } catch {
      // another process pruned it first
    }
  }
}

/**
 * demo/ is the npm start scenario, run from its TypeScript sources (it spawns this CLI and reads
 * the repository layout): left out of the bundle, loaded through tsx by attestor/cli/demo.ts.
 */
const demoStaysSource = {
  name: 'demo-stays-source',
  setup(b) {
    b.onResolve({ filter: /\/demo\/scenario\.js$/ }, () => ({ path: '../../demo/scenario.js', external: true }));
    // tsx registers its loader from its own files: it must stay in node_modules
    b.onResolve({ filter: /^tsx(\/|$)/ }, (args) => ({ path: args.path, external: true }));
  },
};

// `node bin/aot.mjs`: build now (npm's prepare and build scripts)
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t = Date.now();
  try {
    await buildCli();
    if (!process.argv.includes('--quiet')) process.stderr.write(`CLI compiled ahead of time into dist/cli (${Date.now() - t} ms)\n`);
  } catch (err) {
    // without devDependencies (npm ci --omit=dev) the CLI runs from its sources through tsx
    if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
    process.stderr.write('esbuild is not installed: icos-attest will run from its TypeScript sources (slower start)\n');
  }
}
