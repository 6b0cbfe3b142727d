import type { DeliveryItem } from '../../moengage/payloads';
import type { RateHeaders } from '../../moengage/rateHeaders';
import type { IngestRecord } from '../record';
import type { DerivedStatus } from '../status';

/**
 * The event log's writes: one `events` row per message the queue was given (what came in, what it
 * mapped to, where it stands), the `attempts` that carried it, and retention. The debugger reads
 * it through logReads.ts and logStats.ts. Its rows are written behind (logStaging.ts).
 */

const ids = (values: readonly (number | string)[]) => JSON.stringify(values);
/** Messages per settling statement (bounds one statement's JSON argument). */
const SETTLE_CHUNK = 5_000;


/** Statuses an event no longer leaves by itself and the log's retention forgets (dead letters have their own bound). */
const FINISHED = ['delivered', 'dropped'] as const;

export interface StoredAttempt {
  url: string;
  body: unknown;
  bytes: number;
  at: number;
  /** What the request spends of MoEngage's per-minute limits (the debugger's throughput chart). */
  units?: { events: number; customers: number; merges: number };
}

export interface AttemptResult {
  status: number;
  responseBody: unknown;
  requestId?: string;
  durationMs: number;
  error?: string;
  /** MoEngage's x-ratelimit-* headers and Retry-After: as sent, and as the client read them. */
  rate?: RateHeaders;
}

/** How a new row starts: its status, and why when it has a reason. */
export interface FirstStatus {
  status: string;
  reason: string | null;
  detail: string | null;
  nextAttemptAt: number | null;
}

export class EventLog {
  constructor(private readonly sql: SqlStorage) {}

  /** Messages' statuses as their outbox items say (status.ts), messageId → status. */
  settle(statuses: ReadonlyMap<string, DerivedStatus>, now: number): void {
    const rows = [...statuses].map(([m, d]) => [m, d.status, d.reason, d.detail, d.nextAttemptAt]);
    // One statement per chunk rather than one per message (a resume settles a whole backlog).
    for (let i = 0; i < rows.length; i += SETTLE_CHUNK) {
      this.sql.exec(
        `UPDATE events SET status = s.value ->> 1, reason = s.value ->> 2, detail = s.value ->> 3, next_attempt_at = s.value ->> 4, updated_at = ?
         FROM json_each(?) AS s WHERE events.message_id = s.value ->> 0`,
        now,
        JSON.stringify(rows.slice(i, i + SETTLE_CHUNK)),
      );
    }
  }

  /**
   * Messages with nothing left to deliver are delivered. A note from before (released from the
   * hold, replayed) stays, with `note` after it; a failure's detail does not.
   */
  delivered(messageIds: readonly string[], note: string | null, now: number): void {
    this.sql.exec(
      `UPDATE events SET status = 'delivered',
         detail = CASE WHEN reason IS NULL AND detail IS NOT NULL THEN detail || coalesce('; ' || ?1, '') ELSE ?1 END,
         reason = NULL, next_attempt_at = NULL, updated_at = ?2
       WHERE message_id IN (SELECT DISTINCT value FROM json_each(?3))
         AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = events.message_id)`,
      note,
      now,
      ids(messageIds),
    );
  }

  /** The items of a message still held for its anonymous visitor (undefined once it is not). */
  heldItems(messageId: string): DeliveryItem[] | undefined {
    const row = this.sql.exec<{ items: string }>(`SELECT items FROM events WHERE message_id = ? AND status = 'held'`, messageId).toArray()[0];
    return row ? (JSON.parse(row.items) as DeliveryItem[]) : undefined;
  }

  /** A held message released as its user: queued with the identified items, due at `dueAt`. */
  released(messageId: string, items: readonly DeliveryItem[], detail: string, dueAt: number, now: number): void {
    this.sql.exec(
      `UPDATE events SET status = 'queued', items = ?, detail = ?, next_attempt_at = ?, updated_at = ? WHERE message_id = ?`,
      JSON.stringify(items),
      detail,
      dueAt,
      now,
      messageId,
    );
  }

