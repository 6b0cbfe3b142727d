import type { EventFilter } from '../eventFilter';
import { type Bound, boundFor, type ChangePosition, type ListPosition } from '../logOrder';
import type { EventStatus, ExchangeView, Json, LoggedEvent, LoggedJourney } from '../logViews';

/**
 * Reads of one queue's event log for the debugger: listings, the live tail, one event's journey.
 * Each query walks an index of schema.ts. Runs inside the Durable Object; the Worker merges
 * queues (delivery/queues.ts), masks personal data and adds the cursors and request headers.
 */

interface EventRow {
  message_id: string;
  received_at: number;
  updated_at: number;
  type: string;
  name: string | null;
  user_id: string | null;
  anonymous_id: string | null;
  status: string;
  reason: string | null;
  detail: string | null;
  attempts: number;
  next_attempt_at: number | null;
  last_status: number | null;
  last_at: number | null;
  [column: string]: SqlStorageValue;
}

const SUMMARY_COLUMNS = `message_id, received_at, updated_at, type, name, user_id, anonymous_id, status, reason, detail, attempts, next_attempt_at,
  (SELECT a.status FROM attempt_events ae JOIN attempts a ON a.id = ae.attempt_id WHERE ae.message_id = events.message_id ORDER BY ae.attempt_id DESC LIMIT 1) AS last_status,
  (SELECT a.at FROM attempt_events ae JOIN attempts a ON a.id = ae.attempt_id WHERE ae.message_id = events.message_id ORDER BY ae.attempt_id DESC LIMIT 1) AS last_at`;

const parse = (text: SqlStorageValue | undefined): Json => (typeof text === 'string' ? (JSON.parse(text) as Json) : null);

/** `queue`: the shard's name, shown only when it is not the connection's own (shard 0). */
function summary(row: EventRow, connection: string, queue = connection): LoggedEvent {
  return {
    messageId: row.message_id,
    connection,
    ...(queue !== connection ? { queue } : {}),
    receivedAt: row.received_at,
    updatedAt: row.updated_at,
    type: row.type,
    name: row.name,
    userId: row.user_id,
    anonymousId: row.anonymous_id,
    status: row.status as EventStatus,
    reason: row.reason,
    detail: row.detail,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastAnswer: row.last_status === null || row.last_at === null ? null : { status: row.last_status, at: row.last_at },
  };
}

interface Select {
  sql: string;
  args: SqlStorageValue[];
}

/**
 * The SELECTs a listing needs, newest first. A multi-valued filter (several statuses; a user id
 * that may be a userId or an anonymousId) becomes one query per value, each ordered by its own
 * index and limited, merged by the caller: SQLite cannot walk `status IN (…)` in received order.
 */
export function listSelects(queue: string, filter: EventFilter, after: ListPosition | null, limit: number): Select[] {
  const statuses: (EventStatus | null)[] = filter.statuses?.length ? filter.statuses : [null];
  const identities: ('user_id' | 'anonymous_id' | null)[] = filter.userId !== undefined ? ['user_id', 'anonymous_id'] : [null];
  const selects: Select[] = [];
  for (const status of statuses) {
    for (const identity of identities) {
      const { where, args, add } = conditions();
      if (status) add('status = ?', status);
      if (identity) add(`${identity} = ?`, filter.userId as string);
      if (filter.event !== undefined) add('name = ?', filter.event);
      if (filter.reason !== undefined) add('reason = ?', filter.reason);
      if (filter.since !== undefined) add('received_at >= ?', filter.since);
      const bound = boundSql(boundFor(queue, after));
      if (bound) add(bound.sql, ...bound.args);
      selects.push({
        sql: `SELECT ${SUMMARY_COLUMNS} FROM events${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY received_at DESC, message_id DESC LIMIT ?`,
        args: [...args, limit],
      });
    }
  }
  return selects;
}

function conditions() {
  const where: string[] = [];
  const args: SqlStorageValue[] = [];
  return { where, args, add: (condition: string, ...values: SqlStorageValue[]) => void (where.push(condition), args.push(...values)) };
}

