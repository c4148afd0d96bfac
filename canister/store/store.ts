/** The stable maps, opened once per canister instance and passed to every core function. */
import { StableBTreeMap } from 'azle';
import type { CandidEnvelope, Config } from '../../protocol/service.js';
import { bytesKey, u64DescKey, u64Key, u64Value, u8Key } from './codec.js';
import {
  attestationValue,
  bytesValue,
  configValue,
  envelopeValue,
  MEMORY,
  proposalValue,
  reviewerValue,
  pageValue,
  textValue,
  type StoredPage,
  type StoredAttestation,
  type StoredProposal,
  type StoredReviewer
} from './schema.js';

export interface Store {
  config: StableBTreeMap<number, Config>;
  counters: StableBTreeMap<number, bigint>;
  reviewers: StableBTreeMap<Uint8Array, StoredReviewer>;
  endorsements: StableBTreeMap<Uint8Array, bigint>;
  attestations: StableBTreeMap<bigint, StoredAttestation>;
  envelopes: StableBTreeMap<bigint, CandidEnvelope>;
  byProposal: StableBTreeMap<Uint8Array, bigint>;
  proposals: StableBTreeMap<bigint, StoredProposal>;
  latest: StableBTreeMap<Uint8Array, bigint>;
  byDigest: StableBTreeMap<Uint8Array, bigint>;
  reports: StableBTreeMap<bigint, string>;
  events: StableBTreeMap<Uint8Array, bigint>;
  leafOf: StableBTreeMap<bigint, bigint>;
  pages: StableBTreeMap<string, StoredPage>;
  /** proposal ‖ principal → accepted submissions (the per-reviewer, per-proposal limit). */
  submissions: StableBTreeMap<Uint8Array, bigint>;
  /** Superseded attestation → its successor: reports skip these unread unless the successor is revoked. */
  retired: StableBTreeMap<bigint, bigint>;
  pageBodies: StableBTreeMap<string, Uint8Array>;
  reportReplies: StableBTreeMap<bigint, Uint8Array>;
  dirty: StableBTreeMap<bigint, bigint>;
}

export function openStore(): Store {
  return {
    config: new StableBTreeMap(MEMORY.config, u8Key, configValue),
    counters: new StableBTreeMap(MEMORY.counters, u8Key, u64Value),
    reviewers: new StableBTreeMap(MEMORY.reviewers, bytesKey, reviewerValue),
    endorsements: new StableBTreeMap(MEMORY.endorsements, bytesKey, u64Value),
    attestations: new StableBTreeMap(MEMORY.attestations, u64Key, attestationValue),
    envelopes: new StableBTreeMap(MEMORY.envelopes, u64Key, envelopeValue),
    byProposal: new StableBTreeMap(MEMORY.byProposal, bytesKey, u64Value),
    proposals: new StableBTreeMap(MEMORY.proposals, u64DescKey, proposalValue),
    latest: new StableBTreeMap(MEMORY.latest, bytesKey, u64Value),
    byDigest: new StableBTreeMap(MEMORY.byDigest, bytesKey, u64Value),
    reports: new StableBTreeMap(MEMORY.reports, u64Key, textValue),
    events: new StableBTreeMap(MEMORY.events, bytesKey, u64Value),
    leafOf: new StableBTreeMap(MEMORY.leafOf, u64Key, u64Value),
    pages: new StableBTreeMap(MEMORY.pages, textValue, pageValue),
    submissions: new StableBTreeMap(MEMORY.submissions, bytesKey, u64Value),
    retired: new StableBTreeMap(MEMORY.retired, u64Key, u64Value),
    pageBodies: new StableBTreeMap(MEMORY.pageBodies, textValue, bytesValue),
    reportReplies: new StableBTreeMap(MEMORY.reportReplies, u64Key, bytesValue),
    dirty: new StableBTreeMap(MEMORY.dirty, u64Key, u64Value)
  };
}

export function counter(store: Store, id: number): bigint {
  return store.counters.get(id) ?? 0n;
}

export function setCounter(store: Store, id: number, value: bigint): void {
  store.counters.insert(id, value);
}
