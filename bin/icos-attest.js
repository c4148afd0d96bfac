#!/usr/bin/env node
// Runs the CLI compiled ahead of time (bin/aot.mjs), rebuilding it first when a source changed;
// where esbuild is missing (a production-only install), runs the TypeScript through tsx.
import { buildCli, currentBuild } from './aot.mjs';

let entry = currentBuild();
if (entry === null) {
  try {
    entry = await buildCli();
  } catch (err) {
    if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
  }
}
if (entry !== null) {
  globalThis.__icosAttestCompiled = true;
  await import(entry);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../attestor/main.ts');
}
