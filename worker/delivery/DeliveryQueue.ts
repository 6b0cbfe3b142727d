import { DurableObject } from 'cloudflare:workers';
import { readConfig } from '../config/config';
import type { Connection } from '../config/connections';
import type { Env } from '../env';
import { postToMoEngage } from '../moengage/client';
import { customerUrl, eventUrl, mergeUrl } from '../moengage/endpoints';
import { type DeliveryItem, type EventItem, customerPayload, eventPayload, mergePayload } from '../moengage/payloads';
import { type EventQuery, type EventView, getEvent, listEvents } from '../debugger/eventLog';
import type { EnqueueResult, IngestRecord } from './record';
import { admitHeld, expireHeld, holdSchema, nextHoldDeadline } from './anonymousHold';
import { listRejections, recordRejection, type Rejection, type RejectionLog } from './rejectionLog'; // hardening

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

const MAX_PER_FLUSH = 500;
const MAX_ATTEMPTS = 10;

interface DueRow {
  message_id: string;
  items: string;
  attempts: number;
  [column: string]: SqlStorageValue;
}

/**
 * One per MoEngage connection. Stores every message it is given (the event log the debugger reads)
 * and delivers the queued ones from its alarm. A message is stored before the Worker answers 2xx.
 */
export class DeliveryQueue extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(SCHEMA);
    holdSchema(this.sql); // anonymous hold (issue 4): delivery/anonymousHold.ts
  }

  /** Stores a batch durably (deduplicated by messageId) and schedules delivery. */
  async enqueue(connectionId: string, records: IngestRecord[]): Promise<EnqueueResult> {
    this.sql.exec('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)', 'connection', connectionId);
    const now = Date.now();
    const duplicates: string[] = [];
    let queued = 0;
    this.ctx.storage.transactionSync(() => {
      for (const r of records) {
        const { outcome } = r;
        const cursor = this.sql.exec(
          `INSERT OR IGNORE INTO events (message_id, received_at, type, name, user_id, anonymous_id, status, reason, detail, raw, items, omissions, next_attempt_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          r.messageId,
          r.receivedAt,
          r.type,
          r.name,
          r.userId,
          r.anonymousId,
          outcome.status,
          outcome.status === 'dropped' ? outcome.reason : null,
          outcome.status === 'dropped' ? outcome.detail : null,
          JSON.stringify(r.raw),
          outcome.status === 'dropped' ? null : JSON.stringify(outcome.items),
          outcome.omissions.length ? JSON.stringify(outcome.omissions) : null,
          outcome.status === 'queued' ? now : null,
          now,
        );
        if (cursor.rowsWritten === 0) duplicates.push(r.messageId);
        else if (outcome.status === 'queued') queued++;
      }
      queued += admitHeld(this.sql, records, now); // anonymous hold (issue 4): register held events, release linked ones
    });
    if (queued > 0) await this.scheduleFlush(now + (this.connection()?.flushIntervalMs ?? 1000));
    await this.scheduleHoldDeadline(); // anonymous hold (issue 4)
    return { duplicates };
  }

  async listEvents(connectionId: string, query: EventQuery): Promise<EventView[]> {
    return listEvents(this.sql, connectionId, query);
  }

  async getEvent(connectionId: string, messageId: string): Promise<EventView | null> {
    return getEvent(this.sql, connectionId, messageId);
  }

  // --- hardening: whole-request rejections (worker/delivery/rejectionLog.ts); keep when rewriting ---
  async recordRejection(rejection: Rejection): Promise<void> {
    recordRejection(this.sql, rejection);
  }

  async listRejections(limit: number): Promise<RejectionLog> {
    return listRejections(this.sql, limit);
  }
  // --- end hardening ---

  override async alarm(): Promise<void> {
    expireHeld(this.sql, Date.now()); // anonymous hold (issue 4): unidentified past the window → dropped
    await this.scheduleHoldDeadline();
    const connection = this.connection();
    if (!connection) return; // nothing was ever enqueued here, or its connection was removed from the config
    const now = Date.now();
    const due = this.sql
      .exec<DueRow>(
        `SELECT message_id, items, attempts FROM events
         WHERE status IN ('queued', 'retrying') AND next_attempt_at <= ?
         ORDER BY received_at LIMIT ?`,
        now,
        MAX_PER_FLUSH,
      )
      .toArray();

    const byCustomer = new Map<string, { ids: string[]; items: EventItem[] }>();
    const singles: { id: string; item: DeliveryItem }[] = [];
    for (const row of due) {
      for (const item of JSON.parse(row.items) as DeliveryItem[]) {
        if (item.kind === 'event') {
          const group = byCustomer.get(item.customer_id) ?? { ids: [], items: [] };
          group.ids.push(row.message_id);
          group.items.push(item);
          byCustomer.set(item.customer_id, group);
        } else {
          singles.push({ id: row.message_id, item });
        }
      }
    }
    const attemptsOf = new Map(due.map((row) => [row.message_id, row.attempts]));
    for (const group of byCustomer.values()) {
      await this.send(connection, eventUrl(connection), eventPayload(group.items), group.ids, attemptsOf);
    }
    for (const { id, item } of singles) {
      if (item.kind === 'customer') await this.send(connection, customerUrl(connection), customerPayload(item), [id], attemptsOf);
      else if (item.kind === 'merge') await this.send(connection, mergeUrl(connection), mergePayload([item]), [id], attemptsOf); // alias / ANONYMOUS=customer (issue 4)
    }
    await this.scheduleNextFromBacklog();
  }

  private async send(connection: Connection, url: string, body: unknown, ids: string[], attemptsOf: Map<string, number>) {
    const exchange = await postToMoEngage(connection, url, body);
    const now = Date.now();
    const attemptId = this.sql
      .exec<{ id: number }>(
        `INSERT INTO attempts (at, url, request, bytes, status, response, request_id, duration_ms, error)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
        exchange.startedAt,
        exchange.url,
        JSON.stringify(exchange.body),
        exchange.bytes,
        exchange.status,
        JSON.stringify(exchange.responseBody),
        exchange.requestId ?? null,
        exchange.durationMs,
        exchange.error ?? null,
      )
      .one().id;
    const ok = exchange.status >= 200 && exchange.status < 300;
    for (const id of ids) {
      this.sql.exec('INSERT INTO attempt_events (attempt_id, message_id) VALUES (?, ?)', attemptId, id);
      const attempts = (attemptsOf.get(id) ?? 0) + 1;
      if (ok) {
        this.sql.exec("UPDATE events SET status = 'delivered', attempts = ?, next_attempt_at = NULL, updated_at = ? WHERE message_id = ?", attempts, now, id);
      } else if (attempts >= MAX_ATTEMPTS) {
        this.sql.exec(
          "UPDATE events SET status = 'dead', reason = ?, attempts = ?, next_attempt_at = NULL, updated_at = ? WHERE message_id = ?",
          `moengage_${exchange.status || 'network_error'}`,
          attempts,
          now,
          id,
        );
      } else {
        const wait = Math.min(60_000, 1000 * 2 ** attempts);
        this.sql.exec(
          "UPDATE events SET status = 'retrying', attempts = ?, next_attempt_at = ?, updated_at = ? WHERE message_id = ?",
          attempts,
          now + wait,
          now,
          id,
        );
      }
    }
  }

  private async scheduleNextFromBacklog(): Promise<void> {
    const next = this.sql
      .exec<{ at: number | null }>("SELECT min(next_attempt_at) AS at FROM events WHERE status IN ('queued', 'retrying')")
      .one().at;
    if (next != null) await this.scheduleFlush(next);
  }

  /** Anonymous hold (issue 4): wake up when the next hold window ends. */
  private async scheduleHoldDeadline(): Promise<void> {
    const deadline = nextHoldDeadline(this.sql);
    if (deadline != null) await this.scheduleFlush(deadline);
  }

  private async scheduleFlush(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current == null || current > at) await this.ctx.storage.setAlarm(at);
  }

  private connection(): Connection | undefined {
    const id = this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'connection'").toArray()[0]?.value;
    return readConfig(this.env).connections.find((c) => c.id === id);
  }
}
