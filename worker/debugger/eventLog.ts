import type { EventStatus } from '../delivery/record';

/** JSON parsed from storage (`any`, as JSON.parse gives, so Durable Object RPC types can carry it). */
type Json = ReturnType<typeof JSON.parse>;



/** One event as the debugger shows it. */
export interface EventView {
  messageId: string;
  connection: string;
  receivedAt: number;
  type: string;
  name: string | null;
  userId: string | null;
  anonymousId: string | null;
  status: EventStatus;
  reason: string | null;
  detail: string | null;
  attempts: number;
  nextAttemptAt: number | null;
  raw: Json;
  mapped: Json;
  omissions: Json;
  exchanges?: ExchangeView[];
}

export interface ExchangeView {
  at: number;
  url: string;
  request: Json;
  bytes: number;
  status: number;
  response: Json;
  requestId: string | null;
  durationMs: number;
  error: string | null;
}

export interface EventQuery {
  status?: string;
  limit: number;
}

interface EventRow {
  message_id: string;
  received_at: number;
  type: string;
  name: string | null;
  user_id: string | null;
  anonymous_id: string | null;
  status: string;
  reason: string | null;
  detail: string | null;
  attempts: number;
  next_attempt_at: number | null;
  raw: string;
  items: string | null;
  omissions: string | null;
  [column: string]: SqlStorageValue;
}

const parse = (text: string | null): Json => (text == null ? null : (JSON.parse(text) as Json));

function view(row: EventRow, connection: string): EventView {
  return {
    messageId: row.message_id,
    connection,
    receivedAt: row.received_at,
    type: row.type,
    name: row.name,
    userId: row.user_id,
    anonymousId: row.anonymous_id,
    status: row.status as EventStatus,
    reason: row.reason,
    detail: row.detail,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    raw: parse(row.raw),
    mapped: parse(row.items),
    omissions: parse(row.omissions),
  };
}

export function listEvents(sql: SqlStorage, connection: string, query: EventQuery): EventView[] {
  const rows = query.status
    ? sql.exec<EventRow>('SELECT * FROM events WHERE status = ? ORDER BY received_at DESC, rowid DESC LIMIT ?', query.status, query.limit)
    : sql.exec<EventRow>('SELECT * FROM events ORDER BY received_at DESC, rowid DESC LIMIT ?', query.limit);
  return rows.toArray().map((row) => view(row, connection));
}

export function getEvent(sql: SqlStorage, connection: string, messageId: string): EventView | null {
  const row = sql.exec<EventRow>('SELECT * FROM events WHERE message_id = ?', messageId).toArray()[0];
  if (!row) return null;
  const exchanges = sql
    .exec<{ at: number; url: string; request: string; bytes: number; status: number; response: string | null; request_id: string | null; duration_ms: number; error: string | null }>(
      `SELECT a.* FROM attempts a JOIN attempt_events e ON e.attempt_id = a.id WHERE e.message_id = ? ORDER BY a.id`,
      messageId,
    )
    .toArray()
    .map((a) => ({
      at: a.at,
      url: a.url,
      request: parse(a.request),
      bytes: a.bytes,
      status: a.status,
      response: parse(a.response),
      requestId: a.request_id,
      durationMs: a.duration_ms,
      error: a.error,
    }));
  return { ...view(row, connection), exchanges };
}
