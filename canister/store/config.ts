/** Canister configuration: quorum, whether registration is open, the envelope size limit. */
import { LIMITS } from '../../protocol/limits.js';
import type { Config, Result } from '../../protocol/service.js';
import { err, okv } from './errors.js';
import { COUNTER } from './schema.js';
import { counter, setCounter, type Store } from './store.js';

export const DEFAULT_CONFIG: Config = {
  quorum: 3,
  registration_open: true,
  max_envelope_bytes: LIMITS.envelopeBytes
};

/** Largest quorum accepted: more independent reviewers than that never attest one proposal. */
const MAX_QUORUM = 1000;
/** Smallest envelope limit that still fits a minimal statement. */
const MIN_ENVELOPE_BYTES = 1024;

export function getConfig(store: Store): Config {
  return store.config.get(0) ?? DEFAULT_CONFIG;
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
  return okv(c);
}

/** Replaces the configuration (the caller checked the controller). A new quorum makes cached verdicts stale. */
export function setConfig(store: Store, next: Config): Result<Config> {
  const checked = validateConfig(next);
  if ('Err' in checked) return checked;
  const prev = getConfig(store);
  const value: Config = { quorum: next.quorum, registration_open: next.registration_open, max_envelope_bytes: next.max_envelope_bytes };
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
