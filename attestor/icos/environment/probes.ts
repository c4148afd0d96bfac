/** Pure parsers for the environment probes (kept apart so tests can feed them fixed text). */

/** `/etc/os-release` → name + version ("Ubuntu", "22.04"); 'unknown' when absent. */
export function parseOsRelease(text: string | null): { name: string; version: string } {
  const kv = new Map<string, string>();
  for (const line of (text ?? '').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) kv.set(m[1]!, m[2]!.replace(/^["']|["']$/g, ''));
  }
  return {
    name: kv.get('NAME') ?? kv.get('ID') ?? 'unknown',
    version: kv.get('VERSION_ID') ?? kv.get('VERSION') ?? kv.get('BUILD_ID') ?? 'unknown',
  };
}

/** WSL from /proc/version ("…microsoft-standard-WSL2…") or the variables WSL sets. */
export function detectWsl(procVersion: string | null, env: Record<string, string | undefined>): boolean {
  if (env.WSL_DISTRO_NAME || env.WSL_INTEROP) return true;
  return /microsoft|wsl/i.test(procVersion ?? '');
}

/** Node's arch names → the uname -m names reviewers know. */
export function unameArch(nodeArch: string): string {
  return ({ x64: 'x86_64', arm64: 'aarch64', ia32: 'i686' } as Record<string, string>)[nodeArch] ?? nodeArch;
}

/** "podman version 4.9.3" / "Docker version 24.0.5, build ced0996" → "4.9.3" / "24.0.5". */
export function parseToolVersion(out: string): string | null {
  const m = /version\s+v?([0-9][^\s,]*)/i.exec(out);
  if (m) return m[1]!;
  const t = out.trim().split('\n')[0]?.trim();
  return t ? t : null;
}

/** `stat -f -c '%T %S'` output → filesystem type name + fundamental block size. */
export function parseStatF(out: string): { fsType: string; blockSize: number } | null {
  const m = /^(\S+)\s+(\d+)\s*$/.exec(out.trim());
  return m ? { fsType: m[1]!, blockSize: Number(m[2]) } : null;
}

/** statfs(2) f_type magic numbers → the names `stat -f` prints (fallback when stat is absent). */
const FS_MAGIC: Record<number, string> = {
  0x01021994: 'tmpfs',
  0x858458f6: 'ramfs',
  0xef53: 'ext2/ext3',
  0x58465342: 'xfs',
  0x9123683e: 'btrfs',
  0x794c7630: 'overlayfs',
  0x01021997: 'v9fs',
  0x2fc12fc1: 'zfs',
  0x6969: 'nfs',
  0x65735546: 'fuseblk',
  0x5346544e: 'ntfs',
  0x4d44: 'msdos',
  0xf2f52010: 'f2fs',
};
export function fsTypeName(magic: number): string {
  return FS_MAGIC[magic] ?? `0x${magic.toString(16)}`;
}

export function isTmpfs(fsType: string): boolean {
  return fsType === 'tmpfs' || fsType === 'ramfs';
}
