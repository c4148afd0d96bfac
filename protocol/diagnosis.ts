/**
 * Divergence diagnosis from attestations alone: where a divergent group's artifact differs from
 * the reference group's (manifest entries), and which environment factors set the groups apart,
 * ranked, each tied to the known causes of divergent hashes (icos-facts.md, "Known causes"):
 *   1 outdated/third-party build script · 2 script version not matching the commit ·
 *   3 temp filesystem (sparse tars record holes: tmpfs, block size 4096) · 4 dirty tree or
 *   non-release build · 5 tar/zstd settings · 6 podman vs docker, rootless vs rootful, WSL2,
 *   out of memory.
 * Pure and bounded: at most MAX_STATEMENTS per group, manifests already bounded by validation.
 */
import type { ManifestEntry, Statement } from './types.js';
import { diffManifests, formatManifestPath, type ManifestDifference } from './manifest.js';

const MAX_STATEMENTS = 1000;
const MAX_DIFFERING = 100;
const MAX_VALUES = 5;
const MAX_VALUE_CHARS = 80;
const MAX_FACTORS = 12;
const UNKNOWN = 'unknown';
/** Factors scoring below this are not reported. */
const MIN_SCORE = 0.3;

export interface DivergenceFactor {
  /** Environment field (dotted, as in the statement), or `tool.version`. */
  field: string;
  /** Distinct values in each group, most common first (at most 5 each). */
  reference: string[];
  divergent: string[];
  /** 0..1: 1 = one group shares a value the other never has, and both groups are uniform. */
  score: number;
  explanation: string;
}

export interface DivergenceDiagnosis {
  artifact: string;
  referenceCount: number;
  divergentCount: number;
  /** Location of the first divergent component below the artifact, or null. */
  firstDivergent: string[] | null;
  /** The same, for people: `update-img.tar.zst › root.img`. */
  firstDivergentDisplay: string | null;
  /** Differing manifest entries (at most 100), parents before children. */
  differing: ManifestDifference[];
  differingTotal: number;
  /** What the manifest comparison shows (or why it could not be made), in a sentence. */
  manifestNote: string;
  /** Environment factors that separate the groups, strongest first. */
  factors: DivergenceFactor[];
}

interface FactorDef {
  field: string;
  value: (s: Statement) => string;
  cause: string;
}

const gib = 2 ** 30;
/** Nominal RAM size: 15.6 GiB reported → ≈16 GiB. */
function memoryBucket(bytes: number): string {
  if (!(bytes > 0)) return UNKNOWN;
  const g = bytes / gib;
  return `≈${2 ** Math.ceil(Math.log2(Math.max(g, 1)))} GiB`;
}
const diskBucket = (bytes: number) => (!(bytes >= 0) ? UNKNOWN : bytes >= 100 * gib ? '≥100 GiB free' : '<100 GiB free');
const b = (v: boolean | null | undefined) => (v === null || v === undefined ? UNKNOWN : String(v));
const s = (v: string | null | undefined) => (v === null || v === undefined || v === '' ? 'none' : v);

/** One value for all temp dirs when they agree, else `path=value` per dir. */
function tempDirs(st: Statement, pick: (d: { fsType: string; blockSize: number; tmpfs: boolean }) => string): string {
  const dirs = [...(st.predicate.environment?.tempDirs ?? [])].sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  if (dirs.length === 0) return UNKNOWN;
  const vals = dirs.map(pick);
  return vals.every((v) => v === vals[0]) ? vals[0] : dirs.map((d, i) => `${d.path}=${vals[i]}`).join(',');
}

