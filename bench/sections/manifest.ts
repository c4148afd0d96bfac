/**
 * The attestor's manifest pass (attestor/manifest computeManifest: one read, sha256 of the
 * file, zstd decompression, a digest per tar entry) on a generated ≈ 1 GiB `.tar.zst`, vs
 * `zstd -dc file | sha256sum`. Alternating runs, best of each; RSS sampled during ours.
 */
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { IMAGE_SPECS, writeTarZst } from '../generate.js';
import { withRssSampling, type RssSample } from '../memory.js';
import { byteProgress } from '../progress.js';
import { compare } from '../results.js';
import { GiB, importPiece, MiB, requireExport, timed, type Section } from '../section.js';
import { q, runShell } from '../shell.js';

type ManifestModule = typeof import('../../attestor/manifest/index.js');

const ROUNDS = 2;

export const manifestSection: Section = {
  name: 'manifest',
  title: 'Attestor manifest pass: ≈ 1 GiB .tar.zst',
  async run(ctx) {
    const mod = await importPiece<ManifestModule>('attestor/manifest/index.js', 'attestor/manifest');
    const computeManifest = requireExport(mod.computeManifest, 'attestor/manifest computeManifest');
    const path = join(ctx.tmpDir, 'update-img.tar.zst');
    ctx.log(`generating an IC-OS-like update-img.tar.zst (${IMAGE_SPECS.map((s) => `${s.name} ${s.sizeMiB} MiB`).join(', ')}) with zstd -3`);
    let lastLog = 0;
    const gen = await timed(() =>
      writeTarZst(path, IMAGE_SPECS, (done, total) => {
        if (Date.now() - lastLog > 2000) {
          lastLog = Date.now();
          ctx.log(`tar → zstd ${(done / MiB).toFixed(0)}/${(total / MiB).toFixed(0)} MiB`);
        }
      })
    );
    try {
      const size = (await stat(path)).size;
      const content = gen.result;
      ctx.log(`artifact ${(size / GiB).toFixed(2)} GiB compressed, ${(content / GiB).toFixed(2)} GiB content, made in ${(gen.ms / 1000).toFixed(1)} s`);
      const ref: number[] = [];
      const ours: number[] = [];
      let rss: RssSample | null = null;
      let refContentDigest = '';
      let entries = 0;
      let decompressor = '';
      for (let round = 1; round <= ROUNDS; round++) {
        ctx.log(`round ${round}/${ROUNDS}: zstd -dc | sha256sum`);
        const r = await runShell(`zstd -dc -q ${q(path)} | sha256sum`);
        ref.push(r.ms);
        refContentDigest = r.stdout.split(/\s+/)[0];
        ctx.log(`round ${round}/${ROUNDS}: reference ${(r.ms / 1000).toFixed(1)} s; computeManifest`);
        const progress = byteProgress('manifest', 'read', size);
        const o = await withRssSampling(() => timed(() => computeManifest(path, { onProgress: (p) => progress(p.bytesRead) })));
        const m = o.result.result;
        ours.push(o.result.ms);
        entries = m.entries.length;
        decompressor = m.decompressor ?? m.compression;
        if (m.contentSize !== content) throw new Error(`computeManifest saw ${m.contentSize} content bytes, the tar has ${content}`);
        if (rss === null || o.rss.growthBytes > rss.growthBytes) rss = o.rss;
        ctx.log(`round ${round}/${ROUNDS}: computeManifest ${(o.result.ms / 1000).toFixed(1)} s, ${entries} entries, RSS +${(o.rss.growthBytes / MiB).toFixed(1)} MiB`);
      }
      const mbps = (ms: number) => size / MiB / (ms / 1000);
      const bestRef = Math.min(...ref);
      const bestOurs = Math.min(...ours);
      const ratio = mbps(bestOurs) / mbps(bestRef);
      const growthMiB = (rss?.growthBytes ?? 0) / MiB;
      return {
        measurements: [
          compare({
            id: 'manifest.throughput',
            name: `manifest pass, ${(size / GiB).toFixed(2)} GiB .tar.zst (compressed MiB/s)`,
            value: mbps(bestOurs),
            unit: 'MiB/s',
            reference: { name: 'zstd -dc | sha256sum (same file)', value: mbps(bestRef), unit: 'MiB/s' },
            target: { text: '≥ 0.8× zstd -dc | sha256sum', met: ratio >= 0.8 },
            note: `best of ${ROUNDS} alternating runs; ours also hashes the compressed file and each of ${entries} tar entries; decompressor ${decompressor}; all runs ms: ours ${ours.map((x) => x.toFixed(0)).join(', ')}; reference ${ref.map((x) => x.toFixed(0)).join(', ')}`
          }),
          {
            id: 'manifest.rss_growth',
            name: 'peak RSS growth during the manifest pass',
            value: growthMiB,
            unit: 'MiB',
            reference: { name: 'artifact size', value: size / MiB, unit: 'MiB' },
            ratio: growthMiB / (size / MiB),
            target: { text: 'flat (≤ 64 MiB growth)', met: growthMiB <= 64 },
            method: 'measured',
            note: `RSS baseline ${((rss?.baselineBytes ?? 0) / MiB).toFixed(0)} MiB, peak ${((rss?.peakBytes ?? 0) / MiB).toFixed(0)} MiB, ${rss?.samples ?? 0} samples every 25 ms`
          }
        ],
        notes: [
          `Artifact: tar of ${IMAGE_SPECS.length} partition-like files (random + log text + zeros), ${(content / GiB).toFixed(2)} GiB content → ${(size / GiB).toFixed(2)} GiB with zstd -3 -T0, generated in ${(gen.ms / 1000).toFixed(1)} s; content sha256 ${refContentDigest.slice(0, 16)}….`
        ]
      };
    } finally {
      await rm(path, { force: true });
    }
  }
};
