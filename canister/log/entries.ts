/**
 * The log's entries: one per accepted state change, as the UTF-8 bytes of the canonical JSON
 * (RFC 8785) of a small event object. protocol/README.md ("Transparency log") documents the
 * shapes so that anyone can recompute every leaf from the envelopes and the public records.
 */
import { sha256 } from '../../protocol/sha256.js';
import { bytesToHex, utf8Encode } from '../../protocol/bytes.js';
import { canonicalJson } from '../../protocol/canonical.js';

export type LogEvent =
  | { kind: 'attestation'; id: bigint; proposal: bigint; os: string; reviewer: string; digest: string; at: bigint }
  | { kind: 'revocation'; id: bigint; proposal: bigint; reviewer: string; reason: string; at: bigint }
  | { kind: 'reviewer'; principal: string; name: string; contact: string | null; publicKey: Uint8Array; at: bigint }
  | { kind: 'endorsement'; principal: string; endorsed: boolean; at: bigint }
  | { kind: 'config'; quorum: number; registrationOpen: boolean; maxEnvelopeBytes: number; maxSubmissionsPerProposal: number; at: bigint }
  | { kind: 'election'; proposal: bigint; record: unknown; at: bigint };

/** The JSON object of an event (nat64 as decimal strings, bytes as lowercase hex). */
export function eventJson(e: LogEvent): Record<string, unknown> {
  const base = { v: 1, kind: e.kind, at: e.at.toString() };
  switch (e.kind) {
    case 'attestation':
      return { ...base, id: e.id.toString(), proposal: e.proposal.toString(), os: e.os, reviewer: e.reviewer, digest: e.digest };
    case 'revocation':
      return { ...base, id: e.id.toString(), proposal: e.proposal.toString(), reviewer: e.reviewer, reason_sha256: bytesToHex(sha256(utf8Encode(e.reason) ?? new Uint8Array(0))) };
    case 'reviewer':
      return { ...base, principal: e.principal, name: e.name, contact: e.contact, public_key: bytesToHex(e.publicKey) };
    case 'endorsement':
      return { ...base, principal: e.principal, endorsed: e.endorsed };
    case 'config':
      return { ...base, quorum: e.quorum, registration_open: e.registrationOpen, max_envelope_bytes: e.maxEnvelopeBytes, max_submissions_per_proposal: e.maxSubmissionsPerProposal };
    case 'election':
      return { ...base, proposal: e.proposal.toString(), record_sha256: bytesToHex(sha256(utf8Encode(canonicalJson(e.record)) ?? new Uint8Array(0))) };
  }
}

export function encodeEvent(e: LogEvent): Uint8Array {
  return utf8Encode(canonicalJson(eventJson(e))) ?? new Uint8Array(0);
}
