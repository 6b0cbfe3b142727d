/**
 * MoEngage Delete User requests a queue still owes, or has sent: one row per user to delete in this
 * connection's workspace (`delete_requests`), and each request made for it (`delete_attempts`:
 * the URL and body sent, MoEngage's answer). They keep nothing of the erased user but the id being
 * deleted. Sent by delivery/deleteSender.ts; shown by GET /debugger/api/users/erasures, as the
 * types in delivery/logViews.ts (which the debugger page shares).
 */

import type { DeleteAttemptShown, DeleteRequestShown, DeleteState } from '../logViews';

/** The tables, as step 6 of the queue's schema (store/schema.ts). */
export function deleteRequestsSchema(sql: SqlStorage): void {
  sql.exec(`
CREATE TABLE IF NOT EXISTS delete_requests (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  customer_id TEXT NOT NULL,
  state TEXT NOT NULL,
  queued_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  failures INTEGER NOT NULL DEFAULT 0,
  reason TEXT,
  detail TEXT,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS delete_requests_due ON delete_requests (state, next_attempt_at);
CREATE TABLE IF NOT EXISTS delete_attempts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  request_id INTEGER NOT NULL,
  at INTEGER NOT NULL,
  url TEXT NOT NULL,
  body TEXT NOT NULL,
  status INTEGER NOT NULL,
  response TEXT,
  duration_ms INTEGER NOT NULL,
  error TEXT
);
CREATE INDEX IF NOT EXISTS delete_attempts_by_request ON delete_attempts (request_id);
CREATE INDEX IF NOT EXISTS delete_attempts_by_time ON delete_attempts (at);`);
}

export class DeleteRequests {
  constructor(private readonly sql: SqlStorage) {}

  /** Queues a Delete User for `customerId`, due now, unless one is already waiting; returns 1 when queued. */
  queue(customerId: string, now: number): number {
    const waiting = this.sql.exec("SELECT 1 FROM delete_requests WHERE customer_id = ? AND state = 'waiting'", customerId).toArray().length;
    if (waiting) return 0;
    this.sql.exec(
      "INSERT INTO delete_requests (customer_id, state, queued_at, next_attempt_at, updated_at) VALUES (?, 'waiting', ?, ?, ?)",
      customerId,
      now,
      now,
      now,
    );
    return 1;
  }

  due(now: number, limit: number): { id: number; customerId: string; failures: number }[] {
    return this.sql
      .exec<{ id: number; customer_id: string; failures: number }>(
        "SELECT id, customer_id, failures FROM delete_requests WHERE state = 'waiting' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?",
        now,
        limit,
      )
      .toArray()
      .map((r) => ({ id: r.id, customerId: r.customer_id, failures: r.failures }));
  }

  /** When the next waiting request is due, or null. */
  nextDue(): number | null {
    return this.sql.exec<{ at: number | null }>("SELECT min(next_attempt_at) AS at FROM delete_requests WHERE state = 'waiting'").one().at;
  }

  /** Requests sent since `since` (the 5,000-a-minute budget). */
  sentSince(since: number): number {
    return this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM delete_attempts WHERE at >= ?', since).one().n;
  }

  recordAttempt(requestId: number, a: Omit<DeleteAttemptShown, 'error'> & { error?: string | null }): void {
    this.sql.exec(
      'INSERT INTO delete_attempts (request_id, at, url, body, status, response, duration_ms, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      requestId,
      a.at,
      a.url,
      JSON.stringify(a.body),
      a.status,
      JSON.stringify(a.response ?? null),
      a.durationMs,
      a.error ?? null,
    );
  }

  /** The request's new state: `waiting` again at `nextAttemptAt`, `done` or `dead`. */
  settle(id: number, next: { state: DeleteState; nextAttemptAt?: number; failures?: number; reason: string | null; detail: string | null }, now: number): void {
    this.sql.exec(
      'UPDATE delete_requests SET state = ?, next_attempt_at = coalesce(?, next_attempt_at), failures = coalesce(?, failures), reason = ?, detail = ?, updated_at = ? WHERE id = ?',
      next.state,
      next.nextAttemptAt ?? null,
      next.failures ?? null,
      next.reason,
      next.detail,
      now,
      id,
    );
  }

  /** Waiting requests due no later than `now` (an operator's resume). */
  dueBy(now: number): void {
    this.sql.exec("UPDATE delete_requests SET next_attempt_at = min(next_attempt_at, ?) WHERE state = 'waiting'", now);
  }

  /** Done requests last changed before `doneBefore`, dead ones before `deadBefore`, with their attempts. */
  forgetOld(doneBefore: number, deadBefore: number): number {
    const gone = this.sql
      .exec<{ id: number }>(
        "DELETE FROM delete_requests WHERE (state = 'done' AND updated_at < ?) OR (state = 'dead' AND updated_at < ?) RETURNING id",
        doneBefore,
        deadBefore,
      )
      .toArray()
      .map((r) => r.id);
    if (gone.length) this.sql.exec('DELETE FROM delete_attempts WHERE request_id IN (SELECT value FROM json_each(?))', JSON.stringify(gone));
    return gone.length;
  }

  /** The newest requests first, each with its attempts (oldest first). */
  list(limit: number): DeleteRequestShown[] {
    const rows = this.sql
      .exec<{ id: number; customer_id: string; state: DeleteState; queued_at: number; next_attempt_at: number; failures: number; reason: string | null; detail: string | null; updated_at: number }>(
        'SELECT * FROM delete_requests ORDER BY id DESC LIMIT ?',
        limit,
      )
      .toArray();
    return rows.map((r) => ({
      id: r.id,
      customerId: r.customer_id,
      state: r.state,
      queuedAt: r.queued_at,
      nextAttemptAt: r.state === 'waiting' ? r.next_attempt_at : null,
      failures: r.failures,
      reason: r.reason,
      detail: r.detail,
      updatedAt: r.updated_at,
      attempts: this.sql
        .exec<{ at: number; url: string; body: string; status: number; response: string | null; duration_ms: number; error: string | null }>(
          'SELECT at, url, body, status, response, duration_ms, error FROM delete_attempts WHERE request_id = ? ORDER BY id',
          r.id,
        )
        .toArray()
        .map((a) => ({ at: a.at, url: a.url, body: JSON.parse(a.body), status: a.status, response: a.response === null ? null : JSON.parse(a.response), durationMs: a.duration_ms, error: a.error })),
    }));
  }
}
