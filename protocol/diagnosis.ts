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
import { normaliseEnvironment, type EnvironmentV2 } from './environment.js';
import { CAUSES, findingsOf, scriptFix, tmpfsFix, type CauseId, type Finding } from './causes.js';
import { classifyDifference, leafDifferences, summariseDifferences, type ChangeClass } from './classify.js';

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
  /** Catalogued causes (causes.ts), each naming the divergent reviewers it concerns and the fix. */
  causes: DiagnosedCause[];
}

/** One catalogued cause found for some members of the divergent group. */
export interface DiagnosedCause extends Finding {
  /** Labels of the divergent reviewers it concerns (names, or principals). */
  reviewers: string[];
  /** `fact`: read from the reviewers' own attestations; `comparison`: inferred against the reference builds. */
  basis: 'fact' | 'comparison';
}

/** A group of attestations; `reviewers[i]` labels `statements[i]` (default `reviewer i+1`). */
export interface DiagnosisGroup {
  statements: Statement[];
  reviewers?: string[];
}

interface FactorDef {
  field: string;
  value: (e: EnvironmentV2, st: Statement) => string;
  cause: string;
  /** The catalogued causes this factor is evidence of; host-only facts have none. */
  causes: CauseId[];
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

/** In tie order: the known causes first. Per-role and per-file factors are added by `factorsFor`. */
const FIXED_FACTORS: FactorDef[] = [
  { field: 'git.clean', value: (e) => b(e.git?.clean), cause: 'A dirty source tree changes what is built (known cause 4).', causes: ['dirty-tree'] },
  { field: 'release', value: (e) => b(e.release), cause: 'A non-release build (--no-release drops --config=stamped) gives other bytes (known cause 4).', causes: ['non-release'] },
  { field: 'container.engine', value: (e) => s(e.container?.engine), cause: 'podman vs docker (known cause 6).', causes: ['container-engine', 'no-podman'] },
  { field: 'container.rootful', value: (e) => b(e.container?.rootful), cause: 'Rootless vs rootful container engine (known cause 6).', causes: ['container-engine'] },
  { field: 'container.version', value: (e) => s(e.container?.version), cause: 'Container engine version: the build runs in rootful podman (known cause 6).', causes: ['podman-too-old'] },
  { field: 'container.image', value: (e) => s(e.container?.image), cause: 'A different build container image (unpinned, or built locally).', causes: ['unpinned-image'] },
  { field: 'wsl', value: (e) => b(e.wsl), cause: 'WSL2 vs native Linux: WSL2 temp filesystems and memory limits changed hashes before (known causes 3, 6).', causes: ['low-ram-wsl'] },
  { field: 'memoryBytes', value: (e) => memoryBucket(e.memoryBytes), cause: 'RAM: the build needs 16 GiB or more; too little tempts turning the tmpfs off (known cause 6).', causes: ['low-ram-wsl', 'low-ram'] },
  { field: 'commandLine', value: (e) => (e.commandLine ?? []).join(' ') || 'none', cause: 'A different command line (flags such as --no-release, or another script) (known causes 2, 4).', causes: ['non-release', 'script-not-at-commit'] },
  { field: 'git.commit', value: (e) => s(e.git?.commit), cause: 'A different source commit was built.', causes: [] },
  { field: 'tool.version', value: (_e, x) => s(x.predicate.tool?.version), cause: 'A different icos-attest version recorded this build.', causes: [] },
  { field: 'kernel', value: (e) => s(e.kernel), cause: 'Kernel version (filesystems and sparse-file reporting vary with it) (known cause 3).', causes: [] },
  { field: 'os', value: (e) => s(`${e.os?.name ?? ''} ${e.os?.version ?? ''}`.trim()), cause: 'Host operating system and version.', causes: [] },
  { field: 'arch', value: (e) => s(e.arch), cause: 'CPU architecture (the build needs x86_64).', causes: ['not-x86_64'] },
  { field: 'cpus', value: (e) => String(e.cpus ?? UNKNOWN), cause: 'CPU count (parallelism should not change the bytes; a hint only).', causes: [] },
  { field: 'diskFreeBytes', value: (e) => diskBucket(e.diskFreeBytes), cause: 'Free disk (the build needs ≥ 100 GiB; a full disk can cut outputs short).', causes: ['low-disk'] },
];

/** Factors per file that defines the build and per build-dir role seen in any statement: values compare like with like. */
function factorsFor(envs: EnvironmentV2[]): FactorDef[] {
  const files = [...new Set(envs.flatMap((e) => e.files.map((f) => f.path)))].sort();
  const roles = [...new Set(envs.flatMap((e) => e.dirs.map((d) => d.role)))].sort((x, y) => Number(!x.startsWith('container:')) - Number(!y.startsWith('container:')) || (x < y ? -1 : 1));
  const file = (e: EnvironmentV2, p: string) => e.files.find((f) => f.path === p);
  const dir = (e: EnvironmentV2, r: string) => e.dirs.find((d) => d.role === r);
  const out: FactorDef[] = [];
  for (const p of files) {
    out.push({ field: `files[${p}].atCommit`, value: (e) => b(file(e, p)?.atCommit), cause: `Whether ${p} is the file at the proposal's commit: an outdated or edited copy builds other bytes (known causes 1-2).`, causes: ['script-not-at-commit'] });
    out.push({ field: `files[${p}].sha256`, value: (e) => s(file(e, p)?.sha256), cause: `${p} differs: an outdated or third-party copy, or one not matching the commit (known causes 1-2).`, causes: ['script-not-at-commit'] });
  }
  for (const r of roles) {
    out.push({ field: `dirs[${r}].tmpfs`, value: (e) => b(dir(e, r)?.tmpfs), cause: `Whether ${r} is a tmpfs: the image tars are sparse and record holes, so the temp filesystem changes the bytes (known cause 3).`, causes: ['tmpfs-off', 'sparse-layout'] });
    out.push({ field: `dirs[${r}].blockSize`, value: (e) => String(dir(e, r)?.blockSize ?? UNKNOWN), cause: `Block size of ${r} (must be 4096): it shapes the hole maps of the sparse tars (known cause 3).`, causes: ['filesystem', 'sparse-layout'] });
    out.push({ field: `dirs[${r}].fsType`, value: (e) => s(dir(e, r)?.fsType), cause: `Filesystem of ${r}: the sparse tars record holes as the filesystem reports them (known cause 3).`, causes: ['filesystem', 'tmpfs-off', 'sparse-layout'] });
  }
  return [...out, ...FIXED_FACTORS];
}

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
  reference: DiagnosisGroup,
  divergent: DiagnosisGroup,
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

