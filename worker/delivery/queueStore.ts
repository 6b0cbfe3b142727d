import type { DeliveryItem } from '../moengage/payloads';
import type { RateHeaders } from '../moengage/rateHeaders';
import type { Pending } from './packer';
import type { IngestRecord } from './record';

/**
 * The DeliveryQueue's SQLite storage: the event log the debugger reads (`events`, `attempts`,
 * `attempt_events`, see debugger/eventLog.ts) and the work queue (`outbox`, one row per MoEngage
 * item still to deliver or dead-lettered). All SQL of delivery lives here.
 *
 * An event's `status` in the log follows its outbox rows: dead if one is dead, else paused/
 * retrying/queued while one waits, delivered when none is left.
 */

const SCHEMA = `
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
CREATE INDEX IF NOT EXISTS events_by_update ON events (status, updated_at);
-- The debugger's reads (debugger/eventLog.ts): newest first with a (received_at, message_id) cursor,
-- unfiltered or by one status, event name, user id or anonymous id; the live tail reads by change time.
CREATE INDEX IF NOT EXISTS events_by_received ON events (received_at, message_id);
CREATE INDEX IF NOT EXISTS events_by_status_received ON events (status, received_at, message_id);
CREATE INDEX IF NOT EXISTS events_by_name ON events (name, received_at, message_id);
CREATE INDEX IF NOT EXISTS events_by_user ON events (user_id, received_at, message_id);
CREATE INDEX IF NOT EXISTS events_by_anonymous ON events (anonymous_id, received_at, message_id);
CREATE INDEX IF NOT EXISTS events_by_change ON events (updated_at, message_id);
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
CREATE INDEX IF NOT EXISTS attempts_by_time ON attempts (at);
CREATE TABLE IF NOT EXISTS attempt_events (attempt_id INTEGER NOT NULL, message_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS attempt_events_by_message ON attempt_events (message_id);
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
`;

/** Outbox states: `ready` waits for delivery (or is in flight), `dead` waits for a replay. */
type OutboxState = 'ready' | 'dead';

export interface PauseInfo {
  reason: string;
  detail: string;
  since: number;
  /** Hash of the connection settings the pause happened with (config/fingerprint.ts); never the key. */
  fingerprint: string;
}

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

/** Statuses an event no longer leaves by itself: what retention forgets. */
const FINISHED = ['delivered', 'dropped', 'dead'] as const;

export interface ReplaySelector {
  messageIds?: string[];
  reason?: string;
  all?: boolean;
}

export interface ReplayResult {
  /** Dead-lettered events queued again. */
  replayed: number;
  /** Paused events among the selection (they move when the connection resumes). */
  paused: number;
  /** Selected by messageId but not replayable (unknown, delivered, waiting…), with their status. */
  skipped: { messageId: string; status: string | null }[];
}

export interface QueueStats {
  waiting: number;
  inFlight: number;
  dead: number;
  oldestQueuedAt: number | null;
  nextAttemptAt: number | null;
  storageBytes: number;
}

const ids = (values: readonly (number | string)[]) => JSON.stringify(values);

export class QueueStore {
  private readonly sql: SqlStorage;
  /** Ready outbox rows; kept in step by every method that adds or removes some (checked by `recount`). */
  private waiting: number;

  constructor(private readonly storage: DurableObjectStorage) {
    this.sql = storage.sql;
    this.sql.exec(SCHEMA);
    this.migrate();
    this.waiting = this.recount();
  }

  /** Schema versions: 2 = the outbox; 3 = attempts carry their units and MoEngage's rate headers. */
  private migrate(): void {
    const version = this.getMeta<number>('schema') ?? 0;
    if (version < 2) this.migrateFoundationQueue();
    if (version < 3) {
      this.storage.transactionSync(() => {
        this.sql.exec(`ALTER TABLE attempts ADD COLUMN unit_events INTEGER NOT NULL DEFAULT 0`);
        this.sql.exec(`ALTER TABLE attempts ADD COLUMN unit_customers INTEGER NOT NULL DEFAULT 0`);
        this.sql.exec(`ALTER TABLE attempts ADD COLUMN unit_merges INTEGER NOT NULL DEFAULT 0`);
        this.sql.exec(`ALTER TABLE attempts ADD COLUMN rate_limit TEXT`);
        this.setMeta('schema', 3);
      });
    }
  }

