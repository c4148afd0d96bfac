/**
 * A small synthetic IC-OS "build" for the demo and the end-to-end tests: deterministic artifact
 * bytes per OS, their manifests, and an environment record. `diverge` gives one OS different
 * bytes in one component and a different temp filesystem, as a misconfigured machine would.
 */
import { createHash } from 'node:crypto';

import { manifestRoot } from '../../protocol/manifest.js';
import type { Environment, ManifestEntry, OsName } from '../../protocol/types.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

export const SYNTHETIC_COMMIT = sha('icos-attest synthetic commit').slice(0, 40);

const ARTIFACT: Record<OsName, string> = {
  guestos: 'guestos/update-img.tar.zst',
  hostos: 'hostos/update-img.tar.zst',
  setupos: 'setupos/disk-img.tar.zst',
  recovery: 'recovery/update-img.tar.zst'
};

function components(os: OsName, diverge: boolean): ManifestEntry[] {
  const names = ['boot.img', 'root.img', 'var.img', 'version.txt'];
  return names.map((name) => ({
    path: name,
    kind: 'file' as const,
    size: 4096 * (name.length + 1),
    sha256: sha(`${os}/${name}${diverge && name === 'root.img' ? '/tmpfs-holes' : ''}`),
    detail: '0644'
  }));
}

/** The hash the synthetic proposal elects (= what an honest build gives). */
export function syntheticHash(os: OsName): string {
  return sha(JSON.stringify(components(os, false)));
}

export function syntheticEnvironment(diverge: boolean, commit = SYNTHETIC_COMMIT): Environment {
  return {
    os: { name: 'Ubuntu', version: '24.04' },
    kernel: '6.8.0-45-generic',
    wsl: diverge,
    arch: 'x86_64',
    cpus: 16,
    memoryBytes: 64 * 1024 ** 3,
    diskFreeBytes: 500 * 1024 ** 3,
    podman: 'podman version 4.9.3',
    docker: null,
    rootful: true,
    tempDirs: [{ path: '/var/sysimage', fsType: diverge ? 'ext4' : 'tmpfs', blockSize: 4096, tmpfs: !diverge }],
    git: { commit, clean: true },
    script: { path: 'ci/container/build-ic.sh', sha256: sha('build-ic.sh') },
    commandLine: ['./ci/container/build-ic.sh', '--icos'],
    release: true
  };
}

/** A result file (the generic shape `attest` reads) for one reviewer. */
export function syntheticResult(opts: { proposal: string; oses: OsName[]; divergeOs?: OsName | null; commit?: string; cdnMirrors?: string[] }): Record<string, unknown> {
  const commit = opts.commit ?? SYNTHETIC_COMMIT;
  const mirrors = opts.cdnMirrors ?? ['download.dfinity.systems', 'download.dfinity.network'];
  const diverges = (os: OsName) => opts.divergeOs === os;
  return {
    proposal: opts.proposal,
    commit,
    environment: syntheticEnvironment(opts.oses.some(diverges), commit),
    startedAt: '2026-11-25T10:00:00Z',
    finishedAt: '2026-11-25T11:12:00Z',
    oses: opts.oses.map((os) => {
      const entries = components(os, diverges(os));
      const local = sha(JSON.stringify(entries));
      return {
        os,
        artifacts: [
          {
            name: ARTIFACT[os],
            sha256: local,
            size: entries.reduce((n, e) => n + e.size, 0),
            proposalSha256: os === 'setupos' ? null : syntheticHash(os),
            cdn: mirrors.map((mirror) => ({ mirror, sha256: syntheticHash(os) })),
            manifestRoot: manifestRoot(entries),
            manifest: entries
          }
        ]
      };
    })
  };
}
