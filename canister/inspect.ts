/**
 * canister_inspect_message: cheap refusals before an ingress update executes (and is paid for).
 * Refuses anonymous callers, oversized arguments (before decoding them), arguments that are not
 * valid Candid for the method, unregistered submitters and non-controllers calling controller
 * methods. The methods check all of this again: inspection does not run for inter-canister calls.
 */
import { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';
import { METHODS, type MethodName } from '../protocol/service.js';
import { getConfig } from './store/config.js';
import type { Store } from './store/store.js';

/** Candid framing around an envelope: type table, field headers, signature entries. */
const CANDID_SLACK = 4096;
/** Arguments of every update other than submit_attestation are small records. */
const SMALL_ARG_BYTES = 16 * 1024;

/** Updates only controllers may call (each method checks again). */
const CONTROLLER_METHODS = new Set(['set_config', 'set_sync_config', 'endorse_reviewer']);

export function argLimit(store: Store, method: string): number {
  return method === 'submit_attestation' ? getConfig(store).max_envelope_bytes + CANDID_SLACK : SMALL_ARG_BYTES;
}

export function acceptMessage(
  store: Store,
  method: string,
  caller: Principal,
  arg: Uint8Array,
  isController: (p: Principal) => boolean
): boolean {
  if (!Object.prototype.hasOwnProperty.call(METHODS, method)) return false;
  const spec = METHODS[method as MethodName];
  if (spec.query) return true; // a query called as an update: harmless, and reads only
  if (caller.isAnonymous()) return false;
  if (arg.length > argLimit(store, method)) return false;
  try {
    IDL.decode([...spec.args], arg);
  } catch {
    return false;
  }
  if (method === 'submit_attestation' || method === 'revoke_attestation') {
    return store.reviewers.containsKey(caller.toUint8Array());
  }
  if (CONTROLLER_METHODS.has(method)) return isController(caller);
  return true;
}
