/**
 * The events `watch` reports, one JSON object each: on stdout (a line each), and on the stdin of
 * the `--on-event` command. The shape is documented in docs/watch.md; fields are only added.
 */
import type { ProposalRecord } from './state.js';

export const WATCH_EVENT_SCHEMA = 'icos-attest/watch-event/v1';

export type WatchEventType =
  | 'proposal-new' // a new open IC-OS election
  | 'too-late' // its deadline would pass before a build of typical duration finishes: not started
  | 'closed' // voting ended before its review started
  | 'build-started' // check + build began (resumed: true after a restart)
  | 'build-finished' // built, hashed, and signed into envelopes on disk
  | 'diverged' // a built hash differs from the proposal's or the CDN's
  | 'submitted' // the canister stored the attestations
  | 'error'; // a step failed (retrying: true when the next poll tries again)

export interface WatchEvent {
  schema: typeof WATCH_EVENT_SCHEMA;
  type: WatchEventType;
  /** ISO time the event happened. */
  at: string;
  proposal: string;
  elects: string;
  title: string;
  commit: string | null;
  sha256: string | null;
  /** Voting deadline (ISO), null when governance gives none. */
  deadline: string | null;
  /** The phase in the state file after the event. */
  phase: string;
  /** Per type (docs/watch.md). */
  detail: Record<string, unknown>;
}

export const isoOf = (seconds: number): string => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

export function watchEvent(type: WatchEventType, p: ProposalRecord, at: string, detail: Record<string, unknown> = {}): WatchEvent {
  return {
    schema: WATCH_EVENT_SCHEMA,
    type,
    at,
    proposal: p.id,
    elects: p.elects,
    title: p.title,
    commit: p.commit,
    sha256: p.sha256,
    deadline: p.deadlineSeconds === null ? null : isoOf(p.deadlineSeconds),
    phase: p.phase,
    detail
  };
}

/** One line for a person (the human output of `watch`, and its log). */
export function describeEvent(e: WatchEvent): string {
  const d = e.detail;
  const what = `${e.proposal} (${e.elects}${e.commit ? ` ${e.commit.slice(0, 12)}` : ''})`;
  switch (e.type) {
    case 'proposal-new':
      return `new proposal ${what}: ${e.title}${e.deadline ? `; voting ends ${e.deadline}` : ''}`;
    case 'too-late':
      return `proposal ${what}: too late to review: a build of ${String(d.buildDuration)} started now would finish at ${String(d.wouldFinishAt)}, after the deadline ${e.deadline}; \`watch --retry ${e.proposal}\` builds it anyway`;
    case 'closed':
      return `proposal ${what}: voting ended before its review started; not reviewed`;
    case 'build-started':
      return `${d.resumed ? 'resuming' : 'reviewing'} proposal ${what}: check and build (attempt ${String(d.attempt)}, expected to finish by ${String(d.expectedFinishAt)})`;
    case 'build-finished': {
      const arts = (d.artifacts as { name: string; sha256: string; outcome: string }[] | undefined) ?? [];
      return `built proposal ${what}: ${arts.map((a) => `${a.name} ${a.sha256} ${a.outcome}`).join(', ')}`;
    }
    case 'diverged': {
      const arts = (d.artifacts as { name: string }[] | undefined) ?? [];
      return `DIVERGED proposal ${what}: ${arts.map((a) => a.name).join(', ')} does not match; the attestation is submitted all the same`;
    }
    case 'submitted': {
      const ids = (d.attestations as { id: string; os: string }[] | undefined) ?? [];
      return `submitted proposal ${what}: ${ids.map((a) => `${a.os} attestation ${a.id}`).join(', ')}`;
    }
    case 'error':
      return `error in proposal ${what} (${String(d.step)}): ${String(d.message)}${d.retrying ? '; will retry at the next poll' : '; given up (`watch --retry` to try again)'}`;
  }
}
