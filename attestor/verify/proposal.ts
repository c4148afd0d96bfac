/**
 * `verify --proposal P`, the fetching half: every answer the verdict depends on, gathered into one
 * Evidence document (evidence.ts decides, offline). Nothing fetched here is trusted: the certified
 * report pins the rest.
 */
import { Principal } from '@dfinity/principal';

import { bytesToHex } from '../../protocol/bytes.js';
import type { ProposalConsensus } from '../../protocol/index.js';
import type { CertifiedReport } from '../../protocol/certified-idl.js';
import type { Attestation, AttestationPage, Opt, ProposalReport, Reviewer } from '../../protocol/service.js';
import { fromCandidEnvelope } from '../../protocol/service.js';
import type { AttestationsClient } from '../client/client.js';
import { reportToJson } from '../client/report.js';
import { fetchProposalFromGovernance } from '../icos/proposal/governance.js';
import { proposalEndpoints } from '../icos/proposal/endpoints.js';
import { logHead, proposalState, verifyCertified } from './certified.js';
import { certifiedReportView } from './report-json.js';
import type { ReportJson } from '../client/report.js';
import type { VerifiedHead } from '../audit/tree-head.js';
import { checkReportText, compareReportJson, EVIDENCE_FORMAT, verifyEvidence, type ElectedEvidence, type Evidence, type ProposalVerification } from './evidence.js';
import { fromAgentTrustFailure, isAgentTrustFailure, TrustError } from './trust-error.js';
import { transportFailureSince, transportMark } from '../network/agent.js';
import type { Agent } from '@dfinity/agent';

export type { CheckedAttestation, ProposalVerification } from './evidence.js';

const PAGE = 100;
const EVENTS_PAGE = 500;

export async function fetchAttestations(client: AttestationsClient, proposal: bigint): Promise<Attestation[]> {
  const out: Attestation[] = [];
  let cursor: Opt<bigint> = [];
  for (;;) {
    const page: AttestationPage = await client.call<AttestationPage>('list_attestations', { proposal: [proposal], os: [], reviewer: [], include_revoked: true }, cursor, PAGE);
    out.push(...page.attestations);
    if (page.next_cursor.length === 0 || page.attestations.length === 0) break;
    cursor = page.next_cursor;
  }
  return out;
}

/** certified_report with every page of events; the first page's certificate covers them all (same count and chain). */
export async function fetchCertifiedReport(client: AttestationsClient, proposal: bigint): Promise<Evidence['certified']> {
  const first = await client.call<CertifiedReport>('certified_report', proposal, 0n, EVENTS_PAGE);
  const events = [...first.events];
  while (BigInt(events.length) < first.event_count) {
    const page = await client.call<CertifiedReport>('certified_report', proposal, BigInt(events.length), EVENTS_PAGE);
    if (page.events.length === 0) break; // the count check in verifyEvidence names the shortfall
    events.push(...page.events);
  }
  return {
    certificate: bytesToHex(new Uint8Array(first.certificate)),
    witness: bytesToHex(new Uint8Array(first.witness)),
    reportJson: first.report_json[0] ?? null,
    eventCount: first.event_count.toString(),
    events: events.map((e) => ({ leafIndex: e.leaf_index.toString(), entry: new TextDecoder().decode(new Uint8Array(e.entry)) }))
  };
}

export async function fetchEvidence(client: AttestationsClient, proposalText: string, elected: () => Promise<ElectedEvidence>): Promise<Evidence> {
  const proposal = BigInt(proposalText);
  const certified = await fetchCertifiedReport(client, proposal);
  const listed = await fetchAttestations(client, proposal);
  const reviewers: Evidence['reviewers'] = [];
  for (const principal of new Set(listed.map((a) => a.reviewer.toText()))) {
    const r = await client.call<Opt<Reviewer>>('get_reviewer', Principal.fromText(principal));
    const reviewer = r[0];
    if (reviewer) reviewers.push({ principal, publicKey: bytesToHex(new Uint8Array(reviewer.public_key)) });
  }
  return {
    format: EVIDENCE_FORMAT,
    proposal: proposalText,
    canister: client.canisterId,
    network: client.url,
    fetchedAt: new Date().toISOString(),
    certified,
    attestations: listed.map((a) => ({
      id: a.id.toString(),
      reviewer: a.reviewer.toText(),
      os: a.os,
      revoked: a.revoked.length > 0,
      submittedAtNs: a.submitted_at_ns.toString(),
      envelope: fromCandidEnvelope(a.envelope)
    })),
    reviewers,
    elected: await elected()
  };
}

