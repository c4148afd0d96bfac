/**
 * The canister's two reads from NNS governance, as inter-canister calls: `get_proposal_info`
 * and `list_proposals` (both queries on governance, called as updates, i.e. replicated). Raw
 * bytes in and out, decoded with protocol/nns's real Candid types, so every failure (reject,
 * undecodable reply, bad payload) becomes a typed value instead of a trap.
 */
import { call } from 'azle';
import { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';
import { callFailure, type Fetched, type GovernanceFailure } from './failures.js';
import { ListProposalInfo, ListProposalInfoResponse, ProposalInfo, type ListProposalInfoResponseValue, type ListProposalInfoValue, type ProposalInfoValue } from '../../protocol/nns/governance_idl.js';

async function callRaw(governance: Principal, method: string, arg: Uint8Array): Promise<Fetched<Uint8Array>> {
  try {
    const reply = await call<Uint8Array, Uint8Array>(governance, method, { raw: true, args: arg });
    return { ok: true, value: reply };
  } catch (e) {
    return { ok: false, error: callFailure(governance, method, e) };
  }
}

function decodeFailure(governance: Principal, method: string, e: unknown): GovernanceFailure {
  const why = e instanceof Error ? e.message : String(e);
  return { kind: 'bad-response', message: `${method} on ${governance.toText()} replied with something that is not governance's Candid type: ${why.slice(0, 300)}` };
}

/** `get_proposal_info(id)`: the proposal, or not-found when governance has none (never existed, or deleted). */
export async function fetchProposalInfo(governance: Principal, id: bigint): Promise<Fetched<ProposalInfoValue>> {
  const r = await callRaw(governance, 'get_proposal_info', new Uint8Array(IDL.encode([IDL.Nat64], [id])));
  if (!r.ok) return r;
  let value: [] | [ProposalInfoValue];
  try {
    [value] = IDL.decode([IDL.Opt(ProposalInfo)], r.value) as unknown as [[] | [ProposalInfoValue]];
  } catch (e) {
    return { ok: false, error: decodeFailure(governance, 'get_proposal_info', e) };
  }
  if (value.length === 0) return { ok: false, error: { kind: 'not-found', message: `governance ${governance.toText()} has no proposal ${id} (it never existed, or governance deleted it)` } };
  return { ok: true, value: value[0] };
}

/** One `list_proposals` page. */
export async function fetchProposalPage(governance: Principal, request: ListProposalInfoValue): Promise<Fetched<ListProposalInfoResponseValue>> {
  const r = await callRaw(governance, 'list_proposals', new Uint8Array(IDL.encode([ListProposalInfo], [request])));
  if (!r.ok) return r;
  try {
    const [value] = IDL.decode([ListProposalInfoResponse], r.value) as unknown as [ListProposalInfoResponseValue];
    return { ok: true, value };
  } catch (e) {
    return { ok: false, error: decodeFailure(governance, 'list_proposals', e) };
  }
}
