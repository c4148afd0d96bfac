/** hash <file...>: sha256 of each file; an unreadable one is reported and the exit code is 2. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { isolatedEnv, runCli, tempDir } from './helpers.js';

test('hash prints each sha256; a missing file gives exit 2 but the others are still hashed', async () => {
  const home = tempDir();
  const env = isolatedEnv(home);
  const a = join(home, 'a.img');
  writeFileSync(a, 'some artifact bytes');
  const expected = createHash('sha256').update('some artifact bytes').digest('hex');
  const ok = await runCli(['hash', a], { env });
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout.trim(), `${expected}  ${a}`);
  const mixed = await runCli(['hash', a, join(home, 'missing.img'), '--json', '--manifest'], { env });
  assert.equal(mixed.code, 2);
  const j = JSON.parse(mixed.stdout) as { files: { path: string; sha256: string | null; error: { kind: string } | null; manifest?: { root: string } }[] };
  assert.equal(j.files[0].sha256, expected);
  assert.match(j.files[0].manifest!.root, /^[0-9a-f]{64}$/);
  assert.equal(j.files[1].sha256, null);
  assert.equal(j.files[1].error!.kind, 'file-unreadable');
});
