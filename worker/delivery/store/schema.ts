import type { DeliveryItem } from '../../moengage/payloads';
import type { Migration } from '../../sql/migrate';
import { countersSchema } from './counters';
import { messageKeysSchema } from './messageKeys';
import { deleteRequestsSchema } from './deleteRequests';

/**
 * Every table of a DeliveryQueue, as the ordered steps that built it. Objects created by earlier
 * releases are at one of these versions (0 = the first release, which kept no version) and move up
 * on their next start; a new object runs the whole list.
 *
 * - `meta`: the queue's own state (delivery/store/meta.ts).
 * - `events`: the event log, one row per message (delivery/store/eventLog.ts, logReads.ts, logStats.ts).
 * - `attempts`, `attempt_events`: every request to MoEngage and the messages it carried.
 * - `outbox`: one row per MoEngage item still to deliver, or dead-lettered (delivery/store/outbox.ts).
 * - `held`, `identity_links`: the anonymous hold (delivery/store/holds.ts).
 * - `counters`: monotonic metrics, kept by triggers on `events` (delivery/store/counters.ts).
 * - `message_keys`: dedupe per sender, each key naming its log row (delivery/store/messageKeys.ts).
 * - `log_staging`: log rows written behind, unindexed, until the alarm moves them into `events` (eventLog.ts).
 * - `delete_requests`, `delete_attempts`: MoEngage Delete User requests of erasures (delivery/store/deleteRequests.ts).
 * The rejection log of earlier releases (`rejection_counts`, `rejections`) is left as it was until
 * the collector's own log adopts it (delivery/store/legacyRejections.ts).
 */