/** Parses a saved Evidence file's JSON (shape only; verifyEvidence checks the content). */
export function parseEvidence(value: unknown): Evidence {
  const e = value as Partial<Evidence> | null;
  if (!e || e.format !== EVIDENCE_FORMAT || typeof e.proposal !== 'string' || typeof e.canister !== 'string' || !e.certified || !Array.isArray(e.attestations) || !Array.isArray(e.reviewers) || !e.elected) {
    throw new TrustError('certificate', `not an ${EVIDENCE_FORMAT} document`);
  }
  return e as Evidence;
}

/** The recomputed consensus against a Candid proposal_report (kept for callers holding one). */
export function compareReport(ours: ProposalConsensus, theirs: ProposalReport | null): string[] {
  return compareReportJson(ours, theirs ? reportToJson(theirs) : null);
}

/**
 * The elected hash, read by this tool from NNS governance with a certified (replicated) call.
 * Unreachable governance is recorded, not fatal: the verdict then has no governance hash, and a
 * report that names one fails (verifyEvidence).
 */
export async function electedFromGovernance(agent: Agent, network: string, proposal: string, governanceId = proposalEndpoints().governanceId): Promise<ElectedEvidence> {
  const mark = transportMark(agent);
  try {
    const p = await fetchProposalFromGovernance(agent, proposal, { governanceId, certified: true, allowNotIcos: true });
    return { source: 'governance', governanceId, network, elects: p.elects, sha256: p.sha256, commit: p.commit };
  } catch (err) {
    // a trust error over a failed transport is an outage (network/agent.ts), not a bad certificate
    if (isAgentTrustFailure(err) && !transportFailureSince(agent, mark)) throw fromAgentTrustFailure(err, network);
    const e = err as { name?: string; kind?: string; message?: string };
    if (e.name === 'ProposalError' && e.kind === 'not-found') return { source: 'governance', governanceId, network, elects: 'unknown-proposal', sha256: null, commit: null };
    return { source: 'unavailable', reason: String(e.message ?? err).split('\n')[0] };
  }
}

/** Fetch and verify in one go (the demo, and `verify --proposal` without --evidence). */
export async function verifyProposal(
  client: AttestationsClient,
  proposalText: string,
  opts: { elected?: () => Promise<ElectedEvidence>; maxAgeMinutes?: number | null } = {}
): Promise<ProposalVerification> {
  const rootKey = client.agent.rootKey;
  if (!rootKey) throw new TrustError('root-key', 'no root key to verify the certified report with');
  const evidence = await fetchEvidence(client, proposalText, opts.elected ?? (() => electedFromGovernance(client.agent, client.url, proposalText)));
  return verifyEvidence(evidence, { rootKey: new Uint8Array(rootKey), maxAgeMinutes: opts.maxAgeMinutes ?? 5 });
}

/** `report`: the certified report (checked against the root key before anything is printed) and the log head it came with. */
export async function fetchVerifiedReport(client: AttestationsClient, proposalText: string): Promise<{ report: ReportJson | null; head: VerifiedHead }> {
  const rootKey = client.agent.rootKey;
  if (!rootKey) throw new TrustError('root-key', 'no root key to verify the certified report with');
  const c = await client.call<CertifiedReport>('certified_report', BigInt(proposalText), 0n, 1);
  const state = await verifyCertified({ certificate: new Uint8Array(c.certificate), witness: new Uint8Array(c.witness) }, { rootKey: new Uint8Array(rootKey), canisterId: client.canisterId, maxAgeMinutes: 5 });
  const text = c.report_json[0] ?? null;
  checkReportText(proposalText, text, proposalState(state.tree, BigInt(proposalText)));
  const head = logHead(state.tree);
  return { report: text === null ? null : certifiedReportView(text), head: { ...head, timeNs: state.timeNs } };
}
