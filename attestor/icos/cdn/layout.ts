/**
 * Where the CDN publishes each IC-OS artifact:
 * `<mirror>/ic/<commit>/<dir>/<file>`, with SHA256SUMS in the same dir. 2022-era images
 * were `.tar.gz`; the file name is chosen per commit from what is actually published.
 */
import type { OsName } from '../../../protocol/types.js';

export interface CdnLayout {
  os: OsName;
  /** Directory under `/ic/<commit>/`. */
  dir: string;
  /** Artifact file names, newest era first. */
  files: string[];
  /** Extra files checked when present (GuestOS launch measurements). */
  measurements: string | null;
}

export const CDN_LAYOUTS: Record<OsName, CdnLayout> = {
  guestos: {
    os: 'guestos',
    dir: 'guest-os/update-img',
    files: ['update-img.tar.zst', 'update-img.tar.gz'],
    measurements: 'launch-measurements.json',
  },
  hostos: { os: 'hostos', dir: 'host-os/update-img', files: ['update-img.tar.zst', 'update-img.tar.gz'], measurements: null },
  setupos: { os: 'setupos', dir: 'setup-os/disk-img', files: ['disk-img.tar.zst', 'disk-img.tar.gz'], measurements: null },
  recovery: {
    os: 'recovery',
    dir: 'guest-os/update-img-recovery',
    files: ['update-img.tar.zst', 'update-img.tar.gz'],
    // (inferred) published next to the recovery image like GuestOS's; absent is not a finding.
    measurements: 'launch-measurements.json',
  },
};

export const DEFAULT_MIRRORS = ['https://download.dfinity.systems', 'https://download.dfinity.network'];

export function cdnDirUrl(mirror: string, commit: string, os: OsName): string {
  return `${mirror.replace(/\/+$/, '')}/ic/${commit}/${CDN_LAYOUTS[os].dir}/`;
}

export function cdnFileUrl(mirror: string, commit: string, os: OsName, file: string): string {
  return cdnDirUrl(mirror, commit, os) + file;
}

/** Host name of a mirror base URL, as recorded in ArtifactResult.cdn[].mirror. */
export function mirrorName(mirror: string): string {
  try {
    return new URL(mirror).host;
  } catch {
    return mirror;
  }
}

/** Artifact name in statements: `<os>/<file>`, e.g. `guestos/update-img.tar.zst`. */
export function artifactName(os: OsName, file: string): string {
  return `${os}/${file}`;
}

/**
 * Picks the artifact file for an OS at a commit (pure): a file named by the proposal's URLs
 * wins, then the first candidate listed in any mirror's SHA256SUMS, then the newest name.
 */
export function chooseArtifactFile(os: OsName, proposalUrls: string[], sumsNames: string[]): string {
  const files = CDN_LAYOUTS[os].files;
  for (const u of proposalUrls) {
    const base = u.split(/[?#]/)[0]!.split('/').pop() ?? '';
    if (files.includes(base)) return base;
  }
  for (const f of files) if (sumsNames.includes(f)) return f;
  return files[0]!;
}