/** In tie order: the known causes first. */
const FACTORS: FactorDef[] = [
  { field: 'script.sha256', value: (x) => s(x.predicate.environment.script?.sha256), cause: 'The build script differs: an outdated or third-party copy, or a script version not matching the commit (known causes 1-2).' },
  { field: 'tempDirs.tmpfs', value: (x) => tempDirs(x, (d) => String(d.tmpfs)), cause: 'Whether the build temp dirs are tmpfs: the image tars are sparse and record holes, so the temp filesystem changes the bytes (known cause 3).' },
  { field: 'tempDirs.blockSize', value: (x) => tempDirs(x, (d) => String(d.blockSize)), cause: 'Temp filesystem block size (must be 4096): it shapes the hole maps of the sparse tars (known cause 3).' },
  { field: 'tempDirs.fsType', value: (x) => tempDirs(x, (d) => d.fsType), cause: 'Temp filesystem type: the sparse tars record holes as the filesystem reports them (known cause 3).' },
  { field: 'script.path', value: (x) => s(x.predicate.environment.script?.path), cause: 'A different build/check script path: the script must be the copy from the commit being built (known cause 2).' },
  { field: 'git.clean', value: (x) => b(x.predicate.environment.git?.clean), cause: 'A dirty source tree changes what is built (known cause 4).' },
  { field: 'release', value: (x) => b(x.predicate.environment.release), cause: 'A non-release build (--no-release drops --config=stamped) gives other bytes (known cause 4).' },
  { field: 'wsl', value: (x) => b(x.predicate.environment.wsl), cause: 'WSL2 vs native Linux: WSL2 temp filesystems and memory limits changed hashes before (known causes 3, 6).' },
  { field: 'podman', value: (x) => s(x.predicate.environment.podman), cause: 'Container engine version: the build runs in rootful podman (known cause 6).' },
  { field: 'rootful', value: (x) => b(x.predicate.environment.rootful), cause: 'Rootless vs rootful container engine (known cause 6).' },
  { field: 'docker', value: (x) => s(x.predicate.environment.docker), cause: 'podman vs docker (known cause 6).' },
  { field: 'memoryBytes', value: (x) => memoryBucket(x.predicate.environment.memoryBytes), cause: 'RAM: the build needs 16 GiB or more; running out of memory broke builds before (known cause 6).' },
  { field: 'commandLine', value: (x) => (x.predicate.environment.commandLine ?? []).join(' ') || 'none', cause: 'A different command line (flags such as --no-release, or another script) (known causes 2, 4).' },
  { field: 'git.commit', value: (x) => s(x.predicate.environment.git?.commit), cause: 'A different source commit was built.' },
  { field: 'tool.version', value: (x) => s(x.predicate.tool?.version), cause: 'A different icos-attest version recorded this build.' },
  { field: 'kernel', value: (x) => s(x.predicate.environment.kernel), cause: 'Kernel version (filesystems and sparse-file reporting vary with it) (known cause 3).' },
  { field: 'os', value: (x) => s(`${x.predicate.environment.os?.name ?? ''} ${x.predicate.environment.os?.version ?? ''}`.trim()), cause: 'Host operating system and version.' },
  { field: 'arch', value: (x) => s(x.predicate.environment.arch), cause: 'CPU architecture (the build needs x86_64).' },
  { field: 'cpus', value: (x) => String(x.predicate.environment.cpus ?? UNKNOWN), cause: 'CPU count (parallelism should not change the bytes; a hint only).' },
  { field: 'diskFreeBytes', value: (x) => diskBucket(x.predicate.environment.diskFreeBytes), cause: 'Free disk (the build needs ≥ 100 GiB; a full disk can cut outputs short).' },
];

function counts(values: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
}

function ranked(m: Map<string, number>): string[] {
  return [...m.entries()]
    .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
    .slice(0, MAX_VALUES)
    .map(([v]) => (v.length > MAX_VALUE_CHARS ? `${v.slice(0, MAX_VALUE_CHARS - 1)}…` : v));
}

/**
 * How cleanly one field separates the groups (0..1):
 *   sep  = share of all members whose value never occurs in the other group;
 *   coh  = for the better group, share of its members holding its most common value that the
 *          other group never has (and that is known);
 *   uni  = mean share of each group's most common value.
 * score = 0.5·sep + 0.4·coh + 0.1·uni. All of one group sharing a value the other lacks, with
 * both groups uniform, scores 1; values unique per member (e.g. exact RAM) score lower than a
 * shared one; a field that separates nothing scores ≤ 0.1 and is not reported.
 */
export function separationScore(ref: string[], div: string[]): number {
  if (ref.length === 0 || div.length === 0) return 0;
  const cr = counts(ref);
  const cd = counts(div);
  const exclusive = ref.filter((v) => !cd.has(v)).length + div.filter((v) => !cr.has(v)).length;
  const sep = exclusive / (ref.length + div.length);
  const cohOf = (own: Map<string, number>, other: Map<string, number>, n: number) => {
    let best = 0;
    for (const [v, c] of own) if (!other.has(v) && v !== UNKNOWN) best = Math.max(best, c);
    return best / n;
  };
  const coh = Math.max(cohOf(cr, cd, ref.length), cohOf(cd, cr, div.length));
  const uni = (Math.max(...cr.values()) / ref.length + Math.max(...cd.values()) / div.length) / 2;
  return Math.round((0.5 * sep + 0.4 * coh + 0.1 * uni) * 1000) / 1000;
}

function artifactOf(st: Statement, name: string) {
  const arts = st.predicate?.artifacts ?? [];
  const base = name.slice(name.lastIndexOf('/') + 1);
  return arts.find((a) => a.name === name) ?? arts.find((a) => a.name.slice(a.name.lastIndexOf('/') + 1) === base);
}

