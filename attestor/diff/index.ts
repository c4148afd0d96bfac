/**
 * `icos-attest diff <a> <b>`: where two builds differ, from envelopes, statements, result files,
 * manifests or the artifacts themselves. The CLI shell parses arguments, calls diffInputs (and
 * deepDiff for --deep), prints formatDiff(report) or JSON.stringify(report), and exits with
 * exitCodeOf(report): 0 identical, 1 different, (errors: DiffError, kind + message).
 *
 * JSON shape (`--json`), stable; fields are only ever added:
 * {
 *   "schema": "icos-attest/diff/v1",
 *   "a": { "source": "<path>", "kind": "envelope|statement|result|manifest|artifact" },
 *   "b": { ... },
 *   "identical": true|false,
 *   "artifacts": [{
 *     "name": "guestos/update-img.tar.zst",
 *     "status": "identical|different|only-in-a|only-in-b",
 *     "a": { "name", "sha256"|null, "size"|null, "manifestRoot"|null } | null,
 *     "b": { ... } | null,
 *     "firstDivergent": ["root.img"] | null,          // path components below the artifact
 *     "firstDivergentDisplay": "update-img.tar.zst › root.img" | null,
 *     "summary": "1 entry differs: timestamp only",       // leaf entries by kind of change
 *     "differing": [{ "path": ["root.img"], "change": "added|removed|changed",
 *                     "class": "content|timestamp|mode-owner|sparse|metadata|added|removed",
 *                     "a"?: ManifestEntry (no children), "b"?: ManifestEntry }],
 *     "truncatedAt": [["disk.img"]],                   // compared no deeper: truncated manifest
 *     "note": "<one sentence>",
 *     "deep"?: { "component": [...], "a": "<tmp file>", "b": "<tmp file>",   // --deep only
 *                "diffoscope": { "exitCode", "output" } | null, "message": "..." } | { "message": "..." }
 *   }]
 * }
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffManifests, formatManifestPath, type ManifestDifference } from '../../protocol/manifest.js';
import { CHANGE_WORDS, classifyDifference, summariseDifferences, type ChangeClass } from '../../protocol/classify.js';
import { computeManifest, ManifestError, type ManifestOptions } from '../manifest/index.js';
import { DiffError, loadInput, type ArtifactView, type InputKind, type LoadedInput } from './inputs.js';

export { DiffError, loadInput, fromJson, type ArtifactView, type InputKind, type LoadedInput, type DiffErrorKind } from './inputs.js';

export const DIFF_SCHEMA = 'icos-attest/diff/v1';

export interface ArtifactSide {
  name: string;
  sha256: string | null;
  size: number | null;
  manifestRoot: string | null;
}

export interface ArtifactDiff {
  name: string;
  status: 'identical' | 'different' | 'only-in-a' | 'only-in-b';
  a: ArtifactSide | null;
  b: ArtifactSide | null;
  firstDivergent: string[] | null;
  firstDivergentDisplay: string | null;
  /** `1 entry differs: timestamp only`; empty when nothing inside differs. */
  summary: string;
  differing: (ManifestDifference & { class: ChangeClass })[];
  truncatedAt: string[][];
  note: string;
  /** Only with --deep: the extracted components and diffoscope's verdict, or why not. */
  deep?: DeepDiff | { message: string };
}

export interface DiffReport {
  schema: typeof DIFF_SCHEMA;
  a: { source: string; kind: InputKind };
  b: { source: string; kind: InputKind };
  identical: boolean;
  artifacts: ArtifactDiff[];
}

const base = (n: string) => n.slice(n.lastIndexOf('/') + 1);
const side = (v: ArtifactView): ArtifactSide => ({ name: v.name, sha256: v.sha256, size: v.size, manifestRoot: v.manifestRoot });

/** Pair artifacts: same name, then same file name, then the single leftover on each side. */
function pair(a: ArtifactView[], b: ArtifactView[]): [ArtifactView | null, ArtifactView | null][] {
  const left = new Set(b);
  const out: [ArtifactView | null, ArtifactView | null][] = [];
  const unmatched: ArtifactView[] = [];
  for (const x of a) {
    const y = [...left].find((v) => v.name === x.name) ?? [...left].find((v) => base(v.name) === base(x.name));
    if (y) {
      left.delete(y);
      out.push([x, y]);
    } else unmatched.push(x);
  }
  if (unmatched.length === 1 && left.size === 1) {
    out.push([unmatched[0], [...left][0]]);
    return out;
  }
  for (const x of unmatched) out.push([x, null]);
  for (const y of left) out.push([null, y]);
  return out;
}

