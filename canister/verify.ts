/** `verify_envelope`: the protocol's verification, run inside the canister, storing nothing. */
import { verifyEnvelope } from '../protocol/envelope.js';
import { fromCandidEnvelope, type CandidEnvelope, type Opt, type Result, type Verified } from '../protocol/service.js';
import { fromProtocolError, okv } from './store/errors.js';

export function verifyCandidEnvelope(envelope: CandidEnvelope, publicKeyDer: Uint8Array, expectedProposal: Opt<bigint>): Result<Verified> {
  const opts = expectedProposal.length === 1 ? { expectedProposal: expectedProposal[0].toString() } : {};
  const r = verifyEnvelope(fromCandidEnvelope(envelope), Uint8Array.from(publicKeyDer), opts);
  if (!r.ok) return fromProtocolError(r.error);
  const p = r.value.statement.predicate;
  return okv({ signer: r.value.principal, proposal: BigInt(p.proposal), os: p.os, digest: r.value.digest });
}
