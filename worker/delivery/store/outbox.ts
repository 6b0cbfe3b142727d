import type { DeliveryItem } from '../../moengage/payloads';
import type { Pending } from '../packer';
import type { ItemState } from '../status';

/**
 * The work queue: one row per MoEngage item still to deliver (`ready`, possibly in flight) or
 * dead-lettered (`dead`, until replayed or forgotten with its event). Nothing here touches the
 * event log; methods return the messages they affected so the caller can settle their status.
 */

const ids = (values: readonly (number | string)[]) => JSON.stringify(values);
/** Messages per statement when many are read at once (bounds one statement's JSON argument). */
const CHUNK = 10_000;

export interface OutboxStats {
  waiting: number;
  inFlight: number;
  oldestQueuedAt: number | null;
  nextAttemptAt: number | null;
}

export type ItemKind = DeliveryItem['kind'];
const KINDS: readonly ItemKind[] = ['event', 'customer', 'merge'];

export class Outbox {
  /** Ready rows; kept in step by every method that adds or removes some (checked by `recount`). */
  private ready: number;

  constructor(private readonly sql: SqlStorage) {
    this.ready = this.recount();
  }

  get waiting(): number {
    return this.ready;
  }

  recount(): number {
    this.ready = this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox WHERE state = 'ready'").one().n;
    return this.ready;
  }

  /** Queues a message's items, due at `dueAt`; returns how many. */
  add(messageId: string, items: readonly DeliveryItem[], now: number, dueAt: number): number {
    for (const item of items) {
      this.sql.exec(
        `INSERT INTO outbox (message_id, kind, item, state, queued_at, next_attempt_at) VALUES (?, ?, ?, 'ready', ?, ?)`,
        messageId,
        item.kind,
        JSON.stringify(item),
        now,
        dueAt,
      );
    }
    this.ready += items.length;
    return items.length;
  }

  /** Queues a batch's items in order, due at `dueAt`: each row a message and one item's JSON text (packedRecord.ts). Returns how many. */
  addAll(rows: readonly [messageId: string, item: string][], now: number, dueAt: number): number {
    for (const [messageId, item] of rows) {
      this.sql.exec(
        `INSERT INTO outbox (message_id, kind, item, state, queued_at, next_attempt_at) VALUES (?1, json_extract(?2, '$.kind'), ?2, 'ready', ?3, ?4)`,
        messageId,
        item,
        now,
        dueAt,
      );
    }
    this.ready += rows.length;
    return rows.length;
  }

  /** A refused batch rolled back: forget the count its rows added. */
  uncount(n: number): void {
    this.ready -= n;
  }

  /**
   * Ready items due at `now` and not in flight, oldest due first, at most `limits[kind]` of each
   * kind: each kind has its own rate budget, so a backlog of one never holds the others back.
   */
  due(now: number, limits: Partial<Record<ItemKind, number>>): Pending[] {
    const out: Pending[] = [];
    for (const [kind, limit] of Object.entries(limits)) {
      if (!limit || limit <= 0) continue;
      const rows = this.sql.exec<{ id: number; item: string }>(
        `SELECT id, item FROM outbox WHERE state = 'ready' AND kind = ? AND next_attempt_at <= ? AND in_flight IS NULL
         ORDER BY next_attempt_at, id LIMIT ?`,
        kind,
        now,
        limit,
      );
      for (const row of rows) out.push({ key: row.id, item: JSON.parse(row.item) as DeliveryItem });
    }
    return out;
  }

  /** Per kind, the earliest time a ready item not in flight becomes due (absent when none waits). */
  nextDue(): Partial<Record<ItemKind, number>> {
    const out: Partial<Record<ItemKind, number>> = {};
    for (const kind of KINDS) {
      const row = this.sql
        .exec<{ at: number }>(
          `SELECT next_attempt_at AS at FROM outbox WHERE state = 'ready' AND kind = ? AND in_flight IS NULL ORDER BY next_attempt_at LIMIT 1`,
          kind,
        )
        .toArray()[0];
      if (row) out[kind] = row.at;
    }
    return out;
  }

  /** Marks items as carried by an attempt (the in-flight marker); returns their messages. */
  markInFlight(attemptId: number, keys: readonly number[]): string[] {
    this.sql.exec(`UPDATE outbox SET in_flight = ? WHERE id IN (SELECT value FROM json_each(?))`, attemptId, ids(keys));
    return this.sql
      .exec<{ message_id: string }>('SELECT DISTINCT message_id FROM outbox WHERE in_flight = ?', attemptId)
      .toArray()
      .map((r) => r.message_id);
  }

