/**
 * How a given ic commit is built, decided only from the files present at that commit
 * (never from a copy of ours): which build script, which flag, which container runtime,
 * whether it needs a TTY or KVM, which checker, and where the outputs land. The era table
 * (docs/eras.md) names the dfinity/ic source of each row. Pure: callers pass the set of paths
 * present and the text of the build script (and of container-run.sh, for KVM).
 */
import type { OsName } from '../../../protocol/types.js';

/** Build scripts, newest first. */
export const BUILD_SCRIPTS = ['ci/container/build-ic.sh', 'gitlab-ci/container/build-ic.sh', 'gitlab-ci/tools/docker-build-ic'] as const;

/** Container wrappers whose text tells whether the build needs /dev/kvm. */
export const CONTAINER_RUN_SCRIPTS = ['ci/container/container-run.sh', 'gitlab-ci/container/container-run.sh'] as const;

/** DFINITY's repro checker, newest path first (recorded; we compare hashes ourselves). */
export const CHECKER_PATHS = [
  'ci/scripts/repro-check',
  'ci/tools/repro-check',
  'ci/tools/repro-check.py',
  'ci/tools/repro-check.sh',
  'gitlab-ci/tools/repro-check.sh',
] as const;

export type Era = '2025-26' | '2025' | '2024' | '2023' | '2023-guestos' | '2022';

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
  /** Container runtime the commit's script drives. */
  runtime: 'podman' | 'docker';
  /** podman through `sudo` (needs `sudo -n true` to pass: the build has no terminal to ask on). */
  sudo: boolean;
  /** The script runs `docker run -it`: it must get a terminal. */
  tty: boolean;
  /** The container filesystem is built in a KVM micro-VM: needs a usable /dev/kvm. */
  kvm: boolean;
  outputs: OutputSpec[];
  /** Side outputs recorded when present (launch measurements of GuestOS and recovery). */
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
  setupos: 'artifacts/icos/setupos/disk-img.tar.zst',
};

const MEASUREMENTS_CURRENT = [
  { os: 'guestos' as const, path: 'artifacts/icos/guestos/update/launch-measurements.json' },
  { os: 'recovery' as const, path: 'artifacts/icos/guestos/update-img-recovery/launch-measurements.json' },
];

function outputsNewestFirst(): OutputSpec[] {
  return (['guestos', 'hostos', 'setupos', 'recovery'] as OsName[]).map((os) => ({
    os,
    paths: [...new Set([CURRENT[os], ...(Y2023_24[os] ? [Y2023_24[os]!] : [])])],
  }));
}

function outputs2023_24(): OutputSpec[] {
  return (['guestos', 'hostos', 'setupos'] as OsName[]).map((os) => ({ os, paths: [Y2023_24[os]!] }));
}

/** Picks `--icos` when the commit's script knows it, else the older `-i`. */
export function icosFlag(scriptText: string): '--icos' | '-i' {
  return /(^|[\s|(])--icos\b/m.test(scriptText) ? '--icos' : '-i';
}

/** An early-2023 gitlab-ci/container/build-ic.sh builds GuestOS only (no HostOS target in it). */
export function buildsGuestosOnly(scriptText: string): boolean {
  return !/hostos/i.test(scriptText);
}

/** container-run.sh hands /dev/kvm to the container when the build uses a KVM micro-VM. */
export function needsKvm(containerRunText: string | null): boolean {
  return containerRunText !== null && /\/dev\/kvm/.test(containerRunText);
}

/** Detects the layout from the paths present at the commit and the scripts' text. */
export function detectLayout(present: ReadonlySet<string>, scriptText: string | null, containerRunText: string | null = null): BuildLayout | LayoutError {
  const checker = CHECKER_PATHS.find((p) => present.has(p)) ?? null;
  const kvm = needsKvm(containerRunText);
  if (present.has('ci/container/build-ic.sh')) {
    const flag = icosFlag(scriptText ?? '');
    const era: Era =
      checker === 'ci/scripts/repro-check'
        ? '2025-26'
        : checker === 'ci/tools/repro-check' || checker === 'ci/tools/repro-check.py'
          ? '2025'
          : checker === 'ci/tools/repro-check.sh'
            ? '2024'
            : flag === '--icos'
              ? '2025'
              : '2024';
    return {
      era,
      script: 'ci/container/build-ic.sh',
      args: [flag],
      checker,
      runtime: 'podman',
      sudo: true,
      tty: false,
      // (inferred) 2025-26 commits build the container filesystem in a KVM micro-VM; any commit
      // whose container-run.sh hands /dev/kvm to the container needs it too.
      kvm: kvm || era === '2025-26',
      // A 2024 commit writes only its own era's paths; later ones the current paths.
      outputs: era === '2024' ? outputs2023_24() : outputsNewestFirst(),
      extras:
        era === '2024'
          ? [{ os: 'guestos', path: 'artifacts/icos/guestos/launch-measurements.json' }]
          : [...MEASUREMENTS_CURRENT, { os: 'guestos', path: 'artifacts/icos/guestos/launch-measurements.json' }],
    };
  }
  if (present.has('gitlab-ci/container/build-ic.sh')) {
    const guestOnly = buildsGuestosOnly(scriptText ?? '');
    return {
      era: guestOnly ? '2023-guestos' : '2023',
      script: 'gitlab-ci/container/build-ic.sh',
      args: ['-i'],
      checker,
      runtime: 'podman',
      sudo: true,
      tty: false,
      kvm,
      outputs: guestOnly
        ? [{ os: 'guestos', paths: ['artifacts/icos/update-img.tar.zst', 'artifacts/icos/update-img.tar.gz'] }]
        : outputs2023_24(),
      extras: [],
    };
  }
  if (present.has('gitlab-ci/tools/docker-build-ic')) {
    return {
      era: '2022',
      script: 'gitlab-ci/tools/docker-build-ic',
      // The script's default argument (`-a=b,c,i`) builds binaries, canisters and images.
      args: [],
      checker,
      runtime: 'docker',
      sudo: false,
      tty: true,
      kvm: false,
      outputs: [{ os: 'guestos', paths: ['artifacts/docker-build-ic/icos/update-img.tar.gz'] }],
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
