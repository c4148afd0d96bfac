/** The shape of bench/results.json: every number with its unit, reference, ratio and target. */

export type Method = 'measured' | 'extrapolated';

export interface Reference {
  name: string;
  value: number;
  unit: string;
}

export interface Target {
  /** Human-readable, e.g. "≥ 0.95× sha256sum" or "≤ 5 B (IC query limit)". */
  text: string;
  met: boolean;
}

export interface Measurement {
  /** Stable key, e.g. `hash.throughput` or `canister.proposal_report.r200`. */
  id: string;
  name: string;
  value: number;
  unit: string;
  reference?: Reference;
  /** value ÷ reference.value unless `ratioNote` says otherwise. */
  ratio?: number;
  ratioNote?: string;
  target?: Target;
  method: Method;
  note?: string;
}

export interface SectionResult {
  name: string;
  title: string;
  status: 'ok' | 'failed' | 'not-available';
  /** Why a section failed or could not run. */
  error?: string;
  durationMs: number;
  /** Set when the section was re-run alone and merged into an earlier run (`--merge`). */
  ranAt?: string;
  loadAverageAtStart?: number[];
  measurements: Measurement[];
  notes: string[];
}

export interface Machine {
  cpuModel: string;
  cores: number;
  ramBytes: number;
  loadAverageAtStart: number[];
  os: string;
  node: string;
  versions: Record<string, string>;
  zstd: string | null;
  sha256sum: string | null;
}

export interface BenchResults {
  schema: 'icos-attest/bench/v1';
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  machine: Machine;
  sections: SectionResult[];
}

/** A measurement helper: ratio computed from value and reference. */
export function compare(m: Omit<Measurement, 'ratio' | 'method'> & { method?: Method }): Measurement {
  const out: Measurement = { method: 'measured', ...m };
  if (m.reference && m.reference.value !== 0) out.ratio = m.value / m.reference.value;
  return out;
}
