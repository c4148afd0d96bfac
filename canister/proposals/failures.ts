/** Failures of reading governance, as values (pure: no azle import, so Node tests can call it). */
import type { Principal } from '@dfinity/principal';

export type GovernanceFailureKind = 'governance-unreachable' | 'governance-rejected' | 'not-found' | 'bad-response' | 'bad-payload';

export interface GovernanceFailure {
  kind: GovernanceFailureKind;
  message: string;
}

export type Fetched<T> = { ok: true; value: T } | { ok: false; error: GovernanceFailure };

const REJECT_NAMES: Record<number, string> = { 1: 'SysFatal', 2: 'SysTransient', 3: 'DestinationInvalid', 4: 'CanisterReject', 5: 'CanisterError', 6: 'SysUnknown' };

/** Reject codes 4 and 5 come from the governance canister itself; the rest mean it was not reached. */
export function callFailure(governance: Principal, method: string, e: unknown): GovernanceFailure {
  const x = (typeof e === 'object' && e !== null ? e : {}) as { type?: string; rejectCode?: number; rejectMessage?: string; message?: string };
  const id = governance.toText();
  if (typeof x.rejectCode === 'number') {
    const name = REJECT_NAMES[x.rejectCode] ?? `code ${x.rejectCode}`;
    const kind: GovernanceFailureKind = x.rejectCode === 4 || x.rejectCode === 5 ? 'governance-rejected' : 'governance-unreachable';
    const hint = kind === 'governance-unreachable' ? '; check the governance canister id (set_sync_config) and that it is running' : '';
    return { kind, message: `${method} on ${id} was rejected (${x.rejectCode} ${name}): ${String(x.rejectMessage ?? '').slice(0, 300)}${hint}` };
  }
  const why = x.type ?? (e instanceof Error ? e.message : String(e));
  return { kind: 'governance-unreachable', message: `${method} on ${id} could not be called: ${why.slice(0, 300)}; retry later` };
}