  /** Attempts marked in flight that this life of the object did not start (not in `live`). */
  orphans(live: ReadonlySet<number>): number[] {
    return this.sql
      .exec<{ id: number }>('SELECT DISTINCT in_flight AS id FROM outbox WHERE in_flight IS NOT NULL')
      .toArray()
      .map((r) => r.id)
      .filter((id) => !live.has(id));
  }

  /** Whether some item is still carried by this attempt (its answer not yet settled). */
  carries(attemptId: number): boolean {
    return this.sql.exec('SELECT 1 FROM outbox WHERE in_flight = ? LIMIT 1', attemptId).toArray().length > 0;
  }

  /** An orphaned attempt's items wait again (its outcome is unknown: they are sent again). */
  clearInFlight(attemptId: number): void {
    this.sql.exec('UPDATE outbox SET in_flight = NULL WHERE in_flight = ?', attemptId);
  }

  /** Items MoEngage accepted: gone. Returns their messages (with repeats, one per item). */
  remove(keys: readonly number[]): string[] {
    const messages = this.sql
      .exec<{ message_id: string }>(`DELETE FROM outbox WHERE id IN (SELECT value FROM json_each(?)) RETURNING message_id`, ids(keys))
      .toArray()
      .map((r) => r.message_id);
    this.ready -= messages.length;
    return messages;
  }

  /** Items sent but not settled (429, split, pause): waiting again, due at `dueAt` (or unchanged). */
  release(keys: readonly number[], dueAt: number | null): void {
    this.sql.exec(
      `UPDATE outbox SET in_flight = NULL, next_attempt_at = coalesce(?, next_attempt_at) WHERE id IN (SELECT value FROM json_each(?))`,
      dueAt,
      ids(keys),
    );
  }

  /** A failed attempt (5xx, timeout, network): each item retries at the time `next` gives, or dies. Returns how many died. */
  fail(
    keys: readonly number[],
    failure: { reason: string; detail: string },
    next: (failures: number) => { retry: true; at: number } | { retry: false },
  ): number {
    let dead = 0;
    const rows = this.sql
      .exec<{ id: number; failures: number }>(`SELECT id, failures FROM outbox WHERE id IN (SELECT value FROM json_each(?))`, ids(keys))
      .toArray();
    for (const row of rows) {
      const failures = row.failures + 1;
      const decision = next(failures);
      if (decision.retry) {
        this.sql.exec(
          `UPDATE outbox SET in_flight = NULL, failures = ?, next_attempt_at = ?, reason = ?, detail = ? WHERE id = ?`,
          failures,
          decision.at,
          failure.reason,
          failure.detail,
          row.id,
        );
      } else {
        dead++;
        this.sql.exec(
          `UPDATE outbox SET in_flight = NULL, failures = ?, state = 'dead', reason = ?, detail = ? WHERE id = ?`,
          failures,
          failure.reason,
          `${failure.detail} (gave up after ${failures} failed attempts)`,
          row.id,
        );
      }
    }
    this.ready -= dead;
    return dead;
  }

  /** Dead-letters waiting items with a reason; returns how many. */
  deadLetter(keys: readonly number[], reason: string, detail: string): number {
    const n = this.sql.exec(
      `UPDATE outbox SET in_flight = NULL, state = 'dead', reason = ?, detail = ? WHERE id IN (SELECT value FROM json_each(?)) AND state = 'ready'`,
      reason,
      detail,
      ids(keys),
    ).rowsWritten;
    this.ready -= n;
    return n;
  }

  /** Ready items queued before `cutoff` and not in flight. */
  expired(cutoff: number, limit: number): number[] {
    return this.sql
      .exec<{ id: number }>(`SELECT id FROM outbox WHERE state = 'ready' AND in_flight IS NULL AND queued_at < ? LIMIT ?`, cutoff, limit)
      .toArray()
      .map((r) => r.id);
  }

  /** Dead items of these messages wait again with fresh attempts and a fresh age; returns how many. */
  requeueDead(messageIds: readonly string[], now: number): number {
    const n = this.sql.exec(
      `UPDATE outbox SET state = 'ready', failures = 0, in_flight = NULL, queued_at = ?, next_attempt_at = ?, reason = NULL, detail = NULL
       WHERE state = 'dead' AND message_id IN (SELECT value FROM json_each(?))`,
      now,
      now,
      ids(messageIds),
    ).rowsWritten;
    this.ready += n;
    return n;
  }

