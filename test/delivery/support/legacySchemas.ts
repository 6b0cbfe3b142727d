/**
 * The DeliveryQueue's storage as earlier releases left it, statement for statement, so the
 * migration test can start an object from each (worker/delivery/store/schema.ts upgrades them).
 */

/** The first release (no schema version kept): the log held the queue (`events.status = 'queued'` with its items). */
export const FIRST_RELEASE = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
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
CREATE INDEX IF NOT EXISTS attempt_events_by_message ON attempt_events (message_id);
`;

/** The release before the versioned schema list (meta schema = 3), with the hold's and the rejection log's tables beside it. */
export const SCHEMA_3 = `${FIRST_RELEASE}
CREATE INDEX IF NOT EXISTS events_by_update ON events (status, updated_at);
CREATE INDEX IF NOT EXISTS events_by_received ON events (received_at, message_id);
CREATE INDEX IF NOT EXISTS events_by_status_received ON events (status, received_at, message_id);
CREATE INDEX IF NOT EXISTS events_by_name ON events (name, received_at, message_id);
CREATE INDEX IF NOT EXISTS events_by_user ON events (user_id, received_at, message_id);
CREATE INDEX IF NOT EXISTS events_by_anonymous ON events (anonymous_id, received_at, message_id);
CREATE INDEX IF NOT EXISTS events_by_change ON events (updated_at, message_id);
CREATE INDEX IF NOT EXISTS attempts_by_time ON attempts (at);
CREATE INDEX IF NOT EXISTS attempt_events_by_attempt ON attempt_events (attempt_id);
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
CREATE INDEX IF NOT EXISTS outbox_in_flight ON outbox (in_flight) WHERE in_flight IS NOT NULL;
ALTER TABLE attempts ADD COLUMN unit_events INTEGER NOT NULL DEFAULT 0;
ALTER TABLE attempts ADD COLUMN unit_customers INTEGER NOT NULL DEFAULT 0;
ALTER TABLE attempts ADD COLUMN unit_merges INTEGER NOT NULL DEFAULT 0;
ALTER TABLE attempts ADD COLUMN rate_limit TEXT;
CREATE TABLE IF NOT EXISTS held (message_id TEXT PRIMARY KEY, anonymous_id TEXT NOT NULL, hold_until INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS held_by_anonymous ON held (anonymous_id);
CREATE INDEX IF NOT EXISTS held_by_deadline ON held (hold_until);
CREATE TABLE IF NOT EXISTS identity_links (anonymous_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, linked_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS identity_links_by_age ON identity_links (linked_at);
CREATE TABLE IF NOT EXISTS rejection_counts (error TEXT PRIMARY KEY, status INTEGER NOT NULL, count INTEGER NOT NULL, first_at INTEGER NOT NULL, last_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS rejections (id INTEGER PRIMARY KEY AUTOINCREMENT, entry TEXT NOT NULL);
INSERT INTO meta (key, value) VALUES ('schema', '3');
`;
