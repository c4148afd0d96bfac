/** The sync timer: armed in init and post_upgrade (timers do not survive upgrades) and re-armed when the interval changes. */
import { clearTimer, setTimerInterval, time } from 'azle';
import type { Store } from '../store/store.js';
import { elections, getSyncConfig } from './store.js';
import { runSync } from './sync.js';

let timer: bigint | null = null;

export function startSyncTimer(store: Store): void {
  if (timer !== null) clearTimer(timer);
  timer = null;
  const interval = getSyncConfig(elections()).interval_seconds;
  if (interval > 0) timer = setTimerInterval(interval, () => runSync(store, time));
}
