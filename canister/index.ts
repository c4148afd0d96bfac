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
  msgReject,
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
import { configure, endorse, hasDirty, refreshDirty, refreshStale, register, revoke, submit } from './changes.js';
import { rebuildPages, renderIndex, renderStatic } from './http/precomputed.js';
import { handleHttp } from './http/router.js';
import { acceptMessage, argRefusal } from './inspect.js';
import { logRoot, logSize, openLog } from './log/log.js';
import { getProposal, syncStatus } from './proposals/store.js';
import { setSyncConfig, syncProposal } from './proposals/sync.js';
import { startSyncTimer } from './proposals/timer.js';
import { listProposals } from './report/consensus.js';
import { reportReply, reportsPredateOutcomes } from './report/materialise.js';
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
 * Decodes the call's argument within its quota (inspect.ts: size, then a walk of the raw bytes
 * that bounds the decoder's work), so an oversized, malformed or costly argument becomes a
 * refusal, never a trap or a query burnt to its instruction limit.
 */
function decodeArgs(store: Store, method: MethodName): { args: unknown[] } | { refusal: ReturnType<typeof err> } {
  const arg = msgArgData();
  const refused = argRefusal(store, method, arg);
  if (refused !== null) return { refusal: err(refused.kind, refused.message) };
  try {
    return { args: IDL.decode([...M[method].args], arg) as unknown[] };
  } catch (e) {
    return { refusal: err('malformed-argument', `the argument is not valid Candid for ${method}: ${e instanceof Error ? e.message : String(e)}`.slice(0, 500)) };
  }
}

function reply(method: MethodName, result: unknown): void {
  msgReply(new Uint8Array(IDL.encode([M[method].ret], [result])));
}

/** Methods that answer a Result carry a refusal as its Err; the others reject with its message. */
function refuse(method: MethodName, refusal: ReturnType<typeof err>): void {
  if (RESULT_METHODS.has(method)) reply(method, refusal);
  else msgReject(`${method}: ${refusal.Err.kind}: ${refusal.Err.message}`);
}

const RESULT_METHODS = new Set<MethodName>(
  (Object.keys(M) as MethodName[]).filter((m) => {
    const ret = M[m].ret as IDL.Type;
    return ret instanceof IDL.VariantClass && ret._fields.some(([k]) => k === 'Err');
  })
);

/** Decodes the argument, runs `run`, replies. Every method, query or update. Core failures are values. */
function manual(store: Store, method: MethodName, run: (args: unknown[]) => unknown): void {
  const decoded = decodeArgs(store, method);
  if ('args' in decoded) reply(method, run(decoded.args));
  else refuse(method, decoded.refusal);
}

/** `manual` for updates that await other canisters: decodes and checks before the first await. */
async function manualAsync(store: Store, method: MethodName, run: (args: unknown[]) => Promise<unknown>): Promise<void> {
  const decoded = decodeArgs(store, method);
  if ('args' in decoded) reply(method, await run(decoded.args));
  else refuse(method, decoded.refusal);
}

/** Attestations re-read per timer run when refreshing reports (well under 40 B instructions). */
const REFRESH_BUDGET = 1_000;
/** Attestations re-read by the change itself (≈ 3 B instructions): small proposals are current at once. */
const INLINE_BUDGET = 100;

/**
 * A change marks proposals dirty (or reports stale, after a quorum, endorsement or name change).
 * What fits INLINE_BUDGET is re-materialised in the same message; the rest in a 0 s timer (the
 * next round), in batches of about REFRESH_BUDGET attestations, dirty proposals first. A trapped
 * timer leaves the dirty set for the next change or upgrade.
 */
function scheduleRefresh(store: Store): void {
  setTimer(0, () => {
    const more = refreshDirty(store, REFRESH_BUDGET) || refreshStale(store, REFRESH_BUDGET);
    if (more) scheduleRefresh(store);
  });
}

/**
 * `manual` for a change: replies, then refreshes what it touched (inline when small, see above).
 * `stale`: the change can make other proposals' reports stale (an epoch bump), so look for them.
 */
