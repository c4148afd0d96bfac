/** `attest`: result file → one signed DSSE envelope per OS, on disk before anything is sent. */
import { dirname } from 'node:path';

import { signEnvelope, validateStatement, type Signer } from '../../protocol/index.js';
import type { Envelope, OsName, Outcome } from '../../protocol/types.js';
import { inputError } from '../cli/errors.js';
import { defaultEnvelopePath, envelopePath, writeEnvelope, type WriteOutcome } from './files.js';
import { normalizeResult, statementFor } from './statements.js';

export interface AttestOptions {
  /** Output file (`-o`); several OSes get `.<os>` inserted before the extension. */
  out?: string;
  /** Directory for default file names (default: the result file's directory). */
  resultPath: string;
  /** Only these OSes (default: every OS in the result). */
  oses?: OsName[];
  /** Id of this reviewer's earlier attestation that the new one replaces (single OS only). */
  supersedes?: string;
}

/** JSON shape of one written envelope (also used by run and demo). */
export interface AttestedFile {
  os: OsName;
  path: string;
  written: WriteOutcome;
  principal: string;
  proposal: string;
  commit: string;
  artifacts: { name: string; sha256: string; outcome: Outcome }[];
}

export function attestResult(raw: unknown, signer: Signer, opts: AttestOptions): { files: AttestedFile[]; envelopes: Envelope[] } {
  const input = normalizeResult(raw);
  const oses = opts.oses ? input.oses.filter((o) => opts.oses!.includes(o.os)) : input.oses;
  if (oses.length === 0) throw inputError(`the result holds none of the requested OSes (${(opts.oses ?? []).join(', ')})`);
  if (opts.supersedes && oses.length > 1) throw inputError('--supersedes applies to one OS: add --os <os>');
  // Sign every statement first: a bad statement leaves no file behind.
  const signed = oses.map((os) => {
    const statement = statementFor(input, os, opts.supersedes);
    const valid = validateStatement(statement);
    if (!valid.ok) throw inputError(`the result does not make a valid attestation: ${valid.error.message}`);
    return { os, envelope: signEnvelope(statement, signer) };
  });
  const files: AttestedFile[] = signed.map(({ os, envelope }) => {
    const path = opts.out
      ? envelopePath(opts.out, os.os, signed.length > 1)
      : defaultEnvelopePath(dirname(opts.resultPath), input.proposal, os.os, signer.principal);
    const written = writeEnvelope(path, envelope);
    return {
      os: os.os,
      path,
      written,
      principal: signer.principal,
      proposal: input.proposal,
      commit: input.commit,
      artifacts: os.artifacts.map((a) => ({ name: a.name, sha256: a.sha256, outcome: a.outcome }))
    };
  });
  return { files, envelopes: signed.map((s) => s.envelope) };
}
