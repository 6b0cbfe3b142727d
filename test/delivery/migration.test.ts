/**
 * Queues created by earlier releases upgrade on their next start (worker/delivery/store/schema.ts)
 * and deliver what they held: the first release kept its queue in the event log, the release
 * before this one (schema 3) had an outbox, dead letters, held events and the rejection log in the
 * first connection's queue. Each test writes that storage statement for statement, restarts the
 * object and uses it through the collector.
 */
import { abortAllDurableObjects, runInDurableObject } from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IngestRecord } from '../../worker/delivery/record';
import type { EventItem } from '../../worker/moengage/payloads';
import { QUEUE_MIGRATIONS } from '../../worker/delivery/store/schema';
import { cleanup, DEBUGGER_TOKEN, deliveredIds, drain, enqueue, eventRow, get, installSandbox, operator, queue, startClock, statuses, T0 } from './support/harness';
import { FIRST_RELEASE, SCHEMA_3 } from './support/legacySchemas';

beforeEach(() => startClock());
afterEach(cleanup);

const item = (customer: string, sku: string): EventItem => ({
  kind: 'event',
  customer_id: customer,
  action: { action: 'Product Viewed', platform: 'web', attributes: { sku }, user_time: new Date(T0).toISOString(), current_time: new Date(T0).toISOString() },
});

/** Replaces the queue's storage with an earlier release's, filled by `fill`, then restarts the object. */
async function startFrom(connection: string, ddl: string, fill: (sql: SqlStorage) => void): Promise<void> {
  await runInDurableObject(queue(connection), async (_instance, state) => {
    await state.storage.deleteAll();
    for (const { name } of state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'").toArray()) {
      state.storage.sql.exec(`DROP TABLE "${name}"`);
    }
    state.storage.sql.exec(ddl);
    state.storage.sql.exec("INSERT INTO meta (key, value) VALUES ('connection', ?)", connection);
    fill(state.storage.sql);
    await state.storage.setAlarm(Date.now()); // the earlier release's alarm, due
  });
  await abortAllDurableObjects();
}

const event = (sql: SqlStorage, id: string, status: string, items: unknown, extra: { userId?: string | null; anonymousId?: string | null; reason?: string; detail?: string } = {}) =>
  sql.exec(
    `INSERT INTO events (message_id, received_at, type, name, user_id, anonymous_id, status, reason, detail, raw, items, omissions, next_attempt_at, updated_at)
     VALUES (?, ?, 'track', 'Product Viewed', ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)`,
    id,
    T0 - 60_000,
    extra.userId === undefined ? 'u1' : extra.userId,
    extra.anonymousId ?? null,
    status,
    extra.reason ?? null,
    extra.detail ?? null,
    JSON.stringify({ type: 'track', messageId: id }),
    JSON.stringify(items),
    T0 - 60_000,
    T0 - 60_000,
  );