  // (2) Catalogued causes, from each divergent reviewer's own facts first.
  const refEnvs = ref.map(envOf);
  const divEnvs = div.map(envOf);
  const labels = div.map((_, i) => divergent.reviewers?.[i] ?? `reviewer ${i + 1}`);
  const leafClasses = new Set<ChangeClass>(leafDifferences(differing).map(classifyDifference));
  const causes = diagnoseCauses(refEnvs, divEnvs, labels, leafClasses);

  // (3) Environment factors, on normalised values (roles, not paths). When every divergent
  // reviewer has a catalogued cause, host facts that no found cause involves are left out.
  const found: { f: DivergenceFactor; order: number }[] = [];
  const explained = causes.length > 0 && labels.every((l) => causes.some((c) => c.reviewers.includes(l)));
  const foundIds = new Set<CauseId>(causes.map((c) => c.cause));
  if (ref.length && div.length) {
    factorsFor([...refEnvs, ...divEnvs]).forEach((def, order) => {
      if (explained && !def.causes.some((c) => foundIds.has(c))) return;
      const rv = ref.map((st, i) => safe(() => def.value(refEnvs[i], st)));
      const dv = div.map((st, i) => safe(() => def.value(divEnvs[i], st)));
      const cr = counts(rv);
      const cd = counts(dv);
      // Only a value some divergent member has and no reference member has can explain the
      // divergence; weak separations (score < MIN_SCORE) are noise.
      if (dv.every((v) => cr.has(v))) return;
      const score = separationScore(rv, dv);
      if (score < MIN_SCORE) return;
      found.push({ order, f: { field: def.field, reference: ranked(cr), divergent: ranked(cd), score, explanation: def.cause } });
    });
  }
  found.sort((x, y) => y.f.score - x.f.score || x.order - y.order);
  const top = found.slice(0, MAX_FACTORS).map((x) => x.f);
  // The kind of difference, when it says more than the first entry's note (several entries, or not content).
  const leaves = leafDifferences(differing);
  if (manifestNote && (leaves.length > 1 || leafClasses.size > 1 || (leafClasses.size === 1 && !leafClasses.has('content')))) {
    manifestNote += ` In all, ${summariseDifferences(differing)}.`;
  }

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
    causes,
  };
}

function envOf(st: Statement): EnvironmentV2 {
  return normaliseEnvironment(st.predicate.environment);
}

const MAX_CAUSES = 12;

/**
 * Per divergent reviewer: the `bytes` causes its own record shows (dropped when every reference
 * member shows the same: then it cannot be what sets the groups apart); without any, a
 * comparison with the reference builds (v1 records cannot say whether a script is the commit's).
 * The manifest's kind of difference adds timestamps or sparse layout. Grouped by cause and fix.
 */