  /** The foundation kept queued work in `events` only: give those events their outbox rows once. */
  private migrateFoundationQueue(): void {
    this.storage.transactionSync(() => {
      const rows = this.sql
        .exec<{ message_id: string; items: string; received_at: number }>(
          `SELECT message_id, items, received_at FROM events e WHERE status IN ('queued', 'retrying') AND items IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = e.message_id)`,
        )
        .toArray();
      for (const row of rows) {
        for (const item of JSON.parse(row.items) as DeliveryItem[]) {
          this.sql.exec(
            `INSERT INTO outbox (message_id, kind, item, state, queued_at, next_attempt_at) VALUES (?, ?, ?, 'ready', ?, ?)`,
            row.message_id,
            item.kind,
            JSON.stringify(item),
            row.received_at,
            row.received_at,
          );
        }
      }
      this.setMeta('schema', 2);
    });
  }

  recount(): number {
    this.waiting = this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox WHERE state = 'ready'").one().n;
    return this.waiting;
  }

  get waitingCount(): number {
    return this.waiting;
  }

  getMeta<T>(key: string): T | undefined {
    const row = this.sql.exec<{ value: string }>('SELECT value FROM meta WHERE key = ?', key).toArray()[0];
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  setMeta(key: string, value: unknown): void {
    this.sql.exec('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', key, JSON.stringify(value));
  }

  deleteMeta(key: string): void {
    this.sql.exec('DELETE FROM meta WHERE key = ?', key);
  }

  /** The connection this queue serves (its Durable Object name), stored as plain text. */
  rememberConnection(id: string): void {
    this.sql.exec("INSERT OR IGNORE INTO meta (key, value) VALUES ('connection', ?)", id);
  }

  connectionId(): string | undefined {
    return this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'connection'").toArray()[0]?.value;
  }

  /**
   * Stores a batch in one transaction: every record in the log (deduplicated by messageId), queued
   * ones with their outbox rows. `admit` sees how many new items would wait and may refuse the
   * batch, in which case nothing at all is stored.
   */
  insert(
    records: readonly IngestRecord[],
    options: {
      now: number;
      dueAt: number;
      paused: PauseInfo | null;
      admit: (incoming: number) => boolean;
      /** Runs in the same transaction after the records are stored (the anonymous hold); returns items it queued. */
      after?: () => number;
    },
  ): { duplicates: string[]; queued: number; refused: boolean } {
    const { now, dueAt, paused } = options;
    const duplicates: string[] = [];
    let queued = 0;
    class Refused extends Error {}
    try {
      this.storage.transactionSync(() => {
        for (const r of records) {
          const { outcome } = r;
          const status = outcome.status === 'queued' && paused ? 'paused' : outcome.status;
          const cursor = this.sql.exec(
            `INSERT OR IGNORE INTO events (message_id, received_at, type, name, user_id, anonymous_id, status, reason, detail, raw, items, omissions, next_attempt_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            r.messageId,
            r.receivedAt,
            r.type,
            r.name,
            r.userId,
            r.anonymousId,
            status,
            outcome.status === 'dropped' ? outcome.reason : status === 'paused' ? (paused?.reason ?? null) : null,
            outcome.status === 'dropped' ? outcome.detail : status === 'paused' ? (paused?.detail ?? null) : null,
            JSON.stringify(r.raw),
            outcome.status === 'dropped' ? null : JSON.stringify(outcome.items),
            outcome.omissions.length ? JSON.stringify(outcome.omissions) : null,
            outcome.status === 'queued' ? dueAt : outcome.status === 'held' ? outcome.holdUntil : null,
            now,
          );
          if (cursor.rowsWritten === 0) {
            duplicates.push(r.messageId);
            continue;
          }
          if (outcome.status === 'queued') queued += this.addItems(r.messageId, outcome.items, now, dueAt);
        }
        if (options.after) queued += options.after();
        if (!options.admit(queued)) throw new Refused();
      });
    } catch (error) {
      if (error instanceof Refused) return { duplicates: [], queued: 0, refused: true };
      throw error;
    }
    this.waiting += queued;
    return { duplicates, queued, refused: false };
  }

  private addItems(messageId: string, items: readonly DeliveryItem[], now: number, dueAt: number): number {
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
    return items.length;
  }

  /**
   * The anonymous hold released an event (anonymousHold.ts has set it `queued` with its identified
   * items): give it outbox rows, and show it paused if the connection is. Runs inside the caller's
   * transaction; returns the items queued.
   */
  queueReleased(messageId: string, items: readonly DeliveryItem[], now: number, dueAt: number, paused: PauseInfo | null): number {
    if (paused) {
      this.sql.exec(`UPDATE events SET status = 'paused', reason = ?, detail = ? WHERE message_id = ?`, paused.reason, paused.detail, messageId);
    }
    this.sql.exec(`UPDATE events SET next_attempt_at = ? WHERE message_id = ?`, dueAt, messageId);
    // Counted by `insert` (the `after` hook returns it), which also rolls it back on refusal.
    return this.addItems(messageId, items, now, dueAt);
  }

  /**
   * Ready items due at `now` and not in flight, oldest due first, at most `limits[kind]` of each
   * kind: each kind has its own rate budget, so a backlog of one never holds the others back.
   */
  due(now: number, limits: Partial<Record<DeliveryItem['kind'], number>>): Pending[] {
    const out: Pending[] = [];
    for (const [kind, limit] of Object.entries(limits)) {
      if (!limit || limit <= 0) continue;
      for (const row of this.sql
        .exec<{ id: number; item: string }>(
          `SELECT id, item FROM outbox WHERE state = 'ready' AND kind = ? AND next_attempt_at <= ? AND in_flight IS NULL
           ORDER BY next_attempt_at, id LIMIT ?`,
          kind,
          now,
          limit,
        )
        .toArray()) {
        out.push({ key: row.id, item: JSON.parse(row.item) as DeliveryItem });
      }
    }
    return out;
  }

  /** Per kind, the earliest time a ready item not in flight becomes due (absent when none waits). */
  nextDue(): Partial<Record<DeliveryItem['kind'], number>> {
    const out: Partial<Record<DeliveryItem['kind'], number>> = {};
    for (const kind of ['event', 'customer', 'merge'] as const) {
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

  /**
   * The in-flight marker, written (and durable) before the request leaves: the attempt row and the
   * items it carries. If the object dies before the answer is recorded, `orphans` finds them.
   */
  beginAttempt(attempt: StoredAttempt, keys: readonly number[]): number {
    let id = 0;
    this.storage.transactionSync(() => {
      id = this.sql
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
      this.sql.exec(`UPDATE outbox SET in_flight = ? WHERE id IN (SELECT value FROM json_each(?))`, id, ids(keys));
      this.sql.exec(
        `INSERT INTO attempt_events (attempt_id, message_id) SELECT DISTINCT ?, message_id FROM outbox WHERE in_flight = ?`,
        id,
        id,
      );
      this.sql.exec(
        `UPDATE events SET attempts = attempts + 1 WHERE message_id IN (SELECT message_id FROM attempt_events WHERE attempt_id = ?)`,
        id,
      );
    });
    return id;
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

  /** Attempts marked in flight by an earlier life of this object (not in `live`). */
  orphans(live: ReadonlySet<number>): number[] {
    return this.sql
      .exec<{ id: number }>('SELECT DISTINCT in_flight AS id FROM outbox WHERE in_flight IS NOT NULL')
      .toArray()
      .map((r) => r.id)
      .filter((id) => !live.has(id));
  }

  /**
   * An attempt whose answer was never recorded: its outcome is unknown, so its items are sent again
   * (at-least-once). `why` says what happened; by default, an orphan of an earlier life.
   */
  interrupt(attemptId: number, now: number, why = 'the queue restarted before MoEngage\'s answer was recorded'): void {
    this.storage.transactionSync(() => {
      // Only an attempt still in flight: one already settled keeps the answer it recorded.
      this.sql.exec(
        `UPDATE attempts SET error = ? WHERE id = ? AND EXISTS (SELECT 1 FROM outbox WHERE in_flight = ?)`,
        `interrupted at ${new Date(now).toISOString()}: ${why}; the events were sent again (MoEngage may have received them twice)`,
        attemptId,
        attemptId,
      );
      this.sql.exec('UPDATE outbox SET in_flight = NULL WHERE in_flight = ?', attemptId);
    });
  }

  /** Items MoEngage accepted: gone from the outbox; their events delivered once nothing else waits. */
  delivered(keys: readonly number[], now: number, note: string | null): void {
    this.storage.transactionSync(() => {
      const messages = this.sql
        .exec<{ message_id: string }>(`DELETE FROM outbox WHERE id IN (SELECT value FROM json_each(?)) RETURNING message_id`, ids(keys))
        .toArray()
        .map((r) => r.message_id);
      this.waiting -= messages.length;
      // A note from before (released from the hold, replayed) stays; a failure's detail does not.
      this.sql.exec(
        `UPDATE events SET status = 'delivered',
           detail = CASE WHEN reason IS NULL AND detail IS NOT NULL THEN detail || coalesce('; ' || ?1, '') ELSE ?1 END,
           reason = NULL, next_attempt_at = NULL, updated_at = ?2
         WHERE message_id IN (SELECT DISTINCT value FROM json_each(?3))
           AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = events.message_id)`,
        note,
        now,
        ids(messages),
      );
      this.refresh(this.unsettled(messages), now, null);
    });
  }

  /** Messages among `messages` that still have outbox rows (multi-item messages part way through). */
  private unsettled(messages: readonly string[]): string[] {
    return this.sql
      .exec<{ message_id: string }>(
        `SELECT DISTINCT message_id FROM outbox WHERE message_id IN (SELECT value FROM json_each(?))`,
        ids(messages),
      )
      .toArray()
      .map((r) => r.message_id);
  }

  /** Items sent but not settled (429, split, pause): back in the queue, due at `dueAt` (or unchanged). */
  release(keys: readonly number[], now: number, dueAt: number | null, paused: PauseInfo | null): void {
    this.storage.transactionSync(() => {
      this.sql.exec(
        `UPDATE outbox SET in_flight = NULL, next_attempt_at = coalesce(?, next_attempt_at) WHERE id IN (SELECT value FROM json_each(?))`,
        dueAt,
        ids(keys),
      );
      this.refresh(this.messagesOf(keys), now, paused);
    });
  }

  /** A failed attempt (5xx, timeout, network): count it, then retry later or dead-letter. */
  failed(
    keys: readonly number[],
    now: number,
    failure: { reason: string; detail: string },
    next: (failures: number) => { retry: true; at: number } | { retry: false },
  ): number {
    let dead = 0;
    this.storage.transactionSync(() => {
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
      this.waiting -= dead;
      this.refresh(this.messagesOf(keys), now, null);
    });
    return dead;
  }

  /** Dead-letters items (payload errors, too large, expired) with MoEngage's (or our) reason. */
  deadLetter(keys: readonly number[], now: number, reason: string, detail: string): void {
    if (!keys.length) return;
    this.storage.transactionSync(() => {
      const n = this.sql.exec(
        `UPDATE outbox SET in_flight = NULL, state = 'dead', reason = ?, detail = ? WHERE id IN (SELECT value FROM json_each(?)) AND state = 'ready'`,
        reason,
        detail,
        ids(keys),
      ).rowsWritten;
      this.waiting -= n;
      this.refresh(this.messagesOf(keys), now, null);
    });
  }

  /** Ready items queued before `cutoff` (not in flight). */
  expired(cutoff: number, limit: number): number[] {
    return this.sql
      .exec<{ id: number }>(`SELECT id FROM outbox WHERE state = 'ready' AND in_flight IS NULL AND queued_at < ? LIMIT ?`, cutoff, limit)
      .toArray()
      .map((r) => r.id);
  }

  private messagesOf(keys: readonly number[]): string[] {
    return this.sql
      .exec<{ message_id: string }>(`SELECT DISTINCT message_id FROM outbox WHERE id IN (SELECT value FROM json_each(?))`, ids(keys))
      .toArray()
      .map((r) => r.message_id);
  }

  /** Re-derives the log status of `messages` from their outbox rows. */
  private refresh(messages: readonly string[], now: number, paused: PauseInfo | null): void {
    for (const messageId of messages) {
      const rows = this.sql
        .exec<{ state: OutboxState; failures: number; next_attempt_at: number; reason: string | null; detail: string | null }>(
          'SELECT state, failures, next_attempt_at, reason, detail FROM outbox WHERE message_id = ? ORDER BY id',
          messageId,
        )
        .toArray();
      const dead = rows.find((r) => r.state === 'dead');
      const waiting = rows.filter((r) => r.state === 'ready');
      let status: string;
      let reason: string | null = null;
      let detail: string | null = null;
      let next: number | null = null;
      if (dead) {
        status = 'dead';
        reason = dead.reason;
        detail = dead.detail;
      } else if (waiting.length) {
        next = Math.min(...waiting.map((r) => r.next_attempt_at));
        const failedBefore = waiting.find((r) => r.failures > 0);
        if (paused) {
          status = 'paused';
          reason = paused.reason;
          detail = paused.detail;
        } else if (failedBefore) {
          status = 'retrying';
          reason = failedBefore.reason;
          detail = failedBefore.detail;
        } else status = 'queued';
      } else status = 'delivered';
      this.sql.exec(
        'UPDATE events SET status = ?, reason = ?, detail = ?, next_attempt_at = ?, updated_at = ? WHERE message_id = ?',
        status,
        reason,
        detail,
        next,
        now,
        messageId,
      );
    }
  }

  /** The connection is paused: every waiting event shows it (and why). */
  markPaused(pause: PauseInfo, now: number): void {
    this.sql.exec(
      `UPDATE events SET status = 'paused', reason = ?, detail = ?, updated_at = ? WHERE status IN ('queued', 'retrying', 'paused')`,
      pause.reason,
      pause.detail,
      now,
    );
  }

  /** Resumed: paused events wait again, due at once. */
  markResumed(now: number): void {
    this.storage.transactionSync(() => {
      const paused = this.sql
        .exec<{ message_id: string }>(`SELECT message_id FROM events WHERE status = 'paused'`)
        .toArray()
        .map((r) => r.message_id);
      this.sql.exec(
        `UPDATE outbox SET next_attempt_at = min(next_attempt_at, ?) WHERE state = 'ready' AND message_id IN (SELECT value FROM json_each(?))`,
        now,
        ids(paused),
      );
      this.refresh(paused, now, null);
    });
  }

  /**
   * A rate-limit wait was lifted (resume): items it held back (due before `until`) are due now, and
   * their events show it.
   */
  liftWait(now: number, until: number): void {
    this.storage.transactionSync(() => {
      this.sql.exec(`UPDATE outbox SET next_attempt_at = ? WHERE state = 'ready' AND in_flight IS NULL AND next_attempt_at > ? AND next_attempt_at <= ?`, now, now, until);
      this.sql.exec(`UPDATE events SET next_attempt_at = ?, updated_at = ? WHERE status IN ('queued', 'retrying') AND next_attempt_at > ? AND next_attempt_at <= ?`, now, now, now, until);
    });
  }

  /**
   * Dead-lettered events matching the selector are queued again with fresh attempts and a fresh
   * age. Idempotent: a replayed event is no longer dead, so replaying again selects nothing.
   */
  replay(selector: ReplaySelector, now: number): ReplayResult {
    const result: ReplayResult = { replayed: 0, paused: 0, skipped: [] };
    this.storage.transactionSync(() => {
      let dead: string[];
      if (selector.messageIds) {
        const rows = this.sql
          .exec<{ message_id: string; status: string }>(
            `SELECT message_id, status FROM events WHERE message_id IN (SELECT value FROM json_each(?))`,
            ids(selector.messageIds),
          )
          .toArray();
        const status = new Map(rows.map((r) => [r.message_id, r.status]));
        dead = [];
        for (const id of new Set(selector.messageIds)) {
          const s = status.get(id) ?? null;
          if (s === 'dead') dead.push(id);
          else if (s === 'paused') result.paused++;
          else result.skipped.push({ messageId: id, status: s });
        }
      } else {
        const where = selector.reason ? 'AND reason = ?' : '';
        const args = selector.reason ? [selector.reason] : [];
        dead = this.sql
          .exec<{ message_id: string }>(`SELECT message_id FROM events WHERE status = 'dead' ${where}`, ...args)
          .toArray()
          .map((r) => r.message_id);
        result.paused = this.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM events WHERE status = 'paused' ${where}`, ...args).one().n;
      }
      const n = this.sql.exec(
        `UPDATE outbox SET state = 'ready', failures = 0, in_flight = NULL, queued_at = ?, next_attempt_at = ?, reason = NULL, detail = NULL
         WHERE state = 'dead' AND message_id IN (SELECT value FROM json_each(?))`,
        now,
        now,
        ids(dead),
      ).rowsWritten;
      this.waiting += n;
      this.refresh(dead, now, null);
      this.sql.exec(
        `UPDATE events SET detail = ? WHERE message_id IN (SELECT value FROM json_each(?))`,
        `replayed at ${new Date(now).toISOString()}`,
        ids(dead),
      );
      result.replayed = dead.length;
    });
    return result;
  }

  /** When the oldest waiting item was queued (an index seek: cheap enough for every flush). */
  oldestQueuedAt(): number | null {
    return this.sql.exec<{ at: number | null }>("SELECT min(queued_at) AS at FROM outbox WHERE state = 'ready'").one().at;
  }

  stats(): QueueStats {
    const row = this.sql
      .exec<{ waiting: number; in_flight: number; oldest: number | null; next: number | null }>(
        `SELECT count(*) AS waiting, count(in_flight) AS in_flight, min(queued_at) AS oldest, min(next_attempt_at) AS next
         FROM outbox WHERE state = 'ready'`,
      )
      .one();
    const dead = this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM events WHERE status = 'dead'").one().n;
    this.waiting = row.waiting;
    return {
      waiting: row.waiting,
      inFlight: row.in_flight,
      dead,
      oldestQueuedAt: row.oldest,
      nextAttemptAt: row.next,
      storageBytes: this.sql.databaseSize,
    };
  }

  /**
   * Forgets finished events (delivered, dropped, dead) last touched before `cutoff`, with their
   * attempts: the log's retention, which is also the dedupe window.
   */
  purge(cutoff: number, limit: number): number {
    return this.forget(
      `SELECT rowid FROM events WHERE status IN ('delivered', 'dropped', 'dead') AND updated_at < ? LIMIT ?`,
      [cutoff, limit],
      cutoff,
    );
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

  /**
   * Keeps the log under `maxEvents` rows by forgetting the oldest delivered and dropped events
   * (dead letters wait for the time retention, so they stay replayable). Returns how many went.
   */
  trim(maxEvents: number, limit: number): number {
    const total = this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM events').one().n;
    const excess = Math.min(limit, total - maxEvents);
    if (excess <= 0) return 0;
    return this.forget(`SELECT rowid FROM events WHERE status IN ('delivered', 'dropped') ORDER BY rowid LIMIT ?`, [excess], Number.MAX_SAFE_INTEGER);
  }

  /** Rows in the log and when the oldest one arrived: the dedupe window in effect. */
  logExtent(): { events: number; oldestReceivedAt: number | null } {
    const row = this.sql.exec<{ n: number; oldest: number | null }>('SELECT count(*) AS n, min(received_at) AS oldest FROM events').one();
    return { events: row.n, oldestReceivedAt: row.oldest };
  }

  private forget(select: string, args: (number | string)[], attemptsBefore: number): number {
    let gone: string[] = [];
    this.storage.transactionSync(() => {
      gone = this.sql
        .exec<{ message_id: string }>(`DELETE FROM events WHERE rowid IN (${select}) RETURNING message_id`, ...args)
        .toArray()
        .map((r) => r.message_id);
      if (!gone.length) return;
      this.sql.exec(`DELETE FROM outbox WHERE state = 'dead' AND message_id IN (SELECT value FROM json_each(?))`, ids(gone));
      this.sql.exec(`DELETE FROM attempt_events WHERE message_id IN (SELECT value FROM json_each(?))`, ids(gone));
      this.sql.exec(
        `DELETE FROM attempts WHERE at < ? AND NOT EXISTS (SELECT 1 FROM attempt_events e WHERE e.attempt_id = attempts.id)`,
        attemptsBefore,
      );
    });
    return gone.length;
  }
}
