/**
 * The `attestations` canister. Every method is a thin shell: decode, call one core function
 * (store/, report/, http/), encode. Updates decode their own arguments so that oversized or
 * malformed input is answered with an `Err` value instead of a trap.
 */
import {
  IDL,
  dataCertificate,
  init,
  inspectMessage,
  isController,
  msgArgData,
  msgCaller,
  msgMethodName,
  msgReply,
  postUpgrade,
  query,
  setTimer,
  time,
  update
} from 'azle';
import type { Principal } from '@dfinity/principal';
import { warmUpSignatures } from '../protocol/keys.js';
import {
  METHODS,
  type AttestationFilter,
  type CandidEnvelope,
  type Config,
  type HttpRequest,
  type MethodName,
  type Opt,
  type ReviewerProfile,
  type SyncConfig
} from '../protocol/service.js';
import { certifiedReport, consistencyProofOf, inclusionProofOf, logEntries, receiptOf, treeHead } from './certified/queries.js';
import { commit, rebuildProposals, setLogHead } from './certified/state.js';
import { configure, endorse, refreshStale, register, revoke, submit } from './changes.js';
import { rebuildPages, renderIndex, renderStatic } from './http/precomputed.js';
import { handleHttp } from './http/router.js';
import { acceptMessage, argLimit } from './inspect.js';
import { logRoot, logSize, openLog } from './log/log.js';
import { getProposal, syncStatus } from './proposals/store.js';
import { setSyncConfig, syncProposal } from './proposals/sync.js';
import { startSyncTimer } from './proposals/timer.js';
import { listProposals } from './report/consensus.js';
import { reportsPredateOutcomes, storedReport } from './report/materialise.js';
import { getAttestation, listAttestations } from './store/attestations.js';
import { bumpEpoch, getConfig } from './store/config.js';
import { err } from './store/errors.js';
import { getReviewer, listReviewers, markNameCollisions } from './store/reviewers.js';
import { stats } from './store/stats.js';
import { openStore, type Store } from './store/store.js';
import { installFastText } from './text.js';
import { verifyCandidEnvelope } from './verify.js';

installFastText();

const M = METHODS;

/**
 * Decodes the update's argument, size first: an oversized or malformed argument becomes an Err
 * value (`refusal`), never a trap.
 */
function decodeArgs(store: Store, method: MethodName): { args: unknown[] } | { refusal: unknown } {
  const arg = msgArgData();
  const limit = argLimit(store, method);
  if (arg.length > limit) return { refusal: err('oversized', `the argument is ${arg.length} bytes; ${method} accepts at most ${limit}`) };
  try {
    return { args: IDL.decode([...M[method].args], arg) as unknown[] };
  } catch (e) {
    return { refusal: err('malformed-argument', `the argument is not valid Candid for ${method}: ${e instanceof Error ? e.message : String(e)}`.slice(0, 500)) };
  }
}

function reply(method: MethodName, result: unknown): void {
  msgReply(new Uint8Array(IDL.encode([M[method].ret], [result])));
}

/** Decodes the update's argument, runs `run`, replies. Core failures are values. */
function manual(store: Store, method: MethodName, run: (args: unknown[]) => unknown): void {
  const decoded = decodeArgs(store, method);
  reply(method, 'args' in decoded ? run(decoded.args) : decoded.refusal);
}

/** `manual` for updates that await other canisters: decodes and checks before the first await. */
async function manualAsync(store: Store, method: MethodName, run: (args: unknown[]) => Promise<unknown>): Promise<void> {
  const decoded = decodeArgs(store, method);
  reply(method, 'args' in decoded ? await run(decoded.args) : decoded.refusal);
}

/** Attestations re-read per timer run when refreshing stale reports (well under 40 B instructions). */
const REFRESH_BUDGET = 20_000;
/** Attestations re-read at once by the update that made reports stale (a few B instructions). */
const INLINE_REFRESH_BUDGET = 2_000;

