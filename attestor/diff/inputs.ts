/**
 * What `diff` compares, whatever it was given: a DSSE envelope (.json; the payload is decoded,
 * NOT verified: that is `verify`'s job), an in-toto statement, a result file (`build`/`check`),
 * a manifest file (`{ name?, sha256, size, root, entries }` or a bare entry array), or an
 * artifact itself (its manifest is computed).
 */
import { existsSync, openSync, readSync, closeSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { ManifestEntry } from '../../protocol/types.js';
import { manifestRoot } from '../../protocol/manifest.js';
import { computeManifest, ManifestError, type ManifestOptions } from '../manifest/index.js';

export type InputKind = 'envelope' | 'statement' | 'result' | 'manifest' | 'artifact';

export interface ArtifactView {
  /** As named by the input: `guestos/update-img.tar.zst`, or the file name of an artifact. */
  name: string;
  sha256: string | null;
  size: number | null;
  manifestRoot: string | null;
  manifest: ManifestEntry[] | null;
  /** Local file of the artifact, when known (artifact inputs, result files): for --deep. */
  file?: string;
}

export interface LoadedInput {
  source: string;
  kind: InputKind;
  artifacts: ArtifactView[];
}

export type DiffErrorKind = 'not-found' | 'unreadable' | 'bad-input' | 'no-artifacts' | 'decompress-failed' | 'diffoscope-missing' | 'component-not-found';

export class DiffError extends Error {
  constructor(
    readonly kind: DiffErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'DiffError';
  }
}

const MAX_JSON_BYTES = 64 << 20;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function looksLikeJson(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(64);
    const n = readSync(fd, b, 0, 64, 0);
    const s = b.subarray(0, n).toString('utf8').replace(/^\uFEFF/, '').trimStart();
    return s.startsWith('{') || s.startsWith('[');
  } finally {
    closeSync(fd);
  }
}

function isEntry(v: unknown): v is ManifestEntry {
  return isObj(v) && typeof v.path === 'string' && typeof v.kind === 'string' && typeof v.sha256 === 'string' && typeof v.size === 'number';
}

function entries(v: unknown, where: string): ManifestEntry[] | null {
  if (v === null || v === undefined) return null;
  if (!Array.isArray(v) || !v.every(isEntry)) throw new DiffError('bad-input', `${where} is not a list of manifest entries`);
  return v;
}

function artifactFrom(raw: unknown, where: string): ArtifactView {
  if (!isObj(raw) || typeof raw.name !== 'string') throw new DiffError('bad-input', `${where} has no artifact name`);
  const manifest = entries(raw.manifest, `${where}.manifest`);
  const view: ArtifactView = {
    name: raw.name,
    sha256: typeof raw.sha256 === 'string' ? raw.sha256 : null,
    size: typeof raw.size === 'number' ? raw.size : null,
    manifestRoot: typeof raw.manifestRoot === 'string' ? raw.manifestRoot : manifest ? manifestRoot(manifest) : null,
    manifest,
  };
  if (typeof raw.path === 'string') view.file = raw.path;
  return view;
}

function fromStatement(st: unknown, where: string): ArtifactView[] {
  if (!isObj(st) || !isObj(st.predicate) || !Array.isArray(st.predicate.artifacts)) {
    throw new DiffError('bad-input', `${where} is not an icos-attest statement (no predicate.artifacts)`);
  }
  return st.predicate.artifacts.map((a, i) => artifactFrom(a, `${where}: predicate.artifacts[${i}]`));
}

/** Read one input. Artifacts are streamed through computeManifest. */
export async function loadInput(path: string, opts: ManifestOptions = {}): Promise<LoadedInput> {
  if (!existsSync(path)) throw new DiffError('not-found', `${path} does not exist`);
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    throw new DiffError('unreadable', `cannot read ${path}: ${(err as Error).message}`);
  }
  if (!st.isFile()) throw new DiffError('unreadable', `${path} is not a file`);

  if (st.size <= MAX_JSON_BYTES && looksLikeJson(path)) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new DiffError('bad-input', `${path} looks like JSON but does not parse: ${(err as Error).message}`);
    }
    return fromJson(json, path);
  }

  try {
    const m = await computeManifest(path, opts);
    return {
      source: path,
      kind: 'artifact',
      artifacts: [{ name: basename(path), sha256: m.sha256, size: m.size, manifestRoot: m.root, manifest: m.entries, file: path }],
    };
  } catch (err) {
    if (err instanceof ManifestError) throw new DiffError(err.kind, err.message);
    throw err;
  }
}

/** Classify parsed JSON: envelope, statement, result file or manifest. */
export function fromJson(json: unknown, source: string): LoadedInput {
  if (Array.isArray(json)) {
    return { source, kind: 'manifest', artifacts: [{ name: basename(source).replace(/\.json$/, ''), sha256: null, size: null, manifestRoot: manifestRoot(entries(json, source)!), manifest: entries(json, source) }] };
  }
  if (!isObj(json)) throw new DiffError('bad-input', `${source}: expected a JSON object`);

  if (typeof json.payloadType === 'string' && typeof json.payload === 'string') {
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.from(json.payload, 'base64').toString('utf8'));
    } catch (err) {
      throw new DiffError('bad-input', `${source}: the envelope payload is not base64 JSON: ${(err as Error).message}`);
    }
    return { source, kind: 'envelope', artifacts: fromStatement(payload, `${source} (payload)`) };
  }
  if (isObj(json.predicate)) return { source, kind: 'statement', artifacts: fromStatement(json, source) };
  if (Array.isArray(json.artifacts)) {
    return { source, kind: 'result', artifacts: json.artifacts.map((a, i) => artifactFrom(a, `${source}: artifacts[${i}]`)) };
  }
  if (Array.isArray(json.entries)) {
    const list = entries(json.entries, `${source}: entries`)!;
    return {
      source,
      kind: 'manifest',
      artifacts: [{
        name: typeof json.name === 'string' ? json.name : basename(source).replace(/\.json$/, ''),
        sha256: typeof json.sha256 === 'string' ? json.sha256 : null,
        size: typeof json.size === 'number' ? json.size : null,
        manifestRoot: typeof json.root === 'string' ? json.root : manifestRoot(list),
        manifest: list,
      }],
    };
  }
  throw new DiffError('bad-input', `${source}: not an envelope, statement, result file or manifest`);
}
