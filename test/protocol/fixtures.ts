/** Shared test material for the protocol tests: valid statements and OpenSSL-made keys. */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  computeOutcome,
  PREDICATE_TYPE,
  STATEMENT_TYPE,
  type ArtifactResult,
  type KeyType,
  type OsName,
  type Statement
} from '../../protocol/index.js';
import { sampleEnvironment } from '../fixtures/environment.js';

export const H = (c: string) => c.repeat(64).slice(0, 64);
export const COMMIT = 'a'.repeat(40);

export function artifact(name: string, sha256: string, proposalSha256: string | null, cdn: string[]): ArtifactResult {
  const a: ArtifactResult = {
    name,
    sha256,
    size: 420_000_000,
    proposalSha256,
    cdn: cdn.map((h, i) => ({ mirror: i === 0 ? 'download.dfinity.systems' : 'download.dfinity.network', sha256: h })),
    outcome: 'not-compared',
    manifestRoot: null,
    manifest: null
  };
  a.outcome = computeOutcome(a);
  return a;
}

export function statement(opts: { proposal?: string; os?: OsName; artifacts?: ArtifactResult[]; supersedes?: string } = {}): Statement {
  const os = opts.os ?? 'guestos';
  const artifacts = opts.artifacts ?? [artifact(`${os === 'setupos' ? 'setupos/disk-img' : `${os}/update-img`}.tar.zst`, H('1'), os === 'setupos' ? null : H('1'), [H('1'), H('1')])];
  const s: Statement = {
    _type: STATEMENT_TYPE,
    subject: artifacts.map((a) => ({ name: a.name, digest: { sha256: a.sha256 } })),
    predicateType: PREDICATE_TYPE,
    predicate: {
      proposal: opts.proposal ?? '134567',
      commit: COMMIT,
      os,
      artifacts,
      environment: sampleEnvironment(COMMIT, { script: { path: 'ci/container/build-ic.sh', sha256: H('b') } }),
      tool: { name: 'icos-attest', version: '0.1.0' },
      startedAt: '2026-03-01T10:00:00Z',
      finishedAt: '2026-03-01T11:12:13.5Z'
    }
  };
  if (opts.supersedes !== undefined) s.predicate.supersedes = opts.supersedes;
  return s;
}

export interface OpensslKey {
  type: KeyType;
  pem: string;
  /** Ed25519 seed or secp256k1 scalar, 32 bytes. */
  secret: Uint8Array;
  privateKey: KeyObject;
  /** DER SubjectPublicKeyInfo as OpenSSL/node exports it. */
  spki: Uint8Array;
}

/** Generates a key with the openssl binary, as a dfx identity.pem would hold it. */
export function opensslKey(type: KeyType): OpensslKey {
  const dir = mkdtempSync(join(tmpdir(), 'icos-attest-key-'));
  try {
    const file = join(dir, 'identity.pem');
    if (type === 'ed25519') execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', file]);
    else execFileSync('openssl', ['ecparam', '-name', 'secp256k1', '-genkey', '-noout', '-out', file]);
    const pem = readFileSync(file, 'utf8');
    const privateKey = createPrivateKey(pem);
    const d = privateKey.export({ format: 'jwk' }).d;
    if (typeof d !== 'string') throw new Error('no private scalar in JWK');
    const secret = new Uint8Array(Buffer.from(d, 'base64url'));
    const spki = new Uint8Array(createPublicKey(privateKey).export({ format: 'der', type: 'spki' }));
    return { type, pem, secret, privateKey, spki };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const utf8 = (s: string) => new TextEncoder().encode(s);
export const fromHex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));
