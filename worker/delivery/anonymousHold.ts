import { checkCustomerId } from '../identity/customerId';
import type { DeliveryItem } from '../moengage/payloads';
import type { IngestRecord } from './record';

/**
 * ANONYMOUS=hold inside the DeliveryQueue: an anonymous visitor's events are stored with status
 * `held` (their items carry customer_id "") and listed in `held` with their deadline. A message
 * that carries both an anonymousId and a userId (identify, or any event after login; alias links
 * previousId too) releases them as that user; past the deadline they end `dropped` with reason
 * `anonymous_not_identified`. Links are remembered for a while, so an anonymous event arriving
 * just after its visitor was identified (another tab, a late beacon) goes out at once.
 *
 * Relies on the queue's `events` table columns: message_id, status, reason, detail, items,
 * next_attempt_at, updated_at.
 */
export const HOLD_SCHEMA = `
CREATE TABLE IF NOT EXISTS held (message_id TEXT PRIMARY KEY, anonymous_id TEXT NOT NULL, hold_until INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS held_by_anonymous ON held (anonymous_id);
CREATE INDEX IF NOT EXISTS held_by_deadline ON held (hold_until);
CREATE TABLE IF NOT EXISTS identity_links (anonymous_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, linked_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS identity_links_by_age ON identity_links (linked_at);
`;

/** Links older than the longest hold window can no longer release anything. */
export const LINK_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export function holdSchema(sql: SqlStorage): void {
  sql.exec(HOLD_SCHEMA);
}

/** Registers a held event (only if its row really is `held`: a retried batch must not re-hold a released event). */
export function storeHeld(sql: SqlStorage, messageId: string, anonymousId: string, holdUntil: number): void {
  sql.exec(
    `INSERT OR IGNORE INTO held (message_id, anonymous_id, hold_until)
     SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM events WHERE message_id = ? AND status = 'held')`,
    messageId,
    anonymousId,
    holdUntil,
    messageId,
  );
}

function withCustomer(items: DeliveryItem[], userId: string): DeliveryItem[] {
  return items.map((item) => (item.kind !== 'merge' && item.customer_id === '' ? { ...item, customer_id: userId } : item));
}

/** The queue's side of a release: give the event its outbox rows (DeliveryQueue → QueueStore.queueReleased). */
export type OnRelease = (messageId: string, items: DeliveryItem[]) => void;

/** Queues every held event of `anonymousId` as `userId`; returns how many were released. */
export function releaseHeld(sql: SqlStorage, anonymousId: string, userId: string, now: number, onRelease?: OnRelease): number {
  const rows = sql
    .exec<{ message_id: string; items: string }>(
      `SELECT e.message_id, e.items FROM held h JOIN events e ON e.message_id = h.message_id
       WHERE h.anonymous_id = ? AND e.status = 'held'`,
      anonymousId,
    )
    .toArray();
  for (const row of rows) {
    const items = withCustomer(JSON.parse(row.items) as DeliveryItem[], userId);
    sql.exec(
      `UPDATE events SET status = 'queued', items = ?, detail = ?, next_attempt_at = ?, updated_at = ? WHERE message_id = ?`,
      JSON.stringify(items),
      `held while anonymous; released when anonymousId "${anonymousId}" was identified as "${userId}"`,
      now,
      now,
      row.message_id,
    );
    onRelease?.(row.message_id, items);
  }
  sql.exec('DELETE FROM held WHERE anonymous_id = ?', anonymousId);
  return rows.length;
}

/** Ends every hold whose window has passed as `dropped` (anonymous_not_identified); returns how many. */
export function expireHeld(sql: SqlStorage, now: number): number {
  const expired = sql
    .exec<{ message_id: string; anonymous_id: string }>('SELECT message_id, anonymous_id FROM held WHERE hold_until <= ?', now)
    .toArray();
  for (const row of expired) {
    sql.exec(
      `UPDATE events SET status = 'dropped', reason = 'anonymous_not_identified', detail = ?, next_attempt_at = NULL, updated_at = ?
       WHERE message_id = ? AND status = 'held'`,
      `anonymousId "${row.anonymous_id}" was not linked to a userId within the hold window (ANONYMOUS_HOLD_MINUTES)`,
      now,
      row.message_id,
    );
  }
  sql.exec('DELETE FROM held WHERE hold_until <= ?', now);
  sql.exec('DELETE FROM identity_links WHERE linked_at <= ?', now - LINK_TTL_MS);
  return expired.length;
}

/** When the next hold ends (for the alarm), or null. */
export function nextHoldDeadline(sql: SqlStorage): number | null {
  return sql.exec<{ at: number | null }>('SELECT min(hold_until) AS at FROM held').one().at;
}

/** (anonymousId, userId) pairs a record proves belong together. */
export function linksOf(record: IngestRecord): [anonymousId: string, userId: string][] {
  const user = checkCustomerId(record.userId);
  if (!user.ok) return [];
  const links: [string, string][] = [];
  if (record.anonymousId != null && record.anonymousId !== user.id) links.push([record.anonymousId, user.id]);
  const raw = record.raw as { type?: unknown; previousId?: unknown } | null;
  if (record.type === 'alias' && raw && (typeof raw.previousId === 'string' || typeof raw.previousId === 'number')) {
    const previous = String(raw.previousId);
    if (previous !== user.id) links.push([previous, user.id]);
  }
  return links;
}

/**
 * After a batch is stored (same transaction): registers its held events, remembers the links it
 * carries, and releases what they unlock. Returns how many events became `queued`.
 */
export function admitHeld(sql: SqlStorage, records: readonly IngestRecord[], now: number, onRelease?: OnRelease): number {
  for (const r of records) {
    if (r.outcome.status === 'held' && r.anonymousId != null) storeHeld(sql, r.messageId, r.anonymousId, r.outcome.holdUntil);
  }
  let released = 0;
  // A batch usually repeats one visitor's link on every message: a link already written in this
  // batch changes nothing, and with nothing held there is nothing to release (ingest cost, issue 5).
  const written = new Map<string, string>();
  const anythingHeld = sql.exec('SELECT 1 FROM held LIMIT 1').toArray().length > 0;
  for (const r of records) {
    for (const [anonymousId, userId] of linksOf(r)) {
      if (written.get(anonymousId) === userId) continue;
      written.set(anonymousId, userId);
      sql.exec('INSERT OR REPLACE INTO identity_links (anonymous_id, user_id, linked_at) VALUES (?, ?, ?)', anonymousId, userId, now);
      if (anythingHeld) released += releaseHeld(sql, anonymousId, userId, now, onRelease);
    }
  }
  // Held events of visitors identified earlier (the link is already known).
  for (const r of records) {
    if (r.outcome.status !== 'held' || r.anonymousId == null) continue;
    const link = sql.exec<{ user_id: string }>('SELECT user_id FROM identity_links WHERE anonymous_id = ?', r.anonymousId).toArray()[0];
    if (link) released += releaseHeld(sql, r.anonymousId, link.user_id, now, onRelease);
  }
  return released;
}
