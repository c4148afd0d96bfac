/**
 * Attestor hashing (attestor/hash sha256File) on a generated 2 GiB file vs `sha256sum` on the
 * same file. Runs alternate (reference, ours, reference, ours) and the best of each counts, so
 * a burst of load from elsewhere on the machine hurts both alike. RSS is sampled during ours.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeRandomFile } from '../generate.js';
import { withRssSampling, type RssSample } from '../memory.js';
import { byteProgress } from '../progress.js';
import { compare } from '../results.js';
import { GiB, importPiece, MiB, requireExport, timed, type Section } from '../section.js';
import { q, runShell } from '../shell.js';

type HashModule = typeof import('../../attestor/hash/index.js');

const SIZE = 2 * GiB;
const ROUNDS = 2;

export const hashSection: Section = {
  name: 'hash',
  title: 'Attestor hashing: sha256 of a 2 GiB file',
  async run(ctx) {
    const mod = await importPiece<HashModule>('attestor/hash/index.js', 'attestor/hash');
    const sha256File = requireExport(mod.sha256File, 'attestor/hash sha256File');
    const path = join(ctx.tmpDir, 'hash-input.bin');
    ctx.log(`generating ${SIZE / GiB} GiB of random data at ${path}`);
    const gen = await timed(() => writeRandomFile(path, SIZE, byteProgress('hash', 'generated', SIZE)));
    try {
      const ref: number[] = [];
      const ours: number[] = [];
      let rss: RssSample | null = null;
      let refDigest = '';
      let ourDigest = '';
      for (let round = 1; round <= ROUNDS; round++) {
        ctx.log(`round ${round}/${ROUNDS}: sha256sum`);
        const r = await runShell(`sha256sum ${q(path)}`);
        ref.push(r.ms);
        refDigest = r.stdout.split(/\s+/)[0];
        ctx.log(`round ${round}/${ROUNDS}: sha256sum ${(r.ms / 1000).toFixed(1)} s; attestor sha256File`);
        const progress = byteProgress('hash', 'hashed', SIZE);
        const o = await withRssSampling(() => timed(() => sha256File(path, { onProgress: (e) => progress(e.bytesDone ?? 0) })));
        const res = o.result.result;
        if (!res.ok) throw new Error(`sha256File failed: ${res.message}`);
        ours.push(o.result.ms);
        ourDigest = res.sha256;
        if (rss === null || o.rss.growthBytes > rss.growthBytes) rss = o.rss;
        ctx.log(`round ${round}/${ROUNDS}: attestor ${(o.result.ms / 1000).toFixed(1)} s, RSS +${(o.rss.growthBytes / MiB).toFixed(1)} MiB`);
      }
      if (refDigest !== ourDigest) throw new Error(`digests differ: sha256sum ${refDigest}, attestor ${ourDigest}`);
      const mbps = (ms: number) => SIZE / MiB / (ms / 1000);
      const bestRef = Math.min(...ref);
      const bestOurs = Math.min(...ours);
      const ratio = mbps(bestOurs) / mbps(bestRef);
      const growthMiB = (rss?.growthBytes ?? 0) / MiB;
      return {
        measurements: [
          {
            ...compare({
              id: 'hash.throughput',
              name: 'sha256 throughput, 2 GiB file',
              value: mbps(bestOurs),
              unit: 'MiB/s',
              reference: { name: 'sha256sum (same file)', value: mbps(bestRef), unit: 'MiB/s' },
              target: { text: '≥ 0.95× sha256sum', met: ratio >= 0.95 },
              note: `best of ${ROUNDS} alternating runs; all runs ms: ours ${ours.map((x) => x.toFixed(0)).join(', ')}; sha256sum ${ref.map((x) => x.toFixed(0)).join(', ')}`
            })
          },
          {
            id: 'hash.rss_growth',
            name: 'peak RSS growth while hashing 2 GiB',
            value: growthMiB,
            unit: 'MiB',
            reference: { name: 'file size', value: SIZE / MiB, unit: 'MiB' },
            ratio: growthMiB / (SIZE / MiB),
            target: { text: 'flat (≤ 64 MiB growth)', met: growthMiB <= 64 },
            method: 'measured',
            note: `RSS baseline ${((rss?.baselineBytes ?? 0) / MiB).toFixed(0)} MiB, peak ${((rss?.peakBytes ?? 0) / MiB).toFixed(0)} MiB, ${rss?.samples ?? 0} samples every 25 ms`
          }
        ],
        notes: [`2 GiB file generated in ${(gen.ms / 1000).toFixed(1)} s; digests agree (${ourDigest.slice(0, 16)}…).`]
      };
    } finally {
      await rm(path, { force: true });
    }
  }
};
