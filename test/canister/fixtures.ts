/** Reviewers, statements and envelopes for the canister tests: real keys, real signatures. */
import { Principal } from '@dfinity/principal';
import { sha256 } from '@noble/hashes/sha2';
import { computeOutcome } from '../../protocol/artifacts.js';
import { signEnvelope } from '../../protocol/envelope.js';
import { signerFromSecretKey, type KeyType, type Signer } from '../../protocol/keys.js';
import { toCandidEnvelope, type CandidEnvelope } from '../../protocol/service.js';
import { PREDICATE_TYPE, STATEMENT_TYPE, type OsName, type Statement } from '../../protocol/types.js';
import { sampleEnvironment } from '../fixtures/environment.js';

export interface TestReviewer {
  name: string;
  signer: Signer;
  principal: Principal;
}

export function reviewer(name: string, type: KeyType): TestReviewer {
  const signer = signerFromSecretKey(type, sha256(new TextEncoder().encode(`icos-attest test reviewer ${name} ${type}`)));
  return { name, signer, principal: Principal.fromText(signer.principal) };
}

export function hash(label: string): string {
  return Buffer.from(sha256(new TextEncoder().encode(label))).toString('hex');
}

export const ARTIFACT: Record<OsName, string> = {
  guestos: 'guestos/update-img.tar.zst',
  hostos: 'hostos/update-img.tar.zst',
  setupos: 'setupos/disk-img.tar.zst',
  recovery: 'recovery/update-img.tar.zst'
};

export interface StatementSpec {
  proposal: bigint | string;
  os: OsName;
  /** The locally built hash. */
  built: string;
  /** The proposal's hash (null for SetupOS). */
  proposalHash: string | null;
  /** CDN hash seen (one mirror), or null for none. */
  cdn?: string | null;
  supersedes?: bigint;
  /** Distinguishes otherwise identical statements (e.g. a rebuild). */
  run?: number;
  /** Whether the build's temp dir was a tmpfs (a known cause of divergence). */
  tmpfs?: boolean;
  /** Top-level manifest entries as [path, sha256]. */
  manifest?: [string, string][];
}

export function statement(s: StatementSpec): Statement {
  const cdn = s.cdn === undefined ? s.proposalHash ?? s.built : s.cdn;
  const a = {
    name: ARTIFACT[s.os],
    sha256: s.built,
    size: 1000 + (s.run ?? 0),
    proposalSha256: s.proposalHash,
    cdn: cdn === null ? [] : [{ mirror: 'download.dfinity.systems', sha256: cdn }],
    manifestRoot: null,
    manifest: s.manifest === undefined ? null : s.manifest.map(([path, sha256]) => ({ path, kind: 'file' as const, size: 4096, sha256 }))
  };
  const artifact = { ...a, outcome: computeOutcome(a) };
  const st: Statement = {
    _type: STATEMENT_TYPE,
    subject: [{ name: artifact.name, digest: { sha256: artifact.sha256 } }],
    predicateType: PREDICATE_TYPE,
    predicate: {
      proposal: s.proposal.toString(),
      commit: 'a'.repeat(40),
      os: s.os,
      artifacts: [artifact],
      environment: sampleEnvironment('a'.repeat(40), {
        kernel: '6.8.0',
        tempDirs: [{ path: '/var/sysimage', fsType: s.tmpfs ? 'tmpfs' : 'ext4', blockSize: 4096, tmpfs: s.tmpfs ?? false }],
        script: { path: 'ci/container/build-ic.sh', sha256: hash('script') }
      }),
      tool: { name: 'icos-attest', version: '0.1.0' },
      startedAt: '2026-11-25T10:00:00Z',
      finishedAt: `2026-11-25T11:${String(s.run ?? 0).padStart(2, '0')}:00Z`
    }
  };
  if (s.supersedes !== undefined) st.predicate.supersedes = s.supersedes.toString();
  return st;
}

export function envelope(r: TestReviewer, s: StatementSpec): CandidEnvelope {
  return toCandidEnvelope(signEnvelope(statement(s), r.signer));
}

export function profile(r: TestReviewer, name = r.name): { name: string; public_key: Uint8Array; contact: [] | [string] } {
  return { name, public_key: r.signer.publicKeyDer, contact: [] };
}