/** Compare one pair of artifacts (pure: no I/O). */
export function diffArtifacts(x: ArtifactView | null, y: ArtifactView | null): ArtifactDiff {
  const name = (x ?? y)!.name;
  const empty = { firstDivergent: null, firstDivergentDisplay: null, summary: '', differing: [], truncatedAt: [] };
  if (!x || !y) {
    return { name, status: x ? 'only-in-a' : 'only-in-b', a: x && side(x), b: y && side(y), ...empty, note: `${name} is only in ${x ? 'a' : 'b'}.` };
  }
  const sameHash = x.sha256 && y.sha256 ? x.sha256 === y.sha256 : null;
  const sameRoot = x.manifestRoot && y.manifestRoot ? x.manifestRoot === y.manifestRoot : null;
  const identical = sameHash ?? sameRoot ?? false;
  const result: ArtifactDiff = { name, status: identical ? 'identical' : 'different', a: side(x), b: side(y), ...empty, note: '' };
  if (identical) {
    result.note = sameHash ? 'Same sha256.' : 'Same manifest root (no file hash to compare).';
    return result;
  }
  if (!x.manifest || !y.manifest) {
    const missing = !x.manifest && !y.manifest ? 'either side' : !x.manifest ? 'a' : 'b';
    result.note = `The files differ but there is no manifest in ${missing}: pass the artifacts themselves to locate the difference.`;
    return result;
  }
  const d = diffManifests(x.manifest, y.manifest);
  result.firstDivergent = d.firstDivergent;
  result.firstDivergentDisplay = d.firstDivergent && formatManifestPath(d.firstDivergent, name);
  result.differing = d.differing.map((x) => ({ ...x, class: classifyDifference(x) }));
  result.summary = d.differing.length ? summariseDifferences(d.differing) : '';
  result.truncatedAt = d.truncatedAt;
  if (!d.firstDivergent && x.manifest.length === 0) {
    result.note = 'Neither manifest lists any component (not a tar or disk image): nothing inside to compare.';
  } else if (!d.firstDivergent) {
    result.note = 'Every listed component is identical: the files differ in the container itself (tar headers, order, padding or compression settings).';
  } else {
    result.note = `${d.differing.length} differing entr${d.differing.length === 1 ? 'y' : 'ies'}; the first divergent component is ${result.firstDivergentDisplay}.`;
    if (d.truncatedAt.length) result.note += ' Some levels were truncated in a manifest; pass the artifacts to compare deeper.';
  }
  return result;
}

/** Load both inputs and compare every artifact they hold. Throws DiffError. */
export async function diffInputs(a: string, b: string, opts: ManifestOptions & { deep?: boolean } = {}): Promise<DiffReport> {
  const { deep, ...manifestOpts } = opts;
  const [la, lb]: LoadedInput[] = [await loadInput(a, manifestOpts), await loadInput(b, manifestOpts)];
  if (la.artifacts.length === 0 || lb.artifacts.length === 0) {
    throw new DiffError('no-artifacts', `${la.artifacts.length === 0 ? a : b} holds no artifacts to compare`);
  }
  const pairs = pair(la.artifacts, lb.artifacts);
  const artifacts = pairs.map(([x, y]) => diffArtifacts(x, y));
  if (deep) {
    for (const [i, [x, y]] of pairs.entries()) {
      const r = artifacts[i];
      if (r.status !== 'different' || !r.firstDivergent) continue;
      if (!x?.file || !y?.file) {
        r.deep = { message: '--deep needs the artifacts themselves (or result files whose artifact paths still exist) on both sides.' };
        continue;
      }
      try {
        r.deep = await deepDiff(x.file, y.file, r.firstDivergent, manifestOpts);
      } catch (err) {
        if (!(err instanceof DiffError)) throw err;
        r.deep = { message: err.message };
      }
    }
  }
  return {
    schema: DIFF_SCHEMA,
    a: { source: la.source, kind: la.kind },
    b: { source: lb.source, kind: lb.kind },
    identical: artifacts.every((r) => r.status === 'identical'),
    artifacts,
  };
}

export const exitCodeOf = (r: DiffReport): number => (r.identical ? 0 : 1);

const short = (h: string | null | undefined) => (h ? `${h.slice(0, 12)}…` : '-');