/** The manifest most members of a group agree on (by manifestRoot), first one on ties. */
function representative(statements: Statement[], name: string): ManifestEntry[] | null {
  const byRoot = new Map<string, { n: number; m: ManifestEntry[] }>();
  for (const st of statements) {
    const a = artifactOf(st, name);
    if (!a?.manifest) continue;
    const key = a.manifestRoot ?? `#${byRoot.size}`;
    const cur = byRoot.get(key);
    if (cur) cur.n++;
    else byRoot.set(key, { n: 1, m: a.manifest });
  }
  let best: { n: number; m: ManifestEntry[] } | null = null;
  for (const v of byRoot.values()) if (!best || v.n > best.n) best = v;
  return best ? best.m : null;
}

const tarMeta = (d: string | undefined) => (d ?? '').replace(/ ?sparse=\S+/, '');
const sparseOf = (d: string | undefined) => /sparse=(\S+)/.exec(d ?? '')?.[1];

function noteFor(first: ManifestDifference | undefined, display: string | null): string {
  if (!first || !display) return '';
  if (first.change === 'added') return `${display} exists only in the divergent build.`;
  if (first.change === 'removed') return `${display} is missing from the divergent build.`;
  const a = first.a!;
  const bb = first.b!;
  if (a.sha256 === bb.sha256 && a.size === bb.size) {
    if (sparseOf(a.detail) !== sparseOf(bb.detail) && tarMeta(a.detail) === tarMeta(bb.detail)) {
      return `${display} has the same content but a different sparse hole map: the temp filesystem (tmpfs, block size) differs (known cause 3).`;
    }
    return `${display} has the same content but different metadata (${a.detail ?? '-'} vs ${bb.detail ?? '-'}): tar settings (known cause 5).`;
  }
  return a.size === bb.size
    ? `${display} differs first: same size (${a.size} bytes), different content.`
    : `${display} differs first: ${a.size} vs ${bb.size} bytes.`;
}

/**
 * Diagnose one divergent group of an artifact against the reference group (the one matching the
 * proposal/CDN, or the largest). Cost: O(statements × fields + manifest entries).
 */
export function diagnoseDivergence(
  reference: { statements: Statement[] },
  divergent: { statements: Statement[] },
  artifactName: string,
): DivergenceDiagnosis {
  const ref = reference.statements.slice(0, MAX_STATEMENTS);
  const div = divergent.statements.slice(0, MAX_STATEMENTS);

  // (1) Manifests.
  const rm = representative(ref, artifactName);
  const dm = representative(div, artifactName);
  let firstDivergent: string[] | null = null;
  let differing: ManifestDifference[] = [];
  let manifestNote: string;
  if (!rm || !dm) {
    const missing = !rm && !dm ? 'either group' : !rm ? 'the reference group' : 'the divergent group';
    manifestNote = `No manifest in ${missing}: the divergent component cannot be located.`;
  } else {
    const d = diffManifests(rm, dm);
    firstDivergent = d.firstDivergent;
    differing = d.differing;
    if (!firstDivergent && rm.length === 0) {
      manifestNote = 'The manifests list no components: the divergent component cannot be located.';
    } else if (!firstDivergent) {
      manifestNote = 'Every listed component is identical: the difference is in the container itself (tar headers, member order, padding or compression settings; known cause 5).';
    } else {
      const display = formatManifestPath(firstDivergent, artifactName);
      const key = JSON.stringify(firstDivergent);
      manifestNote = noteFor(differing.find((x) => JSON.stringify(x.path) === key), display);
      if (d.truncatedAt.length) manifestNote += ' Deeper levels were truncated in the attestation; compare the artifacts for more (icos-attest diff).';
    }
  }

  // (2) Environment factors.
  const found: { f: DivergenceFactor; order: number }[] = [];
  if (ref.length && div.length) {
    FACTORS.forEach((def, order) => {
      const rv = ref.map((st) => safe(() => def.value(st)));
      const dv = div.map((st) => safe(() => def.value(st)));
      const cr = counts(rv);
      const cd = counts(dv);
      // Only a value some divergent member has and no reference member has can explain the
      // divergence; weak separations (score < MIN_SCORE) are noise.
      if (dv.every((v) => cr.has(v))) return;
      const score = separationScore(rv, dv);
      if (score < MIN_SCORE) return;
      // How strongly it separates is the score's to say (readers word it); the explanation is the cause.
      found.push({ order, f: { field: def.field, reference: ranked(cr), divergent: ranked(cd), score, explanation: def.cause } });
    });
  }
  found.sort((x, y) => y.f.score - x.f.score || x.order - y.order);
  const top = found.slice(0, MAX_FACTORS).map((x) => x.f);

  return {
    artifact: artifactName,
    referenceCount: ref.length,
    divergentCount: div.length,
    firstDivergent,
    firstDivergentDisplay: firstDivergent ? formatManifestPath(firstDivergent, artifactName) : null,
    differing: differing.slice(0, MAX_DIFFERING),
    differingTotal: differing.length,
    manifestNote,
    factors: top,
  };
}

function safe(f: () => string): string {
  try {
    return f();
  } catch {
    return UNKNOWN;
  }
}