const schemaOf = (connection: string) =>
  runInDurableObject(queue(connection), (_i, state) => ({
    version: Number(state.storage.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'schema'").one().value),
    tables: state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY name").toArray().map((r) => r.name),
  }));

const TABLES = ['attempt_events', 'attempts', 'counters', 'delete_attempts', 'delete_requests', 'events', 'held', 'identity_links', 'log_staging', 'message_keys', 'meta', 'outbox'];
/** The schema version QUEUE_MIGRATIONS ends at. */
const LATEST = QUEUE_MIGRATIONS.at(-1)!.version;

describe('a queue of the first release (no schema version, the queue in the log)', () => {
  it('moves its queued events to the outbox and delivers them once', async () => {
    const { sandbox } = installSandbox();
    await startFrom('main', FIRST_RELEASE, (sql) => {
      event(sql, 'f-1', 'queued', [item('u1', 'f-1')]);
      event(sql, 'f-2', 'retrying', [item('u1', 'f-2')]);
      event(sql, 'f-3', 'delivered', [item('u1', 'f-3')]);
    });
    await drain('main');
    expect(deliveredIds(sandbox, 'main')).toEqual(['f-1', 'f-2']);
    expect(await statuses('main')).toEqual({ delivered: 3 });
    expect(await eventRow('main', 'f-1')).toMatchObject({ status: 'delivered', attempts: 1, exchanges: [{ status: 200, units: { events: 2, customers: 0, merges: 0 } }] });
    expect(await schemaOf('main')).toEqual({ version: LATEST, tables: TABLES });
  });
});

describe('a queue of schema 3 (outbox, hold, and the rejection log in the first connection’s queue)', () => {
  beforeEach(async () => {
    await startFrom('main', SCHEMA_3, (sql) => {
      event(sql, 'q-1', 'queued', [item('u1', 'q-1')]);
      sql.exec(`INSERT INTO outbox (message_id, kind, item, state, queued_at, next_attempt_at) VALUES ('q-1', 'event', ?, 'ready', ?, ?)`, JSON.stringify(item('u1', 'q-1')), T0 - 60_000, T0 - 60_000);
      event(sql, 'd-1', 'dead', [item('u1', 'd-1')], { reason: 'rejected_by_moengage', detail: 'HTTP 400 MissingAttributeError' });
      sql.exec(
        `INSERT INTO outbox (message_id, kind, item, state, failures, queued_at, next_attempt_at, reason, detail) VALUES ('d-1', 'event', ?, 'dead', 1, ?, ?, 'rejected_by_moengage', 'HTTP 400 MissingAttributeError')`,
        JSON.stringify(item('u1', 'd-1')),
        T0 - 60_000,
        T0 - 60_000,
      );
      event(sql, 'h-1', 'held', [item('', 'h-1')], { userId: null, anonymousId: 'anon-9' });
      sql.exec(`INSERT INTO held (message_id, anonymous_id, hold_until) VALUES ('h-1', 'anon-9', ?)`, T0 + 2 * 3_600_000);
      sql.exec(`INSERT INTO rejection_counts (error, status, count, first_at, last_at) VALUES ('invalid_json', 400, 5, ?, ?)`, T0 - 9_000, T0 - 5_000);
      const entry = { at: T0 - 5_000, status: 400, error: 'invalid_json', detail: 'the body is not valid JSON', method: 'POST', path: '/v1/batch', contentType: 'application/json', contentLength: 9, origin: null, userAgent: 'curl/8' };
      sql.exec(`INSERT INTO rejections (entry) VALUES (?)`, JSON.stringify(entry));
    });
  });

  it('delivers what waited, keeps dead letters replayable and held events releasable', async () => {
    const { sandbox } = installSandbox();
    await drain('main');
    expect(deliveredIds(sandbox, 'main')).toEqual(['q-1']);
    expect(await statuses('main')).toEqual({ delivered: 1, dead: 1, held: 1 });

    expect((await operator('/debugger/api/replay', { messageIds: ['d-1'], connection: 'main' })).status).toBe(200);
    const identify: IngestRecord = {
      messageId: 'id-9',
      type: 'identify',
      name: null,
      userId: 'u9',
      anonymousId: 'anon-9',
      receivedAt: Date.now(),
      raw: { type: 'identify', userId: 'u9', anonymousId: 'anon-9' },
      outcome: { status: 'queued', items: [{ kind: 'customer', customer_id: 'u9', attributes: { plan: 'pro' } }], omissions: [] },
    };
    await enqueue('main', [identify]);
    await drain('main');
    expect(deliveredIds(sandbox, 'main').sort()).toEqual(['d-1', 'h-1', 'q-1']);
    expect(await eventRow('main', 'h-1')).toMatchObject({ status: 'delivered', detail: expect.stringContaining('identified as "u9"') });
    expect(await schemaOf('main')).toEqual({ version: LATEST, tables: [...TABLES, 'rejection_counts', 'rejections'].sort() });
  });

  it('hands its rejection log over to the collector’s log once, and drops it', async () => {
    installSandbox();
    const read = async () => (await (await get('/debugger/api/rejections', { authorization: `Bearer ${DEBUGGER_TOKEN}` })).json()) as { counts: { error: string; count: number; firstAt: number }[]; recent: { error: string; userAgent: string }[] };
    const first = await read();
    expect(first.counts).toEqual([{ error: 'invalid_json', status: 400, count: 5, firstAt: T0 - 9_000, lastAt: T0 - 5_000 }]);
    expect(first.recent).toEqual([expect.objectContaining({ error: 'invalid_json', userAgent: 'curl/8' })]);
    expect((await schemaOf('main')).tables).toEqual(TABLES);
    // A new refusal adds to the adopted count; nothing is adopted twice.
    expect((await fetchBad()).status).toBe(400);
    const second = await read();
    expect(second.counts).toEqual([expect.objectContaining({ error: 'invalid_json', count: 6 })]);
    expect(second.recent.map((r) => r.error)).toEqual(['invalid_json', 'invalid_json']);
  });
});

/** A request the collector refuses as a whole (invalid_json). */
function fetchBad(): Promise<Response> {
  return exports.default.fetch(
    new Request('http://collector.test/v1/batch', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Basic ${btoa('test-write-key:')}` }, body: '{"batch":' }),
  );
}