  /** A held message whose window ended before its visitor was identified. */
  unidentified(messageId: string, anonymousId: string, now: number): void {
    this.sql.exec(
      `UPDATE events SET status = 'dropped', reason = 'anonymous_not_identified', detail = ?, next_attempt_at = NULL, updated_at = ?
       WHERE message_id = ? AND status = 'held'`,
      `anonymousId "${anonymousId}" was not linked to a userId within the hold window (ANONYMOUS_HOLD_MINUTES)`,
      now,
      messageId,
    );
  }

  /** A message that waits while the connection is paused shows the pause. */
  paused(messageId: string, pause: { reason: string; detail: string }): void {
    this.sql.exec(`UPDATE events SET status = 'paused', reason = ?, detail = ? WHERE message_id = ?`, pause.reason, pause.detail, messageId);
  }

  /** The connection is paused: every waiting event shows it (and why). */
  markPaused(pause: { reason: string; detail: string }, now: number): void {
    this.sql.exec(
      `UPDATE events SET status = 'paused', reason = ?, detail = ?, updated_at = ? WHERE status IN ('queued', 'retrying', 'paused')`,
      pause.reason,
      pause.detail,
      now,
    );
  }

  /** Messages of a status (optionally of one reason). */
  withStatus(status: string, reason?: string): string[] {
    const where = reason === undefined ? '' : 'AND reason = ?';
    return this.sql
      .exec<{ message_id: string }>(`SELECT message_id FROM events WHERE status = ? ${where}`, status, ...(reason === undefined ? [] : [reason]))
      .toArray()
      .map((r) => r.message_id);
  }