/** After a quorum, endorsement or name change: refresh stale reports, in timer-sized batches past a small state. */
function scheduleRefresh(store: Store, budget = REFRESH_BUDGET): void {
  if (budget === INLINE_REFRESH_BUDGET) {
    if (refreshStale(store, budget)) scheduleRefresh(store);
    return;
  }
  setTimer(0, () => {
    if (refreshStale(store, budget)) scheduleRefresh(store);
  });
}

/** The query's data certificate (empty in replicated mode, where the IC gives none). */
function certificate(): Uint8Array {
  return dataCertificate() ?? new Uint8Array(0);
}

/** The certified tree on the heap again, from stable memory (init, post_upgrade). */
function restoreCertifiedState(store: Store): void {
  const log = openLog();
  setLogHead(logSize(log), logRoot(log));
  rebuildProposals(store);
  rebuildPages(store);
  renderStatic(store); // a new version may draw them differently
  renderIndex(store);
  commit();
}

function requireController(caller: Principal, method: string): ReturnType<typeof err> | null {
  return isController(caller) ? null : err('not-controller', `${method} is for the canister's controllers; ${caller.toText()} is not one`);
}

export default class {
  store: Store = openStore();

  @init([])
  init(): void {
    warmUpSignatures();
    restoreCertifiedState(this.store);
    startSyncTimer(this.store); // proposals from NNS governance (canister/proposals/)
  }

  @postUpgrade([])
  postUpgrade(): void {
    warmUpSignatures();
    restoreCertifiedState(this.store);
    if (reportsPredateOutcomes(this.store)) bumpEpoch(this.store); // verdicts by endorsed reviewers only: recompute all
    markNameCollisions(this.store, null); // names registered before collisions were marked
    scheduleRefresh(this.store); // in case an upgrade interrupted a refresh
    startSyncTimer(this.store); // timers do not survive upgrades
  }

  @inspectMessage({ manual: true })
  inspect(): boolean {
    return acceptMessage(this.store, msgMethodName(), msgCaller(), msgArgData(), isController);
  }

  @update([...M.endorse_reviewer.args], M.endorse_reviewer.ret, { manual: true })
  endorse_reviewer(): void {
    manual(this.store, 'endorse_reviewer', ([p, endorsed]) => {
      const denied = requireController(msgCaller(), 'endorse_reviewer');
      if (denied) return denied;
      const result = endorse(this.store, p as Principal, endorsed as boolean, time());
      scheduleRefresh(this.store, INLINE_REFRESH_BUDGET);
      return result;
    });
  }

  @query([...M.get_attestation.args], M.get_attestation.ret)
  get_attestation(id: bigint): unknown {
    return getAttestation(this.store, id);
  }

  @query([], M.get_config.ret)
  get_config(): Config {
    return getConfig(this.store);
  }

  @query([...M.get_proposal.args], M.get_proposal.ret)
  get_proposal(proposal: bigint): unknown {
    return getProposal(proposal);
  }

  @query([...M.get_reviewer.args], M.get_reviewer.ret)
  get_reviewer(p: Principal): unknown {
    return getReviewer(this.store, p);
  }

  @query([...M.http_request.args], M.http_request.ret)
  http_request(req: HttpRequest): unknown {
    return handleHttp(this.store, req, certificate());
  }

  @query([...M.list_attestations.args], M.list_attestations.ret)
  list_attestations(filter: AttestationFilter, cursor: Opt<bigint>, limit: number): unknown {
    return listAttestations(this.store, filter, cursor, limit);
  }

  @query([...M.list_proposals.args], M.list_proposals.ret)
  list_proposals(cursor: Opt<bigint>, limit: number): unknown {
    return listProposals(this.store, cursor, limit);
  }

  @query([...M.list_reviewers.args], M.list_reviewers.ret)
  list_reviewers(cursor: Opt<Principal>, limit: number): unknown {
    return listReviewers(this.store, cursor, limit);
  }

