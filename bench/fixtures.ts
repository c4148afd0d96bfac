/**
 * Realistic reviewers, statements and envelopes for the benchmarks: real keys, real signatures,
 * a manifest and environment record of the size a real attestation carries (a few KB).
 * Deterministic: the same index always gives the same reviewer and the same bytes.
 */
import { Principal } from '@dfinity/principal';
import { sha256 } from '@noble/hashes/sha2';
import { computeOutcome } from '../protocol/artifacts.js';
import { signEnvelope } from '../protocol/envelope.js';
import { signerFromSecretKey, type KeyType, type Signer } from '../protocol/keys.js';
import { manifestRoot } from '../protocol/manifest.js';
import { toCandidEnvelope, type CandidEnvelope } from '../protocol/service.js';
import { OS_NAMES, PREDICATE_TYPE, STATEMENT_TYPE, type ManifestEntry, type OsName, type Statement } from '../protocol/types.js';

export { OS_NAMES };

export interface BenchReviewer {
  index: number;
  name: string;
  /** The 32-byte secret key (Ed25519 seed or secp256k1 scalar), for agent identities. */
  secret: Uint8Array;
  signer: Signer;
  principal: Principal;
}

const enc = new TextEncoder();

export function hex(label: string): string {
  return Buffer.from(sha256(enc.encode(label))).toString('hex');
}

/** Reviewer `i`: Ed25519 for most, every fourth secp256k1 (both are dfx identity types). */
export function reviewer(i: number, type: KeyType = i % 4 === 3 ? 'secp256k1' : 'ed25519'): BenchReviewer {
  const secret = sha256(enc.encode(`icos-attest bench reviewer ${i} ${type}`));
  const signer = signerFromSecretKey(type, secret);
  return { index: i, name: `bench-reviewer-${i}`, secret, signer, principal: Principal.fromText(signer.principal) };
}

export function profile(r: BenchReviewer): { name: string; public_key: Uint8Array; contact: [] | [string] } {
  return { name: r.name, public_key: r.signer.publicKeyDer, contact: [`https://forum.dfinity.org/u/${r.name}`] };
}

export const ARTIFACT: Record<OsName, string> = {
  guestos: 'guestos/update-img.tar.zst',
  hostos: 'hostos/update-img.tar.zst',
  setupos: 'setupos/disk-img.tar.zst',
  recovery: 'recovery/update-img.tar.zst'
};

/** A manifest shaped like an IC-OS update image: a handful of tar entries, one with partitions. */
export function manifest(os: OsName, variant: string): ManifestEntry[] {
  const h = (p: string) => hex(`${os} ${variant} ${p}`);
  if (os === 'setupos') {
    const parts = ['esp', 'grub', 'config', 'data', 'boot', 'root'].map((p, i) => ({
      path: `p${i + 1} ${p}`,
      kind: 'partition' as const,
      size: (i + 1) * 64 * 2 ** 20,
      sha256: h(p),
      detail: '0fc63daf-8483-4772-8e79-3d69d8477de4'
    }));
    return [{ path: 'disk.img', kind: 'file', size: 2_400_000_000, sha256: h('disk.img'), detail: '0644', children: parts }];
  }
  return ['boot.img', 'root.img', 'var.img', 'grub.cfg', 'VERSION.TXT', 'version-rc.txt', 'extra_boot_args'].map((p, i) => ({
    path: p,
    kind: 'file' as const,
    size: 1000 + i * 150_000_000,
    sha256: h(p),
    detail: '0644'
  }));
}

export interface StatementSpec {
  proposal: bigint;
  os: OsName;
  /** The locally built hash. */
  built: string;
  /** The proposal's hash (null for SetupOS). */
  proposalHash: string | null;
  /** Distinguishes otherwise identical statements. */
  run?: number;
  tmpfs?: boolean;
}

export function statement(s: StatementSpec): Statement {
  const entries = manifest(s.os, s.built);
  const a = {
    name: ARTIFACT[s.os],
    sha256: s.built,
    size: 420_000_000 + (s.run ?? 0),
    proposalSha256: s.proposalHash,
    cdn: [
      { mirror: 'download.dfinity.systems', sha256: s.proposalHash ?? s.built },
      { mirror: 'download.dfinity.network', sha256: s.proposalHash ?? s.built }
    ],
    manifestRoot: manifestRoot(entries),
    manifest: entries
  };
  const artifact = { ...a, outcome: computeOutcome(a) };
  const commit = hex(`commit ${s.proposal}`).slice(0, 40);
  return {
    _type: STATEMENT_TYPE,
    subject: [{ name: artifact.name, digest: { sha256: artifact.sha256 } }],
    predicateType: PREDICATE_TYPE,
    predicate: {
      proposal: s.proposal.toString(),
      commit,
      os: s.os,
      artifacts: [artifact],
      environment: {
        os: { name: 'Ubuntu', version: '24.04' },
        kernel: '6.8.0-49-generic',
        wsl: false,
        arch: 'x86_64',
        cpus: 32,
        memoryBytes: 64 * 2 ** 30,
        diskFreeBytes: 500 * 2 ** 30,
        podman: '4.9.3',
        docker: null,
        rootful: true,
        tempDirs: [
          { path: '/var/sysimage', fsType: s.tmpfs ? 'tmpfs' : 'ext4', blockSize: 4096, tmpfs: s.tmpfs ?? false },
          { path: '/tmp/containers', fsType: 'tmpfs', blockSize: 4096, tmpfs: true }
        ],
        git: { commit, clean: true },
        script: { path: 'ci/container/build-ic.sh', sha256: hex('build-ic.sh') },
        commandLine: ['./ci/container/build-ic.sh', '--icos'],
        release: true
      },
      tool: { name: 'icos-attest', version: '0.1.0' },
      startedAt: '2026-11-25T10:00:00Z',
      finishedAt: `2026-11-25T11:${String((s.run ?? 0) % 60).padStart(2, '0')}:00Z`
    }
  };
}

export function envelope(r: BenchReviewer, s: StatementSpec): CandidEnvelope {
  return toCandidEnvelope(signEnvelope(statement(s), r.signer));
}

/** The hashes a proposal elects, per OS (SetupOS: none). */
export function proposalHashes(proposal: bigint): Record<OsName, string | null> {
  return {
    guestos: hex(`${proposal} guestos`),
    hostos: hex(`${proposal} hostos`),
    setupos: null,
    recovery: hex(`${proposal} recovery`)
  };
}

/**
 * Reviewer `r`'s statement for `proposal` and `os`: most reproduce the elected (or, for
 * SetupOS, the common) hash; every seventh diverges with a tmpfs build, so reports carry
 * two groups and a divergence hint, as real ones do.
 */
export function reviewSpec(proposal: bigint, os: OsName, r: number): StatementSpec {
  const elected = proposalHashes(proposal)[os];
  const good = elected ?? hex(`${proposal} setupos`);
  const diverges = r % 7 === 6;
  return { proposal, os, built: diverges ? hex(`${proposal} ${os} divergent`) : good, proposalHash: elected, run: r, tmpfs: diverges };
}
