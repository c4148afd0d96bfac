/**
 * Builds the project's canisters with azle, offline and without dfx, and embeds each
 * canister's committed Candid interface as the `icp:public candid:service` custom section
 * (what dfx adds at install time), so any host can serve it from the Wasm alone.
 *
 * Usage: tsx scripts/build-canister.ts [--force] [name...]
 * A build is skipped when its inputs (sources, lockfile, this script) hash the same as last time.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { CANISTERS, type CanisterSpec, candidMatches, appendCustomSection } from './canisters.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

/**
 * azle embeds main.js's absolute path in the Wasm, and esbuild names every bundled module by its
 * path relative to the working directory. Building through one fixed path (a symlink to the
 * checkout) from `/` makes both the same on every machine, so builds of the same commit are
 * byte-identical wherever the checkout lives. A lock keeps concurrent builds of different
 * checkouts from sharing the link.
 */
const BUILD_ROOT = '/tmp/icos-attest-build-root';
const BUILD_LOCK = '/tmp/icos-attest-build.lock';

function withBuildRoot<T>(dfxRoot: string, run: (buildRoot: string) => T): T {
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(BUILD_LOCK);
      break;
    } catch {
      // A lock older than ten minutes belongs to a build that died.
      try {
        if (Date.now() - statSync(BUILD_LOCK).mtimeMs > 10 * 60_000) rmSync(BUILD_LOCK, { recursive: true, force: true });
      } catch {
        /* gone meanwhile */
      }
      if (Date.now() > deadline) throw new Error(`another canister build holds ${BUILD_LOCK}; remove it if no build is running`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    const tmp = `${BUILD_ROOT}.${process.pid}`;
    rmSync(tmp, { force: true });
    symlinkSync(realpathSync(dfxRoot), tmp);
    renameSync(tmp, BUILD_ROOT);
    return run(BUILD_ROOT);
  } finally {
    rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
}

function inputsDigest(spec: CanisterSpec): string {
  const hash = createHash('sha256');
  const files = [
    ...spec.sources.flatMap((dir) => listFiles(join(root, dir))),
    join(root, 'package-lock.json'),
    join(root, 'scripts/build-canister.ts'),
    join(root, 'scripts/canisters.ts'),
    join(root, 'protocol/leb128.ts'), // imported by canisters.ts
    join(root, spec.candid)
  ];
  for (const file of files) {
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

function build(spec: CanisterSpec, force: boolean): void {
  const wasmPath = join(root, spec.wasm);
  const stampPath = `${wasmPath}.inputs`;
  const digest = inputsDigest(spec);
  if (!force && existsSync(wasmPath) && existsSync(stampPath) && readFileSync(stampPath, 'utf8') === digest) {
    process.stderr.write(`${spec.name}: up to date (${spec.wasm})\n`);
    return;
  }
  const dfxRoot = join(root, spec.dfxRoot);
  const emittedDid = join(root, '.azle', `${spec.name}.emitted.did`);
  mkdirSync(dirname(emittedDid), { recursive: true });
  process.stderr.write(`${spec.name}: building with azle...\n`);
  // azle's bin is a TypeScript file run through `npx tsx`, which cannot find tsx from `/`: run
  // it with this checkout's tsx loader instead.
  const tsxLoader = pathToFileURL(createRequire(join(root, 'package.json')).resolve('tsx')).href;
  withBuildRoot(dfxRoot, (buildRoot) =>
    execFileSync(process.execPath, ['--import', tsxLoader, join(root, 'node_modules/azle/src/build.ts'), 'build', spec.name], {
      cwd: '/',
      env: { ...process.env, AZLE_DFX_ROOT: buildRoot, CANISTER_CANDID_PATH: emittedDid },
      stdio: ['ignore', 'inherit', 'inherit']
    })
  );
  const committed = readFileSync(join(root, spec.candid), 'utf8');
  const emitted = readFileSync(emittedDid, 'utf8');
  if (!candidMatches(committed, emitted)) {
    process.stderr.write(
      `${spec.name}: the committed ${spec.candid} differs from the interface the code emits.\n` +
        `Emitted interface written to ${relative(root, emittedDid)}; update ${spec.candid} (keep its comments).\n`
    );
    process.exit(1);
  }
  const builtWasm = join(dfxRoot, '.azle', spec.name, `${spec.name}.wasm`);
  const wasm = appendCustomSection(new Uint8Array(readFileSync(builtWasm)), 'icp:public candid:service', new TextEncoder().encode(committed));
  mkdirSync(dirname(wasmPath), { recursive: true });
  writeFileSync(wasmPath, wasm);
  writeFileSync(stampPath, digest);
  const sha = createHash('sha256').update(wasm).digest('hex');
  process.stderr.write(`${spec.name}: ${spec.wasm} (${wasm.length} bytes, sha256 ${sha})\n`);
}

const args = process.argv.slice(2);
const force = args.includes('--force');
const names = args.filter((a) => !a.startsWith('--'));
for (const spec of CANISTERS) {
  if (names.length === 0 || names.includes(spec.name)) build(spec, force);
}
