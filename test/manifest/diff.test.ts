import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { computeManifest, toManifestFile } from '../../attestor/manifest/index.js';
import {
  deepDiff,
  diffInputs,
  DiffError,
  exitCodeOf,
  extractComponent,
  formatDiff,
  hasDiffoscope,
} from '../../attestor/diff/index.js';
import { boundManifest, DEFAULT_MANIFEST_MAX_BYTES } from '../../protocol/manifest.js';
import { signEnvelope, verifyEnvelope } from '../../protocol/envelope.js';
import { signerFromSecretKey } from '../../protocol/keys.js';
import { diskImage, pseudoRandom, sha256hex, statementWith, tempDir, updateImage, cleanupTempDirs } from './fixtures.js';

after(cleanupTempDirs);

/** Build an artifact, compute its manifest and sign an envelope for it, as attest would. */
const signer = signerFromSecretKey('ed25519', new Uint8Array(randomBytes(32)));

async function envelopeFor(artifact: string, name: string, out: string): Promise<string> {
  const m = await computeManifest(artifact);
  const st = statementWith({ name, sha256: m.sha256, size: m.size, manifestRoot: m.root, manifest: boundManifest(m.entries, DEFAULT_MANIFEST_MAX_BYTES).entries });
  const env = signEnvelope(st, signer);
  writeFileSync(out, JSON.stringify(env, null, 2));
  return out;
}