/** Human output: one block per artifact. */
export function formatDiff(r: DiffReport): string {
  const lines: string[] = [];
  for (const x of r.artifacts) {
    lines.push(`${x.name}: ${x.status}${x.summary ? ` — ${x.summary}` : ''}`);
    if (x.a || x.b) lines.push(`  a ${short(x.a?.sha256)} (${x.a?.size ?? '-'} bytes)   b ${short(x.b?.sha256)} (${x.b?.size ?? '-'} bytes)`);
    if (x.firstDivergentDisplay) lines.push(`  first divergent: ${x.firstDivergentDisplay}`);
    for (const d of x.differing) {
      const where = formatManifestPath(d.path, x.name);
      if (d.change === 'changed') {
        const what: string[] = [];
        if (d.a!.sha256 !== d.b!.sha256) what.push(`sha256 ${short(d.a!.sha256)} → ${short(d.b!.sha256)}`);
        if (d.a!.size !== d.b!.size) what.push(`size ${d.a!.size} → ${d.b!.size}`);
        if (d.a!.kind !== d.b!.kind) what.push(`kind ${d.a!.kind} → ${d.b!.kind}`);
        if (d.a!.detail !== d.b!.detail) what.push(`detail "${d.a!.detail ?? ''}" → "${d.b!.detail ?? ''}"`);
        lines.push(`  changed  ${where}: ${what.join('; ')} — ${CHANGE_WORDS[d.class]}`);
      } else {
        lines.push(`  ${d.change.padEnd(8)} ${where}`);
      }
    }
    if (x.note) lines.push(`  ${x.note}`);
    if (x.deep) {
      lines.push(`  deep: ${x.deep.message}`);
      if ('diffoscope' in x.deep && x.deep.diffoscope) lines.push(x.deep.diffoscope.output.trimEnd());
    }
  }
  lines.push(r.identical ? 'identical' : 'different');
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------- --deep

/** Stream an artifact and copy the bytes of one component (sparse holes stay holes) to `out`. */
export async function extractComponent(artifact: string, component: string[], out: string, opts: ManifestOptions = {}): Promise<void> {
  const fd = openSync(out, 'w');
  let pos = 0;
  const target = {
    path: component,
    found: false,
    write(chunk: Uint8Array, isHole: boolean) {
      if (!isHole) writeSync(fd, chunk, 0, chunk.length, pos);
      pos += chunk.length;
    },
  };
  try {
    await computeManifest(artifact, { ...opts, maxDepth: Math.max(opts.maxDepth ?? 4, component.length), extract: target });
    ftruncateSync(fd, pos);
  } catch (err) {
    if (err instanceof ManifestError) throw new DiffError(err.kind, err.message);
    throw err;
  } finally {
    closeSync(fd);
  }
  if (!target.found) throw new DiffError('component-not-found', `${formatManifestPath(component, artifact)} is not in ${artifact}`);
}

export interface DeepDiff {
  component: string[];
  a: string;
  b: string;
  /** diffoscope's exit code and output; null when diffoscope is not installed. */
  diffoscope: { exitCode: number | null; output: string } | null;
  message: string;
}

export function hasDiffoscope(): boolean {
  return spawnSync('diffoscope', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * --deep: extract the component from both artifacts into a temp directory and hand the two
 * files to diffoscope (when installed; otherwise say how to get it and where the files are).
 */
export async function deepDiff(artifactA: string, artifactB: string, component: string[], opts: ManifestOptions = {}): Promise<DeepDiff> {
  const dir = mkdtempSync(join(tmpdir(), 'icos-attest-deep-'));
  const name = component[component.length - 1].replace(/[^A-Za-z0-9._-]/g, '_') || 'component';
  const a = join(dir, `a-${name}`);
  const b = join(dir, `b-${name}`);
  await extractComponent(artifactA, component, a, opts);
  await extractComponent(artifactB, component, b, opts);
  if (!hasDiffoscope()) {
    return {
      component, a, b, diffoscope: null,
      message: `diffoscope is not installed (apt-get install diffoscope, or pip install diffoscope); the two components are in ${a} and ${b}.`,
    };
  }
  const output = await new Promise<{ exitCode: number | null; output: string }>((resolve, reject) => {
    const child = spawn('diffoscope', ['--text', '-', a, b], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ exitCode: code, output: out }));
  });
  return { component, a, b, diffoscope: output, message: `diffoscope compared ${a} and ${b} (exit ${output.exitCode}).` };
}