function change(store: Store, method: MethodName, run: (args: unknown[]) => unknown, stale = false): void {
  manual(store, method, run);
  if (!hasDirty(store) && !stale) return;
  const more = refreshDirty(store, INLINE_BUDGET, true) || (stale && refreshStale(store, INLINE_BUDGET, true));
  if (more || hasDirty(store)) scheduleRefresh(store);
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
    scheduleRefresh(this.store); // in case an upgrade came before a refresh
    startSyncTimer(this.store); // timers do not survive upgrades
  }

  @inspectMessage({ manual: true })
  inspect(): boolean {
    return acceptMessage(this.store, msgMethodName(), msgCaller(), msgArgData(), isController);
  }

  @update([...M.endorse_reviewer.args], M.endorse_reviewer.ret, { manual: true })
  endorse_reviewer(): void {
    change(this.store, 'endorse_reviewer', ([p, endorsed]) => {
      const denied = requireController(msgCaller(), 'endorse_reviewer');
      if (denied) return denied;
      return endorse(this.store, p as Principal, endorsed as boolean, time());
    }, true);
  }

  @query([...M.get_attestation.args], M.get_attestation.ret, { manual: true })
  get_attestation(): void {
    manual(this.store, 'get_attestation', ([id]) => getAttestation(this.store, id as bigint));
  }

  @query([], M.get_config.ret, { manual: true })
  get_config(): void {
    manual(this.store, 'get_config', () => getConfig(this.store));
  }

  @query([...M.get_proposal.args], M.get_proposal.ret, { manual: true })
  get_proposal(): void {
    manual(this.store, 'get_proposal', ([proposal]) => getProposal(proposal as bigint));
  }

  @query([...M.get_reviewer.args], M.get_reviewer.ret, { manual: true })
  get_reviewer(): void {
    manual(this.store, 'get_reviewer', ([p]) => getReviewer(this.store, p as Principal));
  }

  @query([...M.http_request.args], M.http_request.ret, { manual: true })
  http_request(): void {
    manual(this.store, 'http_request', ([req]) => handleHttp(this.store, req as HttpRequest, certificate()));
  }

  @query([...M.list_attestations.args], M.list_attestations.ret, { manual: true })
  list_attestations(): void {
    manual(this.store, 'list_attestations', ([filter, cursor, limit]) => listAttestations(this.store, filter as AttestationFilter, cursor as Opt<bigint>, limit as number));
  }

  @query([...M.list_proposals.args], M.list_proposals.ret, { manual: true })
  list_proposals(): void {
    manual(this.store, 'list_proposals', ([cursor, limit]) => listProposals(this.store, cursor as Opt<bigint>, limit as number));
  }

  @query([...M.list_reviewers.args], M.list_reviewers.ret, { manual: true })
  list_reviewers(): void {
    manual(this.store, 'list_reviewers', ([cursor, limit]) => listReviewers(this.store, cursor as Opt<Principal>, limit as number));
  }

  /** Replies with the report's stored Candid bytes (decoding and re-encoding a large report would be this query's whole cost). */
  @query([...M.proposal_report.args], M.proposal_report.ret, { manual: true })
  proposal_report(): void {
    const decoded = decodeArgs(this.store, 'proposal_report');
    if ('args' in decoded) msgReply(reportReply(this.store, decoded.args[0] as bigint));
    else refuse('proposal_report', decoded.refusal);
  }

  @update([...M.register_reviewer.args], M.register_reviewer.ret, { manual: true })
  register_reviewer(): void {
    // A new name shows in every report of this reviewer: they go stale and are refreshed.
    change(this.store, 'register_reviewer', ([profile]) => register(this.store, msgCaller(), profile as ReviewerProfile, time()), true);
  }

  @update([...M.revoke_attestation.args], M.revoke_attestation.ret, { manual: true })
  revoke_attestation(): void {
    change(this.store, 'revoke_attestation', ([id, reason]) => revoke(this.store, msgCaller(), id as bigint, reason as string, time()));
  }

  @update([...M.set_config.args], M.set_config.ret, { manual: true })
  set_config(): void {
    change(this.store, 'set_config', ([config]) => {
      const denied = requireController(msgCaller(), 'set_config');
      if (denied) return denied;
      return configure(this.store, config as Config, time());
    }, true);
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

  @query([], M.stats.ret, { manual: true })
  stats(): void {
    manual(this.store, 'stats', () => stats(this.store));
  }

  @update([...M.submit_attestation.args], M.submit_attestation.ret, { manual: true })
  submit_attestation(): void {
    change(this.store, 'submit_attestation', ([envelope]) => submit(this.store, msgCaller(), envelope as CandidEnvelope, time()));
  }

  @update([...M.sync_proposal.args], M.sync_proposal.ret, { manual: true })
  async sync_proposal(): Promise<void> {
    await manualAsync(this.store, 'sync_proposal', ([id]) => syncProposal(this.store, id as bigint, time));
  }

  @query([], M.sync_status.ret, { manual: true })
  sync_status(): void {
    manual(this.store, 'sync_status', () => syncStatus());
  }

  @query([], M.get_tree_head.ret, { manual: true })
  get_tree_head(): void {
    manual(this.store, 'get_tree_head', () => treeHead(certificate()));
  }

  @query([...M.get_log_entries.args], M.get_log_entries.ret, { manual: true })
  get_log_entries(): void {
    manual(this.store, 'get_log_entries', ([start, limit]) => logEntries(start as bigint, limit as number));
  }

  @query([...M.get_inclusion_proof.args], M.get_inclusion_proof.ret, { manual: true })
  get_inclusion_proof(): void {
    manual(this.store, 'get_inclusion_proof', ([index, treeSize]) => inclusionProofOf(index as bigint, treeSize as bigint));
  }

  @query([...M.get_consistency_proof.args], M.get_consistency_proof.ret, { manual: true })
  get_consistency_proof(): void {
    manual(this.store, 'get_consistency_proof', ([from, to]) => consistencyProofOf(from as bigint, to as bigint));
  }

  @query([...M.get_receipt.args], M.get_receipt.ret, { manual: true })
  get_receipt(): void {
    manual(this.store, 'get_receipt', ([id]) => receiptOf(this.store, id as bigint, certificate()));
  }

  @query([...M.certified_report.args], M.certified_report.ret, { manual: true })
  certified_report(): void {
    manual(this.store, 'certified_report', ([proposal, start, limit]) => certifiedReport(this.store, proposal as bigint, start as bigint, limit as number, certificate()));
  }

  @query([...M.verify_envelope.args], M.verify_envelope.ret, { manual: true })
  verify_envelope(): void {
    manual(this.store, 'verify_envelope', ([envelope, publicKeyDer, expectedProposal]) => verifyCandidEnvelope(envelope as CandidEnvelope, publicKeyDer as Uint8Array, expectedProposal as Opt<bigint>));
  }
}
