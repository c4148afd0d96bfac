/**
 * Statuses of update calls, as `request_status/<id>` in the certified state. An id seen before is
 * not executed again (the IC's replay protection); entries are dropped some time after expiry.
 */
import { bytesToHex } from '@noble/hashes/utils';
import type { Principal } from '@dfinity/principal';
import type { CallResult } from './runtime-port.js';

/** How long after its ingress expiry a request's status stays readable. */
const RETAIN_AFTER_EXPIRY_NS = 5n * 60n * 1_000_000_000n;
const MAX_ENTRIES = 50_000;

export interface RequestEntry {
  requestId: Uint8Array;
  sender: Principal;
  ingressExpiry: bigint;
  result: CallResult | null; // null while processing
  settled: Promise<CallResult>;
}

export class RequestStatuses {
  #entries = new Map<string, RequestEntry>();

  get(requestId: Uint8Array): RequestEntry | undefined {
    return this.#entries.get(bytesToHex(requestId));
  }

  entries(): Iterable<RequestEntry> {
    return this.#entries.values();
  }

  /** Records a new request and runs it, or returns the entry of the same request seen before. */
  submit(
    requestId: Uint8Array,
    sender: Principal,
    ingressExpiry: bigint,
    now: bigint,
    run: () => Promise<CallResult>,
  ): { entry: RequestEntry; fresh: boolean } {
    const seen = this.get(requestId);
    if (seen) return { entry: seen, fresh: false };
    this.prune(now);
    const entry: RequestEntry = { requestId, sender, ingressExpiry, result: null, settled: Promise.resolve(null as never) };
    entry.settled = run().then((r) => (entry.result = r));
    this.#entries.set(bytesToHex(requestId), entry);
    return { entry, fresh: true };
  }

  prune(now: bigint): void {
    for (const [k, e] of this.#entries) {
      if (e.result && e.ingressExpiry + RETAIN_AFTER_EXPIRY_NS < now) this.#entries.delete(k);
    }
    // Oldest first (Map keeps insertion order), never dropping one still running.
    for (const [k, e] of this.#entries) {
      if (this.#entries.size < MAX_ENTRIES) break;
      if (e.result) this.#entries.delete(k);
    }
  }
}
