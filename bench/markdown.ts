/** BENCHMARKS.md from results.json: one table per section, machine and versions on top. */
import type { BenchResults, Measurement, SectionResult } from './results.js';

function num(v: number, unit: string): string {
  if (unit === 'instructions') {
    if (v >= 1e9) return `${(v / 1e9).toFixed(2)} B`;
    if (v >= 1e6) return `${(v / 1e6).toFixed(1)} M`;
    if (v >= 1e3) return `${(v / 1e3).toFixed(1)} K`;
    return `${v}`;
  }
  if (unit === 'bytes') {
    if (v >= 2 ** 30) return `${(v / 2 ** 30).toFixed(2)} GiB`;
    if (v >= 2 ** 20) return `${(v / 2 ** 20).toFixed(1)} MiB`;
    if (v >= 1024) return `${(v / 1024).toFixed(1)} KiB`;
    return `${Math.round(v)} B`;
  }
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return `${v.toFixed(digits)} ${unit}`;
}

function ratio(m: Measurement): string {
  if (m.ratio === undefined) return '—';
  if (m.ratioNote === 'fraction of the limit') return `${(m.ratio * 100).toFixed(m.ratio < 0.01 ? 2 : 1)}%`;
  return `${m.ratio.toFixed(2)}×`;
}

function firstLine(s: string | undefined): string {
  return (s ?? 'unknown error').split('\n')[0];
}

function esc(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function row(m: Measurement): string {
  const value = `${num(m.value, m.unit)}${m.method === 'extrapolated' ? ' *(extrapolated)*' : ''}`;
  const ref = m.reference ? `${num(m.reference.value, m.reference.unit)} (${esc(m.reference.name)})` : '—';
  const target = m.target ? `${esc(m.target.text)}: **${m.target.met ? 'met' : 'NOT met'}**` : '—';
  return `| ${esc(m.name)} | ${value} | ${ref} | ${ratio(m)} | ${target} |`;
}

function section(s: SectionResult): string {
  const head = `## ${s.title}\n\n`;
  const rerun = s.ranAt ? ` on ${s.ranAt}, re-run alone (load average ${s.loadAverageAtStart?.join(', ') ?? '?'})` : '';
  const took = `_${s.status === 'ok' ? 'ran' : s.status} in ${(s.durationMs / 1000).toFixed(1)} s${rerun}_\n\n`;
  if (s.status !== 'ok' && s.measurements.length === 0) {
    return `${head}${took}**${s.status === 'not-available' ? 'Not available' : 'Failed'}:** ${esc(firstLine(s.error))}\n`;
  }
  const lines = [
    '| Measurement | Value | Reference | Ratio | Target |',
    '|---|---|---|---|---|',
    ...s.measurements.map(row)
  ];
  const details = s.measurements.filter((m) => m.note).map((m) => `- ${esc(m.name)}: ${m.note}`);
  const notes = s.notes.map((n) => `- ${n}`);
  const err = s.status !== 'ok' ? `**${s.status === 'not-available' ? 'Not available' : 'Failed'} part way:** ${esc(firstLine(s.error))}\n\n` : '';
  return `${head}${took}${err}${lines.join('\n')}\n\n${[...details, ...notes].join('\n')}\n`;
}

export function renderMarkdown(r: BenchResults): string {
  const m = r.machine;
  const versions = Object.entries(m.versions)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const missed = r.sections.flatMap((s) => s.measurements.filter((x) => x.target && !x.target.met).map((x) => `- ${s.title}: ${x.name}`));
  const broken = r.sections.filter((s) => s.status !== 'ok').map((s) => `- ${s.title}: ${s.status} — ${esc(firstLine(s.error))}`);
  return [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (bench/run.ts); the raw numbers with units are in `bench/results.json`.',
    'Ratios: throughput = ours ÷ reference; instruction counts = share of the IC limit; scale = cost ÷ cost at the smallest size.',
    '',
    '| Machine | |',
    '|---|---|',
    `| CPU | ${esc(m.cpuModel)}, ${m.cores} cores |`,
    `| RAM | ${(m.ramBytes / 2 ** 30).toFixed(1)} GiB |`,
    `| OS | ${esc(m.os)} |`,
    `| Load average at start | ${m.loadAverageAtStart.join(', ')} |`,
    `| Node | ${m.node} |`,
    `| Packages | ${versions} |`,
    `| Tools | ${esc((m.zstd ?? 'zstd: not found').replace(/\*/g, '').trim())}; ${esc(m.sha256sum ?? 'sha256sum: not found')} |`,
    `| Date | ${r.startedAt} (run took ${(r.durationMs / 1000).toFixed(0)} s) |`,
    '',
    ...r.sections.map(section),
    '## Targets not met, sections not run',
    '',
    ...(missed.length || broken.length ? [...missed, ...broken] : ['None.']),
    ''
  ].join('\n');
}