  countWithStatus(status: string, reason?: string): number {
    const where = reason === undefined ? '' : 'AND reason = ?';
    return this.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM events WHERE status = ? ${where}`, status, ...(reason === undefined ? [] : [reason])).one().n;
  }

  /** Each stored message's status (unknown ids are absent). */
  statuses(messageIds: readonly string[]): Map<string, string> {
    const rows = this.sql
      .exec<{ message_id: string; status: string }>(`SELECT message_id, status FROM events WHERE message_id IN (SELECT value FROM json_each(?))`, ids(messageIds))
      .toArray();
    return new Map(rows.map((r) => [r.message_id, r.status]));
  }

  note(messageIds: readonly string[], detail: string): void {
    this.sql.exec(`UPDATE events SET detail = ? WHERE message_id IN (SELECT value FROM json_each(?))`, detail, ids(messageIds));
  }

  countDead(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM events WHERE status = 'dead'").one().n;
  }

  // --- attempts ---

  /** The attempt row, written before the request leaves ('in flight' until its answer is recorded). */
  beginAttempt(attempt: StoredAttempt): number {
    return this.sql
      .exec<{ id: number }>(
        `INSERT INTO attempts (at, url, request, bytes, status, response, request_id, duration_ms, error, unit_events, unit_customers, unit_merges)
         VALUES (?, ?, ?, ?, 0, NULL, NULL, 0, 'in flight', ?, ?, ?) RETURNING id`,
        attempt.at,
        attempt.url,
        JSON.stringify(attempt.body),
        attempt.bytes,
        attempt.units?.events ?? 0,
        attempt.units?.customers ?? 0,
        attempt.units?.merges ?? 0,
      )
      .one().id;
  }

  /** The messages an attempt carries, each counting one more attempt. */
  carried(attemptId: number, messageIds: readonly string[]): void {
    this.sql.exec(`INSERT INTO attempt_events (attempt_id, message_id) SELECT ?, value FROM json_each(?)`, attemptId, ids(messageIds));
    this.sql.exec(`UPDATE events SET attempts = attempts + 1 WHERE message_id IN (SELECT value FROM json_each(?))`, ids(messageIds));
  }

  /** Records MoEngage's answer (or why none came) on the attempt. */
  finishAttempt(attemptId: number, result: AttemptResult, note?: string): void {
    this.sql.exec(
      `UPDATE attempts SET status = ?, response = ?, request_id = ?, duration_ms = ?, error = ?, rate_limit = ? WHERE id = ?`,
      result.status,
      JSON.stringify(result.responseBody ?? null),
      result.requestId ?? null,
      result.durationMs,
      [result.error, note].filter(Boolean).join('; ') || null,
      result.rate ? JSON.stringify(result.rate) : null,
      attemptId,
    );
  }

  /** An attempt whose answer was never recorded: say so on it, and why (`why`). */
  interruptAttempt(attemptId: number, now: number, why: string): void {
    this.sql.exec(
      `UPDATE attempts SET error = ? WHERE id = ?`,
      `interrupted at ${new Date(now).toISOString()}: ${why}; the events were sent again (MoEngage may have received them twice)`,
      attemptId,
    );
  }

  // --- retention ---

  /**
   * Forgets finished events (delivered, dropped) last changed before `cutoff`, at most `limit`,
   * with their attempts: the log's retention, which is also the dedupe window. Dead letters stay
   * until replayed or purged (`forgetDead`).
   */
  forgetFinished(cutoff: number, limit: number): string[] {
    return this.forget(`SELECT rowid FROM events WHERE status IN ('delivered', 'dropped') AND updated_at < ? LIMIT ?`, [cutoff, limit], cutoff);
  }

  /**
   * Forgets dead letters dead since before `cutoff` (optionally of one reason), at most `limit`:
   * DEAD_LETTER_RETENTION_DAYS, or an operator's purge.
   */
  forgetDead(cutoff: number, limit: number, reason?: string): string[] {
    return reason === undefined
      ? this.forget(`SELECT rowid FROM events WHERE status = 'dead' AND updated_at < ? LIMIT ?`, [cutoff, limit], cutoff)
      : this.forget(`SELECT rowid FROM events WHERE status = 'dead' AND updated_at < ? AND reason = ? LIMIT ?`, [cutoff, reason, limit], cutoff);
  }

  /** When the oldest dead letter died (its last change), or null. */
  oldestDeadAt(): number | null {
    return this.sql.exec<{ at: number }>("SELECT updated_at AS at FROM events WHERE status = 'dead' ORDER BY updated_at LIMIT 1").toArray()[0]?.at ?? null;
  }

  /** Forgets the `n` oldest delivered and dropped events (dead letters wait for the time retention). */
  forgetOldest(n: number): string[] {
    return this.forget(`SELECT rowid FROM events WHERE status IN ('delivered', 'dropped') ORDER BY rowid LIMIT ?`, [n], Number.MAX_SAFE_INTEGER);
  }

  /** When the oldest finished event was last changed (retention counts from there), or null. */
  oldestFinishedAt(): number | null {
    let oldest: number | null = null;
    for (const status of FINISHED) {
      // One index seek per status (events_by_update); min() over an IN list would scan.
      const row = this.sql.exec<{ at: number }>('SELECT updated_at AS at FROM events WHERE status = ? ORDER BY updated_at LIMIT 1', status).toArray()[0];
      if (row && (oldest === null || row.at < oldest)) oldest = row.at;
    }
    return oldest;
  }

  /** Rows in the log and when the oldest one arrived: the dedupe window in effect. */
  extent(): { events: number; oldestReceivedAt: number | null } {
    const row = this.sql.exec<{ n: number; oldest: number | null }>('SELECT count(*) AS n, min(received_at) AS oldest FROM events').one();
    return { events: row.n, oldestReceivedAt: row.oldest };
  }

  size(): number {
    return this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM events').one().n;
  }

  /** Forgets the rows `select` names, and attempts started before `attemptsBefore` that carried nothing else. */
  private forget(select: string, args: readonly (number | string)[], attemptsBefore: number): string[] {
    const rows = this.sql
      .exec<{ message_id: string; claimed: string }>(
        `DELETE FROM events WHERE rowid IN (${select}) RETURNING message_id, coalesce(claimed_id, message_id) AS claimed`,
        ...args,
      )
      .toArray();
    const gone = rows.map((r) => r.message_id);
    if (!gone.length) return gone;
    // Their dedupe keys go with them (messageKeys.ts): a key names its log row, so `log_id` decides;
    // the messageIds the senders claimed only let SQLite find the keys by their primary key.
    this.sql.exec(
      `DELETE FROM message_keys WHERE message_id IN (SELECT value FROM json_each(?)) AND log_id IN (SELECT value FROM json_each(?))`,
      ids(rows.map((r) => r.claimed)),
      ids(gone),
    );
    this.sql.exec(`DELETE FROM attempt_events WHERE message_id IN (SELECT value FROM json_each(?))`, ids(gone));
    this.sql.exec(`DELETE FROM attempts WHERE at < ? AND NOT EXISTS (SELECT 1 FROM attempt_events e WHERE e.attempt_id = attempts.id)`, attemptsBefore);
    return gone;
  }
}