  @query([...M.proposal_report.args], M.proposal_report.ret)
  proposal_report(proposal: bigint): unknown {
    return storedReport(this.store, proposal);
  }

  @update([...M.register_reviewer.args], M.register_reviewer.ret, { manual: true })
  register_reviewer(): void {
    manual(this.store, 'register_reviewer', ([profile]) => {
      const result = register(this.store, msgCaller(), profile as ReviewerProfile, time());
      scheduleRefresh(this.store, INLINE_REFRESH_BUDGET); // a new name shows in every report of this reviewer
      return result;
    });
  }

  @update([...M.revoke_attestation.args], M.revoke_attestation.ret, { manual: true })
  revoke_attestation(): void {
    manual(this.store, 'revoke_attestation', ([id, reason]) => revoke(this.store, msgCaller(), id as bigint, reason as string, time()));
  }

  @update([...M.set_config.args], M.set_config.ret, { manual: true })
  set_config(): void {
    manual(this.store, 'set_config', ([config]) => {
      const denied = requireController(msgCaller(), 'set_config');
      if (denied) return denied;
      const result = configure(this.store, config as Config, time());
      scheduleRefresh(this.store, INLINE_REFRESH_BUDGET);
      return result;
    });
  }

  @update([...M.set_sync_config.args], M.set_sync_config.ret, { manual: true })
  set_sync_config(): void {
    manual(this.store, 'set_sync_config', ([config]) => {
      const denied = requireController(msgCaller(), 'set_sync_config');
      if (denied) return denied;
      const result = setSyncConfig(config as SyncConfig);
      if ('Ok' in result) startSyncTimer(this.store);
      return result;
    });
  }

  @query([], M.stats.ret)
  stats(): unknown {
    return stats(this.store);
  }

  @update([...M.submit_attestation.args], M.submit_attestation.ret, { manual: true })
  submit_attestation(): void {
    manual(this.store, 'submit_attestation', ([envelope]) => submit(this.store, msgCaller(), envelope as CandidEnvelope, time()));
  }

  @update([...M.sync_proposal.args], M.sync_proposal.ret, { manual: true })
  async sync_proposal(): Promise<void> {
    await manualAsync(this.store, 'sync_proposal', ([id]) => syncProposal(this.store, id as bigint, time));
  }

  @query([], M.sync_status.ret)
  sync_status(): unknown {
    return syncStatus();
  }

  @query([], M.get_tree_head.ret)
  get_tree_head(): unknown {
    return treeHead(certificate());
  }

  @query([...M.get_log_entries.args], M.get_log_entries.ret)
  get_log_entries(start: bigint, limit: number): unknown {
    return logEntries(start, limit);
  }

  @query([...M.get_inclusion_proof.args], M.get_inclusion_proof.ret)
  get_inclusion_proof(index: bigint, treeSize: bigint): unknown {
    return inclusionProofOf(index, treeSize);
  }

  @query([...M.get_consistency_proof.args], M.get_consistency_proof.ret)
  get_consistency_proof(from: bigint, to: bigint): unknown {
    return consistencyProofOf(from, to);
  }

  @query([...M.get_receipt.args], M.get_receipt.ret)
  get_receipt(id: bigint): unknown {
    return receiptOf(this.store, id, certificate());
  }

  @query([...M.certified_report.args], M.certified_report.ret)
  certified_report(proposal: bigint, start: bigint, limit: number): unknown {
    return certifiedReport(this.store, proposal, start, limit, certificate());
  }

  @query([...M.verify_envelope.args], M.verify_envelope.ret)
  verify_envelope(envelope: CandidEnvelope, publicKeyDer: Uint8Array, expectedProposal: Opt<bigint>): unknown {
    return verifyCandidEnvelope(envelope, publicKeyDer, expectedProposal);
  }
}
