/** `verify <envelope>`: offline check of one envelope file against a public key. */
import { verifyEnvelope } from '../../protocol/index.js';
import type { OsName, Outcome } from '../../protocol/types.js';
import { readEnvelopeFile } from '../attest/files.js';

/** JSON shape of `verify <envelope>`. */
export interface EnvelopeVerification {
  path: string;
  valid: boolean;
  /** Set when valid. */
  principal?: string;
  proposal?: string;
  os?: OsName;
  commit?: string;
  digest?: string;
  artifacts?: { name: string; sha256: string; outcome: Outcome }[];
  /** Set when invalid: the protocol error kind, field and message. */
  error?: { kind: string; field?: string; message: string };
}

export function verifyEnvelopeFile(path: string, publicKeyDer: Uint8Array, expectedProposal?: string): EnvelopeVerification {
  const env = readEnvelopeFile(path);
  const r = verifyEnvelope(env, publicKeyDer, { expectedProposal });
  if (!r.ok) return { path, valid: false, error: { kind: r.error.kind, ...(r.error.field ? { field: r.error.field } : {}), message: r.error.message } };
  const p = r.value.statement.predicate;
  return {
    path,
    valid: true,
    principal: r.value.principal,
    proposal: p.proposal,
    os: p.os,
    commit: p.commit,
    digest: r.value.digest,
    artifacts: p.artifacts.map((a) => ({ name: a.name, sha256: a.sha256, outcome: a.outcome }))
  };
}

/** The keyid of the first signature, unverified: only used to look the key up. */
export function envelopeKeyId(path: string): string | null {
  const env = readEnvelopeFile(path) as { signatures?: { keyid?: unknown }[] };
  const keyid = env?.signatures?.[0]?.keyid;
  return typeof keyid === 'string' ? keyid : null;
}
