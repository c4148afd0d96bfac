/** Canister configuration: quorum, whether registration is open, the envelope size limit, submissions per reviewer and proposal. */
import { LIMITS } from '../../protocol/limits.js';
import type { Config, Result } from '../../protocol/service.js';
import { err, okv } from './errors.js';
import { COUNTER } from './schema.js';
import { counter, setCounter, type Store } from './store.js';

/**
 * Attestations one reviewer may submit for one proposal (all OSes; superseded and revoked ones
 * count): room for rebuilds, while what one identity can make a report re-read stays small.
 */
export const DEFAULT_MAX_SUBMISSIONS = 20;
/** Largest accepted: 1000 × a full-size envelope is still a bounded report refresh. */
const MAX_SUBMISSIONS = 1000;

export const DEFAULT_CONFIG: Config = {
  quorum: 3,
  registration_open: true,
  max_envelope_bytes: LIMITS.envelopeBytes,
  max_submissions_per_proposal: [DEFAULT_MAX_SUBMISSIONS]
};

/** Largest quorum accepted: more independent reviewers than that never attest one proposal. */
const MAX_QUORUM = 1000;
/** Smallest envelope limit that still fits a minimal statement. */
const MIN_ENVELOPE_BYTES = 1024;

/** The configuration, every field set (a config stored before a field existed gets its default). */
export function getConfig(store: Store): Config {
  const c = store.config.get(0);
  if (c === undefined) return DEFAULT_CONFIG;
  return c.max_submissions_per_proposal.length === 1 ? c : { ...c, max_submissions_per_proposal: DEFAULT_CONFIG.max_submissions_per_proposal };
}

/** The per-reviewer, per-proposal submission limit in force. */
export function maxSubmissions(store: Store): number {
  return getConfig(store).max_submissions_per_proposal[0] ?? DEFAULT_MAX_SUBMISSIONS;
}

export function validateConfig(c: Config): Result<Config> {
  if (c.quorum < 1 || c.quorum > MAX_QUORUM) {
    return err('invalid-config', `quorum must be between 1 and ${MAX_QUORUM}, got ${c.quorum}`, 'quorum');
  }
  if (c.max_envelope_bytes < MIN_ENVELOPE_BYTES || c.max_envelope_bytes > LIMITS.envelopeBytes) {
    return err(
      'invalid-config',
      `max_envelope_bytes must be between ${MIN_ENVELOPE_BYTES} and the protocol limit ${LIMITS.envelopeBytes}, got ${c.max_envelope_bytes}`,
      'max_envelope_bytes'
    );
  }
  const m = c.max_submissions_per_proposal;
  if (m.length === 1 && (m[0] < 1 || m[0] > MAX_SUBMISSIONS)) {
    return err('invalid-config', `max_submissions_per_proposal must be between 1 and ${MAX_SUBMISSIONS}, got ${m[0]}`, 'max_submissions_per_proposal');
  }
  return okv(c);
}

/** Replaces the configuration (the caller checked the controller). A new quorum makes cached verdicts stale. */
export function setConfig(store: Store, next: Config): Result<Config> {
  const checked = validateConfig(next);
  if ('Err' in checked) return checked;
  const prev = getConfig(store);
  const value: Config = {
    quorum: next.quorum,
    registration_open: next.registration_open,
    max_envelope_bytes: next.max_envelope_bytes,
    max_submissions_per_proposal: next.max_submissions_per_proposal.length === 1 ? next.max_submissions_per_proposal : prev.max_submissions_per_proposal
  };
  store.config.insert(0, value);
  if (prev.quorum !== value.quorum) bumpEpoch(store);
  return okv(value);
}

/** The generation of everything verdicts depend on besides attestations (quorum, endorsements). */
export function epoch(store: Store): bigint {
  return counter(store, COUNTER.epoch);
}

export function bumpEpoch(store: Store): void {
  setCounter(store, COUNTER.epoch, epoch(store) + 1n);
}
