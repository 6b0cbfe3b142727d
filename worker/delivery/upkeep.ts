import type { DeliveryConnection } from '../config/connections';
import { expiryCutoff } from './bounds';
import { MAX_ITEMS_PER_PASS } from './flushPlan';
import type { QueueStore } from './store/queueStore';

/**
 * What each flush does besides sending: the age bound, the log's row bound and retention, all in
 * bounded chunks so deliveries never wait behind them. docs/delivery.md "Backlog bounds",
 * docs/debugger.md "Retention".
 */

/** Age checks and the log's row bound run at most this often. */
const HOUSEKEEPING_MS = 60_000;
const PURGE_BATCH = 5_000;
/**
 * Retention forgets expired events this many at a time, one chunk per alarm, and comes back
 * RETENTION_PAUSE_MS later while more are due: a chunk takes a few milliseconds, so deliveries are
 * never held up behind a long purge. 2,000 a second is four times MoEngage's 30,000 events/min, so
 * the log never falls behind.
 */
export const RETENTION_CHUNK = 2_000;
const RETENTION_PAUSE_MS = 500;

export function retentionMs(connection: DeliveryConnection): number {
  return connection.delivery.logRetentionHours * 3_600_000;
}

/** Age bound (dead-letters events waiting too long) and the log's row bound, at most once a minute. */
export function housekeeping(store: QueueStore, connection: DeliveryConnection, now: number): void {
  const last = store.meta.get('housekeeping') ?? 0;
  if (now - last < HOUSEKEEPING_MS) return;
  store.meta.set('housekeeping', now);
  const expired = store.outbox.expired(expiryCutoff(now, connection.delivery), MAX_ITEMS_PER_PASS);
  if (expired.length) {
    const hours = connection.delivery.maxEventAgeHours;
    store.deadLetter(expired, now, 'expired', `not delivered within ${hours} h of being queued (MAX_EVENT_AGE_HOURS); replay it once MoEngage accepts events again`);
    store.meta.bump('expired', now, undefined, expired.length);
  }
  // MAX_LOG_EVENTS is a storage bound for floods: up to 20 batches (100,000 events) a minute.
  for (let i = 0; i < 20 && store.trim(connection.delivery.maxLogEvents, PURGE_BATCH) === PURGE_BATCH; i++);
  store.outbox.recount();
}

export function deadLetterRetentionMs(connection: DeliveryConnection): number {
  return connection.delivery.deadLetterRetentionDays * 86_400_000;
}

/**
 * DEBUGGER_RETENTION_HOURS: forgets one bounded chunk of delivered and dropped events past
 * retention (their attempts go with them); DEAD_LETTER_RETENTION_DAYS does the same for dead
 * letters, which the log's retention leaves replayable. Returns when the next chunk is due: soon
 * while expired events remain, else when the oldest finished event or dead letter expires (null:
 * neither is stored).
 */
export function retention(store: QueueStore, connection: DeliveryConnection, now: number): number | null {
  const purged = store.purge(now - retentionMs(connection), RETENTION_CHUNK);
  const dead = store.purgeDead(now - deadLetterRetentionMs(connection), RETENTION_CHUNK);
  if (purged === RETENTION_CHUNK || dead === RETENTION_CHUNK) return now + RETENTION_PAUSE_MS;
  return nextRetentionAt(store, connection);
}

/** When the oldest finished event or dead letter leaves the log, or null when neither is stored. */
export function nextRetentionAt(store: QueueStore, connection: DeliveryConnection): number | null {
  const finished = store.log.oldestFinishedAt();
  const dead = store.log.oldestDeadAt();
  const due = [finished === null ? null : finished + retentionMs(connection) + 1, dead === null ? null : dead + deadLetterRetentionMs(connection) + 1].filter((t): t is number => t !== null);
  return due.length ? Math.min(...due) : null;
}