export const QUEUE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    does: 'the event log and its attempts',
    up(sql) {
      sql.exec(`
CREATE TABLE IF NOT EXISTS events (
  message_id TEXT PRIMARY KEY,
  received_at INTEGER NOT NULL,
  type TEXT NOT NULL,
  name TEXT,
  user_id TEXT,
  anonymous_id TEXT,
  status TEXT NOT NULL,
  reason TEXT,
  detail TEXT,
  raw TEXT NOT NULL,
  items TEXT,
  omissions TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS events_due ON events (status, next_attempt_at);
CREATE TABLE IF NOT EXISTS attempts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  url TEXT NOT NULL,
  request TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  status INTEGER NOT NULL,
  response TEXT,
  request_id TEXT,
  duration_ms INTEGER NOT NULL,
  error TEXT
);
CREATE TABLE IF NOT EXISTS attempt_events (attempt_id INTEGER NOT NULL, message_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS attempt_events_by_message ON attempt_events (message_id);`);
    },
  },
  {
    version: 2,
    does: 'the outbox, filled from the events the first release kept queued in the log',
    up(sql) {
      sql.exec(`
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  item TEXT NOT NULL,
  state TEXT NOT NULL,
  failures INTEGER NOT NULL DEFAULT 0,
  queued_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  in_flight INTEGER,
  reason TEXT,
  detail TEXT
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, kind, next_attempt_at);
CREATE INDEX IF NOT EXISTS outbox_by_age ON outbox (state, queued_at);
CREATE INDEX IF NOT EXISTS outbox_by_message ON outbox (message_id);
CREATE INDEX IF NOT EXISTS outbox_in_flight ON outbox (in_flight) WHERE in_flight IS NOT NULL;`);
      const waiting = sql
        .exec<{ message_id: string; items: string; received_at: number }>(
          `SELECT message_id, items, received_at FROM events e WHERE status IN ('queued', 'retrying') AND items IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = e.message_id)`,
        )
        .toArray();
      for (const row of waiting) {
        for (const item of JSON.parse(row.items) as DeliveryItem[]) {
          sql.exec(
            `INSERT INTO outbox (message_id, kind, item, state, queued_at, next_attempt_at) VALUES (?, ?, ?, 'ready', ?, ?)`,
            row.message_id,
            item.kind,
            JSON.stringify(item),
            row.received_at,
            row.received_at,
          );
        }
      }
    },
  },
  {
    version: 3,
    does: "attempts carry the units they spent and MoEngage's rate headers",
    up(sql) {
      sql.exec(`ALTER TABLE attempts ADD COLUMN unit_events INTEGER NOT NULL DEFAULT 0`);
      sql.exec(`ALTER TABLE attempts ADD COLUMN unit_customers INTEGER NOT NULL DEFAULT 0`);
      sql.exec(`ALTER TABLE attempts ADD COLUMN unit_merges INTEGER NOT NULL DEFAULT 0`);
      sql.exec(`ALTER TABLE attempts ADD COLUMN rate_limit TEXT`);
    },
  },
  {
    version: 4,
    does: "the anonymous hold's tables and the indexes of the log's reads, retention and stats",
    up(sql) {
      // Objects of version 3 already have all of these (created outside the version list then).
      sql.exec(`
CREATE TABLE IF NOT EXISTS held (message_id TEXT PRIMARY KEY, anonymous_id TEXT NOT NULL, hold_until INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS held_by_anonymous ON held (anonymous_id);
CREATE INDEX IF NOT EXISTS held_by_deadline ON held (hold_until);
CREATE TABLE IF NOT EXISTS identity_links (anonymous_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, linked_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS identity_links_by_age ON identity_links (linked_at);
-- Retention (finished events by last change) and the live tail (changes in order).
CREATE INDEX IF NOT EXISTS events_by_update ON events (status, updated_at);
CREATE INDEX IF NOT EXISTS events_by_change ON events (updated_at, message_id);
-- Listings, newest first with a (received_at, message_id) cursor: unfiltered or by one status,
-- event name, user id or anonymous id.
CREATE INDEX IF NOT EXISTS events_by_received ON events (received_at, message_id);
CREATE INDEX IF NOT EXISTS events_by_status_received ON events (status, received_at, message_id);
CREATE INDEX IF NOT EXISTS events_by_name ON events (name, received_at, message_id);
CREATE INDEX IF NOT EXISTS events_by_user ON events (user_id, received_at, message_id);
CREATE INDEX IF NOT EXISTS events_by_anonymous ON events (anonymous_id, received_at, message_id);
-- Throughput per minute, and forgetting attempts with their events.
CREATE INDEX IF NOT EXISTS attempts_by_time ON attempts (at);
CREATE INDEX IF NOT EXISTS attempt_events_by_attempt ON attempt_events (attempt_id);`);
    },
  },
  {
    version: 5,
    does: "the metrics' counters and the event log's triggers that keep them",
    up(sql) {
      // Objects that ran the metrics' first release created these outside the version list.
      countersSchema(sql);
    },
  },
  {
    version: 6,
    does: "erasure's Delete User requests and their attempts",
    up(sql) {
      deleteRequestsSchema(sql);
    },
  },
  {
    version: 7,
    does: 'dedupe scoped to the sender: message keys, adopting the stored log rows as any sender’s',
    up(sql) {
      messageKeysSchema(sql);
    },
  },
  {
    version: 8,
    does: 'the event log written behind: an unindexed staging table, and only the indexes the reads use',
    up(sql) {
      sql.exec(`
CREATE TABLE IF NOT EXISTS log_staging (
  message_id TEXT NOT NULL,
  claimed_id TEXT,
  received_at INTEGER NOT NULL,
  type TEXT NOT NULL,
  name TEXT,
  user_id TEXT,
  anonymous_id TEXT,
  status TEXT NOT NULL,
  reason TEXT,
  detail TEXT,
  raw TEXT NOT NULL,
  items TEXT,
  omissions TEXT,
  next_attempt_at INTEGER,
  updated_at INTEGER NOT NULL
);
-- (status, updated_at) serves every lookup by status; (status, next_attempt_at) served none.
DROP INDEX IF EXISTS events_due;
-- The debugger's filter by event name walks the newest-first index (events_by_received) instead:
-- the index cost every stored message a write, for a filter. By user id and anonymous id stay:
-- erasure finds a subject's events by them.
DROP INDEX IF EXISTS events_by_name;
-- Rows reach the log only from the staging table, whose move counts them in one statement (logStaging.ts).
DROP TRIGGER IF EXISTS count_event_insert;`);
    },
  },
];