function diagnoseCauses(refEnvs: EnvironmentV2[], divEnvs: EnvironmentV2[], labels: string[], leafClasses: Set<ChangeClass>): DiagnosedCause[] {
  const refFindings = refEnvs.map((e) => findingsOf(e, { scope: 'bytes' }));
  const sharedByAllRef = (f: Finding) => refFindings.length > 0 && refFindings.every((fs) => fs.some((g) => g.cause === f.cause && g.fix === f.fix));
  const out = new Map<string, DiagnosedCause>();
  const add = (f: Finding, who: string, basis: DiagnosedCause['basis']) => {
    const key = `${f.cause}\n${f.fix}`;
    const cur = out.get(key);
    if (!cur) out.set(key, { ...f, evidence: [...f.evidence], reviewers: [who], basis });
    else {
      if (!cur.reviewers.includes(who)) cur.reviewers.push(who);
      for (const e of f.evidence) if (!cur.evidence.includes(e)) cur.evidence.push(e);
    }
  };
  divEnvs.forEach((env, i) => {
    let facts = findingsOf(env, { scope: 'bytes' }).filter((f) => !sharedByAllRef(f));
    if (facts.length === 0) facts = compared(env, refEnvs);
    const basis = facts.length && findingsOf(env, { scope: 'bytes' }).some((f) => f.cause === facts[0].cause) ? 'fact' : 'comparison';
    for (const f of facts) add(f, labels[i], basis);
    // The kind of difference inside the image, when every differing leaf is of one kind.
    if (leafClasses.size === 1) {
      const [only] = leafClasses;
      const hasFs = facts.some((f) => f.cause === 'tmpfs-off' || f.cause === 'filesystem');
      if (only === 'sparse' && !hasFs) {
        add({ cause: 'sparse-layout', title: CAUSES['sparse-layout'].title, evidence: ['the differing entries have the same bytes and another hole map'], fix: tmpfsFix(env, env.container?.declaredTmpfs ?? []) }, labels[i], 'comparison');
      } else if (only === 'timestamp') {
        add({ cause: 'timestamps', title: CAUSES.timestamps.title, evidence: ['the differing entries differ only in mtime'], fix: "build with the commit's own scripts and toolchain, which write tars with --mtime='UTC 1970-01-01'; a non-release build or an edited script changes timestamps." }, labels[i], 'comparison');
      }
    }
  });
  return [...out.values()].slice(0, MAX_CAUSES);
}

/** Causes inferred against the reference builds: a file hash, a role's tmpfs or filesystem that none of them has. */
function compared(env: EnvironmentV2, refEnvs: EnvironmentV2[]): Finding[] {
  if (refEnvs.length === 0) return [];
  const out: Finding[] = [];
  const files = env.files.filter((f) => refEnvs.every((r) => r.files.some((g) => g.path === f.path && g.sha256 !== f.sha256)));
  if (files.length) {
    out.push({
      cause: 'script-not-at-commit',
      title: CAUSES['script-not-at-commit'].title,
      evidence: files.map((f) => `\`${f.path}\` differs from the reference builds' copy`),
      fix: scriptFix(files.map((f) => f.path), env.git.commit),
    });
  }
  const noTmpfs = env.dirs.filter((d) => !d.tmpfs && refEnvs.every((r) => r.dirs.some((g) => g.role === d.role && g.tmpfs)));
  if (noTmpfs.length) {
    out.push({
      cause: 'tmpfs-off',
      title: CAUSES['tmpfs-off'].title,
      evidence: noTmpfs.map((d) => `\`${d.role}\` was ${d.fsType}, a tmpfs in every reference build`),
      fix: tmpfsFix(env, noTmpfs.map((d) => d.role.replace(/^(container|host):/, ''))),
    });
  }
  const fs = env.dirs.filter((d) => d.tmpfs === false && !noTmpfs.includes(d) && refEnvs.every((r) => r.dirs.some((g) => g.role === d.role && (g.fsType !== d.fsType || g.blockSize !== d.blockSize))));
  if (fs.length) {
    out.push({
      cause: 'filesystem',
      title: CAUSES.filesystem.title,
      evidence: fs.map((d) => `\`${d.role}\` was ${d.fsType} with ${d.blockSize}-byte blocks, unlike every reference build`),
      fix: 'build on the filesystem the reference builds used (tmpfs or ext4 with 4096-byte blocks).',
    });
  }
  return out;
}

function safe(f: () => string): string {
  try {
    return f();
  } catch {
    return UNKNOWN;
  }
}