  /** Waiting items of these messages are due no later than `now` (a resumed connection). */
  dueBy(messageIds: readonly string[], now: number): void {
    this.sql.exec(
      `UPDATE outbox SET next_attempt_at = min(next_attempt_at, ?) WHERE state = 'ready' AND message_id IN (SELECT value FROM json_each(?))`,
      now,
      ids(messageIds),
    );
  }

  /**
   * A rate-limit wait was lifted (resume): waiting items it held back (due after `now`, no later
   * than `until`) are due now. Returns their messages.
   */
  liftWait(now: number, until: number): string[] {
    return this.sql
      .exec<{ message_id: string }>(
        `UPDATE outbox SET next_attempt_at = ? WHERE state = 'ready' AND in_flight IS NULL AND next_attempt_at > ? AND next_attempt_at <= ? RETURNING message_id`,
        now,
        now,
        until,
      )
      .toArray()
      .map((r) => r.message_id);
  }

  /** Forgets the dead items of messages the log forgot. */
  dropDead(messageIds: readonly string[]): void {
    this.sql.exec(`DELETE FROM outbox WHERE state = 'dead' AND message_id IN (SELECT value FROM json_each(?))`, ids(messageIds));
  }

  /** Those of `keys` still stored, in the order given (an erasure may remove items while a flush waits on I/O). */
  present(keys: readonly number[]): number[] {
    const stored = new Set(this.sql.exec<{ id: number }>(`SELECT id FROM outbox WHERE id IN (SELECT value FROM json_each(?))`, ids(keys)).toArray().map((r) => r.id));
    return stored.size === keys.length ? [...keys] : keys.filter((k) => stored.has(k));
  }

  /** The distinct messages of these items. */
  messagesOf(keys: readonly number[]): string[] {
    return this.sql
      .exec<{ message_id: string }>(`SELECT DISTINCT message_id FROM outbox WHERE id IN (SELECT value FROM json_each(?))`, ids(keys))
      .toArray()
      .map((r) => r.message_id);
  }

  /** Those of `messages` that still have items (multi-item messages part way through). */
  unsettled(messages: readonly string[]): string[] {
    return this.sql
      .exec<{ message_id: string }>(`SELECT DISTINCT message_id FROM outbox WHERE message_id IN (SELECT value FROM json_each(?))`, ids(messages))
      .toArray()
      .map((r) => r.message_id);
  }

  /**
   * The items of each of `messages`, in row order, as their status needs them: one read for them
   * all (a resume settles a whole paused backlog; a query per message kept the object busy for a minute).
   */
  itemsOfMessages(messages: readonly string[]): Map<string, ItemState[]> {
    const items = new Map<string, ItemState[]>(messages.map((m) => [m, []]));
    for (let i = 0; i < messages.length; i += CHUNK) {
      const rows = this.sql.exec<{ message_id: string; state: ItemState['state']; failures: number; next_attempt_at: number; reason: string | null; detail: string | null }>(
        'SELECT message_id, state, failures, next_attempt_at, reason, detail FROM outbox WHERE message_id IN (SELECT value FROM json_each(?)) ORDER BY id',
        ids(messages.slice(i, i + CHUNK)),
      );
      for (const r of rows) items.get(r.message_id)?.push({ state: r.state, failures: r.failures, nextAttemptAt: r.next_attempt_at, reason: r.reason, detail: r.detail });
    }
    return items;
  }

  /** When the oldest waiting item was queued (an index seek: cheap enough for every flush). */
  oldestQueuedAt(): number | null {
    return this.sql.exec<{ at: number | null }>("SELECT min(queued_at) AS at FROM outbox WHERE state = 'ready'").one().at;
  }

  stats(): OutboxStats {
    const row = this.sql
      .exec<{ waiting: number; in_flight: number; oldest: number | null; next: number | null }>(
        `SELECT count(*) AS waiting, count(in_flight) AS in_flight, min(queued_at) AS oldest, min(next_attempt_at) AS next
         FROM outbox WHERE state = 'ready'`,
      )
      .one();
    this.ready = row.waiting;
    return { waiting: row.waiting, inFlight: row.in_flight, oldestQueuedAt: row.oldest, nextAttemptAt: row.next };
  }
}
