/** Regenerates testdata/ from the oracle: `npx tsx test/protocol/merkle/gen-vectors.ts`. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateVectors } from './vectors.js';

const root = join(dirname(fileURLToPath(import.meta.url)), 'testdata');
rmSync(root, { recursive: true, force: true });
const files = generateVectors();
for (const [rel, text] of files) {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
}
process.stderr.write(`wrote ${files.size} vector files under testdata/\n`);
