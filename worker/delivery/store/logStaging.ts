import { itemsText, type PackedRecord } from '../packedRecord';
import type { FirstStatus } from './eventLog';
import type { PauseInfo } from './meta';

/**
 * The event log, written behind. Ingest stages each new message's row in `log_staging`, a table
 * with no index to keep up (the log's `events` has the debugger's), in the batch's transaction;
 * `drain()` moves staged rows into `events` in one statement — from the alarm, which an enqueue
 * brings within LOG_FLUSH_MS, and before anything reads or changes the log (queueStore.ts, the
 * debugger's reads), so nothing ever reads a log that misses a stored message.
 */

/** A staged row's columns, as `events` has them (attempts start at 0). */
const STAGED_COLUMNS =
  'message_id, claimed_id, received_at, type, name, user_id, anonymous_id, status, reason, detail, raw, items, omissions, next_attempt_at, updated_at';

/** A new message's log row: the record, how it starts, and the id its sender claimed when it is logged under another. */
export interface StagedRow {
  r: PackedRecord;
  first: FirstStatus;
  claimedId: string | null;
}

export class LogStaging {
  constructor(private readonly sql: SqlStorage) {}

  /** Rows staged since the last drain (-1: unknown, after a restart or a rolled-back transaction). */
  private staged = -1;

  /** Stages new messages' rows (dedupe is the message keys', messageKeys.ts: only new messages come here). */
  stageAll(rows: readonly StagedRow[], now: number): void {
    for (const { r, first, claimedId } of rows) {
      this.sql.exec(
        `INSERT INTO log_staging (${STAGED_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        r.messageId,
        claimedId,
        r.receivedAt,
        r.type,
        r.name,
        r.userId,
        r.anonymousId,
        first.status,
        first.reason,
        first.detail,
        r.raw,
        r.items === null ? null : itemsText(r.items),
        r.omissions,
        first.nextAttemptAt,
        now,
      );
    }
    if (this.staged >= 0) this.staged += rows.length;
  }

  /** Moves every staged row into the log, oldest first; returns how many (0 when none waited). */
  drain(): number {
    if (this.staged === 0) return 0;
    // The status each row enters the log with, counted per (status, reason) rather than by a trigger per row (counters.ts).
    this.sql.exec(
      `INSERT INTO counters (metric, a, b, value)
       SELECT 'events', status, coalesce(reason, ''), count(*) FROM log_staging
       WHERE message_id NOT IN (SELECT message_id FROM events) GROUP BY status, coalesce(reason, '')
       ON CONFLICT (metric, a, b) DO UPDATE SET value = value + excluded.value`,
    );
    const moved = this.sql.exec(
      `INSERT OR IGNORE INTO events (${STAGED_COLUMNS}) SELECT ${STAGED_COLUMNS} FROM log_staging ORDER BY rowid`,
    ).rowsWritten;
    this.sql.exec('DELETE FROM log_staging');
    this.staged = 0;
    return moved;
  }

  /** A transaction that staged or drained rolled back: what is staged is unknown again. */
  forgetStagedCount(): void {
    this.staged = -1;
  }

  /** Whether rows may wait in staging (the alarm must come to drain them); asks storage when unknown. */
  hasStaged(): boolean {
    if (this.staged < 0 && this.sql.exec('SELECT 1 FROM log_staging LIMIT 1').toArray().length === 0) this.staged = 0;
    return this.staged !== 0;
  }
}

/** How a new message's log row starts (a queued one shows the pause, if any). */
export function firstStatus(r: PackedRecord, pause: PauseInfo | null, dueAt: number): FirstStatus {
  const shownPaused = r.status === 'queued' && pause !== null;
  return {
    status: shownPaused ? 'paused' : r.status,
    reason: r.status === 'dropped' ? r.reason : shownPaused ? pause.reason : null,
    detail: r.status === 'dropped' ? r.detail : shownPaused ? pause.detail : null,
    nextAttemptAt: r.status === 'queued' ? dueAt : r.status === 'held' ? r.holdUntil : null,
  };
}