describe('diff', () => {
  it('names the differing member of update-img.tar.zst from the artifacts themselves', async () => {
    const a = updateImage(tempDir());
    const b = updateImage(tempDir(), { version: 'other version\n' });
    const r = await diffInputs(a, b);
    assert.equal(r.schema, 'icos-attest/diff/v1');
    assert.deepEqual([r.a.kind, r.b.kind], ['artifact', 'artifact']);
    assert.equal(r.identical, false);
    assert.equal(exitCodeOf(r), 1);
    const x = r.artifacts[0];
    assert.equal(x.status, 'different');
    assert.deepEqual(x.firstDivergent, ['version.txt']);
    assert.equal(x.firstDivergentDisplay, 'update-img.tar.zst › version.txt');
    assert.deepEqual(x.differing.map((d) => [d.path, d.change]), [[['version.txt'], 'changed']]);
    const text = formatDiff(r);
    assert.match(text, /first divergent: update-img\.tar\.zst › version\.txt/);
    assert.match(text, /changed  update-img\.tar\.zst › version\.txt: sha256 /);
  });

  it('names the differing partition of disk-img.tar.zst from two signed envelopes alone', async () => {
    const dir = tempDir();
    const ea = await envelopeFor(diskImage(tempDir()), 'setupos/disk-img.tar.zst', join(dir, 'a.json'));
    const eb = await envelopeFor(diskImage(tempDir(), 'grub'), 'setupos/disk-img.tar.zst', join(dir, 'b.json'));
    const verified = verifyEnvelope(JSON.parse(readFileSync(ea, 'utf8')), signer.publicKeyDer);
    assert.ok(verified.ok, 'a real, verifiable envelope');
    const r = await diffInputs(ea, eb);
    assert.deepEqual([r.a.kind, r.b.kind], ['envelope', 'envelope']);
    const x = r.artifacts[0];
    assert.equal(x.name, 'setupos/disk-img.tar.zst');
    assert.deepEqual(x.firstDivergent, ['disk.img', 'grub']);
    assert.equal(x.firstDivergentDisplay, 'disk-img.tar.zst › disk.img › grub');
    assert.deepEqual(x.differing.map((d) => d.path.join('/')), ['disk.img', 'disk.img/grub']);
  });

  it('compares an envelope with an artifact, a manifest file and a result file', async () => {
    const dir = tempDir();
    const artA = updateImage(tempDir());
    const artB = updateImage(tempDir(), { bootSeed: 5 });
    const env = await envelopeFor(artA, 'guestos/update-img.tar.zst', join(dir, 'a.json'));
    const vsArtifact = await diffInputs(env, artB);
    assert.deepEqual(vsArtifact.artifacts[0].firstDivergent, ['boot.img']);

    const m = await computeManifest(artB);
    const manifestFile = join(dir, 'b.manifest.json');
    writeFileSync(manifestFile, JSON.stringify(toManifestFile('update-img.tar.zst', m)));
    const vsManifest = await diffInputs(env, manifestFile);
    assert.equal(vsManifest.b.kind, 'manifest');
    assert.deepEqual(vsManifest.artifacts[0].firstDivergent, ['boot.img']);

    const resultFile = join(dir, 'result.json');
    writeFileSync(resultFile, JSON.stringify({ schema: 'icos-attest/build-result/v1', artifacts: [{ name: 'guestos/update-img.tar.zst', sha256: m.sha256, size: m.size, manifest: m.entries }] }));
    const vsResult = await diffInputs(resultFile, env);
    assert.equal(vsResult.a.kind, 'result');
    assert.deepEqual(vsResult.artifacts[0].firstDivergent, ['boot.img']);

    const deepNeedsFiles = await diffInputs(env, artB, { deep: true });
    assert.match(deepNeedsFiles.artifacts[0].deep!.message, /--deep needs the artifacts themselves/);
  });

  it('says identical (exit 0) for the same artifact, and explains a missing manifest', async () => {
    const art = updateImage(tempDir());
    const same = await diffInputs(art, art);
    assert.equal(same.identical, true);
    assert.equal(exitCodeOf(same), 0);
    assert.equal(same.artifacts[0].status, 'identical');

    const dir = tempDir();
    const bare = statementWith({ sha256: 'a'.repeat(64) });
    const env = signEnvelope(bare, signerFromSecretKey('ed25519', new Uint8Array(32).fill(7)));
    writeFileSync(join(dir, 'bare.json'), JSON.stringify(env));
    const r = await diffInputs(join(dir, 'bare.json'), art);
    assert.equal(r.artifacts[0].status, 'different');
    assert.equal(r.artifacts[0].firstDivergent, null);
    assert.match(r.artifacts[0].note, /no manifest in a/);
  });

  it('rejects bad input with a typed error', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'x.json'), '{"hello": 1}');
    writeFileSync(join(dir, 'y.json'), '{"payloadType": "x", "payload": "%%%", "signatures": []}');
    writeFileSync(join(dir, 'z.json'), '{not json');
    const kindOf = async (p: Promise<unknown>) => {
      try {
        await p;
        return 'no error';
      } catch (e) {
        assert.ok(e instanceof DiffError, String(e));
        return e.kind;
      }
    };
    const art = updateImage(tempDir());
    assert.equal(await kindOf(diffInputs(join(dir, 'x.json'), art)), 'bad-input');
    assert.equal(await kindOf(diffInputs(join(dir, 'y.json'), art)), 'bad-input');
    assert.equal(await kindOf(diffInputs(join(dir, 'z.json'), art)), 'bad-input');
    assert.equal(await kindOf(diffInputs(join(dir, 'missing.tar.zst'), art)), 'not-found');
  });

  it('--deep extracts the two divergent components exactly (holes kept) and hands them to diffoscope if installed', async () => {
    const a = diskImage(tempDir());
    const b = diskImage(tempDir(), 'data');
    const r = await diffInputs(a, b);
    const component = r.artifacts[0].firstDivergent!;
    assert.deepEqual(component, ['disk.img', 'data']);
    const deep = await deepDiff(a, b, component);
    assert.equal(sha256hex(readFileSync(deep.a)), sha256hex(pseudoRandom(30 * 1024, 14)));
    assert.equal(sha256hex(readFileSync(deep.b)), sha256hex(pseudoRandom(30 * 1024, 99)));
    if (hasDiffoscope()) assert.notEqual(deep.diffoscope, null);
    else {
      assert.equal(deep.diffoscope, null);
      assert.match(deep.message, /diffoscope is not installed/);
    }

    const viaReport = await diffInputs(a, b, { deep: true });
    const deepPart = viaReport.artifacts[0].deep!;
    assert.ok('component' in deepPart && deepPart.component.join('/') === 'disk.img/data');
    assert.match(formatDiff(viaReport), /deep: /);
    for (const p of [deep.a, deepPart.a]) rmSync(dirname(p), { recursive: true, force: true });

    const dir = tempDir();
    const upd = updateImage(dir);
    const out = join(dir, 'root.out');
    await extractComponent(upd, ['root.img'], out);
    assert.equal(sha256hex(readFileSync(out)), sha256hex(readFileSync(join(dir, 'src', 'root.img'))), 'sparse member expanded exactly');
    await assert.rejects(extractComponent(upd, ['nope.img'], join(dir, 'nope')), (e: unknown) => e instanceof DiffError && e.kind === 'component-not-found');
  });
});