function boundSql(bound: Bound): Select | null {
  switch (bound.kind) {
    case 'all':
      return null;
    case 'received_at <=':
      return { sql: 'received_at <= ?', args: [bound.receivedAt] };
    case 'received_at <':
      return { sql: 'received_at < ?', args: [bound.receivedAt] };
    case '(received_at, message_id) <':
      return { sql: '(received_at, message_id) < (?, ?)', args: [bound.receivedAt, bound.messageId] };
  }
}

/** Up to `limit` events after `after`, newest first (ask for one more than a page to know if more follow). */
export function listEvents(sql: SqlStorage, connection: string, filter: EventFilter, after: ListPosition | null, limit: number, queue = connection): LoggedEvent[] {
  if (filter.connection !== undefined && filter.connection !== connection) return [];
  const seen = new Set<string>();
  const rows: EventRow[] = [];
  for (const select of listSelects(queue, filter, after, limit)) {
    for (const row of sql.exec<EventRow>(select.sql, ...select.args)) {
      if (seen.has(row.message_id)) continue; // userId and anonymousId may both match
      seen.add(row.message_id);
      rows.push(row);
    }
  }
  rows.sort((a, b) => b.received_at - a.received_at || (a.message_id < b.message_id ? 1 : a.message_id > b.message_id ? -1 : 0));
  return rows.slice(0, limit).map((row) => summary(row, connection, queue));
}

/**
 * Events changed after `after` (oldest change first), for the live tail. Only the latest state of
 * an event is stored, so an event changed twice between reads shows once, in its latest state.
 */
export function changedEvents(sql: SqlStorage, connection: string, filter: EventFilter, after: ChangePosition, limit: number, queue = connection): LoggedEvent[] {
  if (filter.connection !== undefined && filter.connection !== connection) return [];
  const { where, args, add } = conditions();
  add('(updated_at, message_id) > (?, ?)', after.updatedAt, after.messageId);
  if (filter.statuses?.length) add(`status IN (${filter.statuses.map(() => '?').join(', ')})`, ...filter.statuses);
  if (filter.userId !== undefined) add('(user_id = ? OR anonymous_id = ?)', filter.userId, filter.userId);
  if (filter.event !== undefined) add('name = ?', filter.event);
  if (filter.reason !== undefined) add('reason = ?', filter.reason);
  if (filter.since !== undefined) add('received_at >= ?', filter.since);
  return sql
    .exec<EventRow>(
      `SELECT ${SUMMARY_COLUMNS} FROM events WHERE ${where.join(' AND ')} ORDER BY updated_at, message_id LIMIT ?`,
      ...args,
      limit,
    )
    .toArray()
    .map((row) => summary(row, connection, queue));
}

export function getEvent(sql: SqlStorage, connection: string, messageId: string, queue = connection): LoggedJourney | null {
  const row = sql.exec<EventRow & { raw: string; items: string | null; omissions: string | null }>(`SELECT ${SUMMARY_COLUMNS}, raw, items, omissions FROM events WHERE message_id = ?`, messageId).toArray()[0];
  if (!row) return null;
  const exchanges = sql
    .exec<{
      at: number;
      url: string;
      request: string;
      bytes: number;
      status: number;
      response: string | null;
      request_id: string | null;
      duration_ms: number;
      error: string | null;
      unit_events: number;
      unit_customers: number;
      unit_merges: number;
      rate_limit: string | null;
    }>(`SELECT a.* FROM attempts a JOIN attempt_events e ON e.attempt_id = a.id WHERE e.message_id = ? ORDER BY a.id`, messageId)
    .toArray()
    .map(
      (a, i): ExchangeView => ({
        number: i + 1,
        at: a.at,
        method: 'POST',
        url: a.url,
        request: parse(a.request),
        bytes: a.bytes,
        units: { events: a.unit_events, customers: a.unit_customers, merges: a.unit_merges },
        status: a.status,
        response: parse(a.response),
        requestId: a.request_id,
        durationMs: a.duration_ms,
        error: a.error,
        rateLimit: parse(a.rate_limit),
      }),
    );
  return { ...summary(row, connection, queue), raw: parse(row.raw), mapped: parse(row.items), omissions: parse(row.omissions), exchanges };
}
