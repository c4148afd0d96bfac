/** Totals for `stats()`: map lengths and counters, O(1). */
import type { Stats } from '../../protocol/service.js';
import { COUNTER } from './schema.js';
import { counter, type Store } from './store.js';

export function stats(store: Store): Stats {
  return {
    attestations: BigInt(store.attestations.len()),
    revoked: counter(store, COUNTER.revoked),
    reviewers: BigInt(store.reviewers.len()),
    endorsed_reviewers: BigInt(store.endorsements.len()),
    proposals: BigInt(store.proposals.len())
  };
}
