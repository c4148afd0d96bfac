/**
 * How a given ic commit is built, decided only from the files present at that commit
 * (never from a copy of ours): which build script, which flag, which checker, and where the
 * outputs land. Newest layout first. Pure: callers pass the set of paths present and the
 * build script's text.
 */
import type { OsName } from '../../../protocol/types.js';

/** Build scripts, newest first. */
export const BUILD_SCRIPTS = ['ci/container/build-ic.sh', 'gitlab-ci/tools/docker-build-ic'] as const;

/** DFINITY's repro checker, newest path first (recorded; we compare hashes ourselves). */
export const CHECKER_PATHS = [
  'ci/scripts/repro-check',
  'ci/tools/repro-check',
  'ci/tools/repro-check.sh',
  'gitlab-ci/tools/repro-check.sh',
] as const;

export type Era = '2025-26' | '2025' | '2024' | '2022-23';

export interface OutputSpec {
  os: OsName;
  /** Candidate paths relative to the repo root, this era's first. */
  paths: string[];
}

export interface BuildLayout {
  era: Era;
  script: string;
  args: string[];
  checker: string | null;
  outputs: OutputSpec[];
  /** Optional side outputs recorded when present (GuestOS launch measurements). */
  extras: { os: OsName; path: string }[];
}

export type LayoutError = { kind: 'unknown-layout'; message: string };

const CURRENT: Record<OsName, string> = {
  guestos: 'artifacts/icos/guestos/update/update-img.tar.zst',
  hostos: 'artifacts/icos/hostos/update/update-img.tar.zst',
  setupos: 'artifacts/icos/setupos/disk-img.tar.zst',
  recovery: 'artifacts/icos/guestos/update-img-recovery/update-img.tar.zst',
};
const Y2023_24: Partial<Record<OsName, string>> = {
  guestos: 'artifacts/icos/guestos/update-img.tar.zst',
  hostos: 'artifacts/icos/hostos/update-img.tar.zst',
  // (inferred) SetupOS next to them; the current path is tried too.
  setupos: 'artifacts/icos/setupos/disk-img.tar.zst',
};

function outputsNewestFirst(): OutputSpec[] {
  return (['guestos', 'hostos', 'setupos', 'recovery'] as OsName[]).map((os) => ({
    os,
    paths: [...new Set([CURRENT[os], ...(Y2023_24[os] ? [Y2023_24[os]!] : [])])],
  }));
}

function outputs2023_24First(): OutputSpec[] {
  return outputsNewestFirst().map((o) => ({
    os: o.os,
    paths: [...new Set([...(Y2023_24[o.os] ? [Y2023_24[o.os]!] : []), ...o.paths])],
  }));
}

/** Picks `--icos` when the commit's script knows it, else the older `-i`. */
export function icosFlag(scriptText: string): '--icos' | '-i' {
  return /(^|[\s|(])--icos\b/m.test(scriptText) ? '--icos' : '-i';
}

/**
 * Detects the layout from the paths present at the commit (only BUILD_SCRIPTS and
 * CHECKER_PATHS matter) and the build script's text.
 */
export function detectLayout(present: ReadonlySet<string>, scriptText: string | null): BuildLayout | LayoutError {
  const checker = CHECKER_PATHS.find((p) => present.has(p)) ?? null;
  if (present.has('ci/container/build-ic.sh')) {
    const flag = icosFlag(scriptText ?? '');
    const era: Era =
      checker === 'ci/scripts/repro-check' ? '2025-26' : checker === 'ci/tools/repro-check' ? '2025' : checker === 'ci/tools/repro-check.sh' ? '2024' : flag === '--icos' ? '2025' : '2024';
    return {
      era,
      script: 'ci/container/build-ic.sh',
      args: [flag],
      checker,
      // A 2024 commit lists its era's paths first; stale outputs are removed before a build,
      // so whichever candidate exists afterwards is what this commit produced.
      outputs: era === '2024' ? outputs2023_24First() : outputsNewestFirst(),
      extras: [
        { os: 'guestos', path: 'artifacts/icos/guestos/update/launch-measurements.json' },
        { os: 'guestos', path: 'artifacts/icos/guestos/launch-measurements.json' },
      ],
    };
  }
  if (present.has('gitlab-ci/tools/docker-build-ic')) {
    return {
      era: '2022-23',
      script: 'gitlab-ci/tools/docker-build-ic',
      args: [],
      checker,
      outputs: [
        { os: 'guestos', paths: ['artifacts/icos/update-img.tar.gz', 'artifacts/icos/guestos/update-img.tar.zst'] },
        { os: 'hostos', paths: ['artifacts/icos/hostos/update-img.tar.zst'] },
        { os: 'setupos', paths: ['artifacts/icos/setupos/disk-img.tar.zst'] },
      ],
      extras: [],
    };
  }
  return {
    kind: 'unknown-layout',
    message: `no known build script at this commit (looked for ${BUILD_SCRIPTS.join(', ')}); is it an ic repo commit?`,
  };
}

/** Every path any era may write an output to (for clearing stale outputs before a build). */
export function allOutputPaths(layout: BuildLayout): string[] {
  return [...new Set([...layout.outputs.flatMap((o) => o.paths), ...layout.extras.map((e) => e.path)])];
}

/** Artifact name for a built file: `<os>/<basename>`, matching the CDN names. */
export function builtArtifactName(os: OsName, path: string): string {
  return `${os}/${path.split('/').pop()}`;
}
