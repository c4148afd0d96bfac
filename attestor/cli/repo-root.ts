/**
 * The checkout this CLI runs from (where package.json, .azle/ and scripts/ are), found by walking
 * up from this module: the same answer from the TypeScript sources and from the compiled bundle
 * in dist/cli/<build>/.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'attestor'))) return dir;
    const up = dirname(dir);
    if (up === dir) return start;
    dir = up;
  }
}

export const REPO_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));
