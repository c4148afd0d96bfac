/**
 * Governance stand-in: a LOCAL FIXTURE that plays the NNS governance canister for tests and the
 * `npm start` demo. It is never deployed to mainnet (or any shared network): on the IC the
 * attestations canister and the attestor read the real governance, rrkah-fqaaa-aaaaa-aaaaq-cai.
 *
 * Its `get_proposal_info` and `list_proposals` have the real Candid signatures and types
 * (protocol/nns/governance_idl.ts), so a reply from here is bytes a client of the real governance
 * decodes the same way. The seeding methods below are ours; the real governance has none.
 * Only controllers may seed. State is heap-only (a fixture; an upgrade starts it empty).
 *
 * Imports go through the symlinks replica/governance/nns -> protocol/nns and node_modules: the
 * build runs azle with AZLE_DFX_ROOT=/proc/self/cwd, which resolves paths lexically, so a path
 * may not climb out of this folder.
 */
import { IDL, isController, msgCaller, query, update } from 'azle';

import { electionAction, makeProposalInfo, type ElectionShape } from '../nns/build.js';
import { PROPOSAL_STATUS } from '../nns/functions.js';
import {
  ListProposalInfo,
  ListProposalInfoResponse,
  ProposalInfo,
  type ListProposalInfoResponseValue,
  type ListProposalInfoValue,
  type ProposalInfoValue
} from '../nns/governance_idl.js';
import { ELECTION_TOPIC } from '../nns/build.js';
import { ElectionSeed, SeedResult, type ElectionSeedValue, type SeedResultValue } from './interface.js';

/** Real governance never pages more than this. */
const MAX_LIMIT = 100;

function seedShape(seed: ElectionSeedValue): ElectionShape | string {
  const fn = Object.keys(seed.function)[0] as ElectionShape['function'];
  const commit = seed.commit.length === 1 ? seed.commit[0] : null;
  const sha256 = seed.sha256.length === 1 ? seed.sha256[0] : null;
  switch (fn) {
    case 'ReviseElectedGuestosVersions':
      return {
        function: fn,
        election: {
          commit,
          sha256,
          urls: seed.urls,
          unelect: seed.unelect,
          measurements: seed.launch_measurements.length === 0 ? undefined : seed.launch_measurements.map((m) => ({ measurement: Uint8Array.from(m) }))
        }
      };
    case 'UpdateElectedReplicaVersions':
      return { function: fn, election: { commit, sha256, urls: seed.urls, unelect: seed.unelect } };
    case 'ReviseElectedHostosVersions':
    case 'UpdateElectedHostosVersions':
      return { function: fn, election: { commit, sha256, urls: seed.urls, unelect: seed.unelect } };
    case 'BlessReplicaVersion':
      if (commit === null || sha256 === null || seed.urls.length !== 1) return 'BlessReplicaVersion needs a commit, a sha256 and exactly one URL';
      return { function: fn, election: { commit, sha256, url: seed.urls[0] } };
  }
}

export default class {
  proposals = new Map<bigint, ProposalInfoValue>();

  @query([IDL.Nat64], IDL.Opt(ProposalInfo))
  get_proposal_info(id: bigint): [] | [ProposalInfoValue] {
    const p = this.proposals.get(id);
    return p === undefined ? [] : [p];
  }

  /** Newest first, before `before_proposal`, without excluded topics, filtered by status. */
  @query([ListProposalInfo], ListProposalInfoResponse)
  list_proposals(req: ListProposalInfoValue): ListProposalInfoResponseValue {
    const before = req.before_proposal.length === 1 ? req.before_proposal[0].id : null;
    const limit = Math.min(MAX_LIMIT, req.limit);
    const ids = [...this.proposals.keys()].filter((id) => before === null || id < before).sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
    const out: ProposalInfoValue[] = [];
    for (const id of ids) {
      if (out.length >= limit) break;
      const p = this.proposals.get(id)!;
      if (req.exclude_topic.includes(p.topic)) continue;
      if (req.include_status.length > 0 && !req.include_status.includes(p.status)) continue;
      if (req.include_reward_status.length > 0 && !req.include_reward_status.includes(p.reward_status)) continue;
      out.push(p);
    }
    return { proposal_info: out };
  }

  /** Stores a whole ProposalInfo (any action, e.g. a Motion); replaces one with the same id. */
  @update([ProposalInfo], SeedResult)
  add_proposal(info: ProposalInfoValue): SeedResultValue {
    const denied = this.denied();
    if (denied !== null) return { Err: denied };
    if (info.id.length !== 1) return { Err: 'a proposal needs an id' };
    this.proposals.set(info.id[0].id, info);
    return { Ok: info.id[0].id };
  }

  /** Stores an IC-OS election built from a seed, with the real Candid-encoded registry payload. */
  @update([ElectionSeed], SeedResult)
  add_election(seed: ElectionSeedValue): SeedResultValue {
    const denied = this.denied();
    if (denied !== null) return { Err: denied };
    const shape = seedShape(seed);
    if (typeof shape === 'string') return { Err: shape };
    const info = makeProposalInfo({
      id: seed.id,
      title: seed.title,
      summary: seed.summary,
      topic: ELECTION_TOPIC,
      action: electionAction(shape),
      proposedAtSeconds: seed.proposed_at_seconds,
      deadlineSeconds: seed.deadline_seconds.length === 1 ? seed.deadline_seconds[0] : null
    });
    this.proposals.set(seed.id, info);
    return { Ok: seed.id };
  }

  /** Sets a proposal's ProposalStatus (1 open, 2 rejected, 3 adopted, 4 executed, 5 failed). */
  @update([IDL.Nat64, IDL.Int32], SeedResult)
  set_status(id: bigint, status: number): SeedResultValue {
    const denied = this.denied();
    if (denied !== null) return { Err: denied };
    const p = this.proposals.get(id);
    if (p === undefined) return { Err: `no proposal ${id}` };
    if (!Object.values(PROPOSAL_STATUS).includes(status as never)) return { Err: `unknown status ${status}` };
    this.proposals.set(id, { ...p, status, reward_status: status === PROPOSAL_STATUS.open ? 1 : 3 });
    return { Ok: id };
  }

  /** Forgets a proposal, as governance does with old ones. */
  @update([IDL.Nat64], SeedResult)
  remove_proposal(id: bigint): SeedResultValue {
    const denied = this.denied();
    if (denied !== null) return { Err: denied };
    if (!this.proposals.delete(id)) return { Err: `no proposal ${id}` };
    return { Ok: id };
  }

  private denied(): string | null {
    const caller = msgCaller();
    return isController(caller) ? null : `only a controller may seed the governance stand-in (caller ${caller.toText()})`;
  }
}
