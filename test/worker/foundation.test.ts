import { runInDurableObject, reset } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEBUGGER_TOKEN, debuggerEvent, flush, get, post, queue } from './support/ingest';
import { installSandbox } from './support/sandbox';
import { SEED_MESSAGE, SEED_PAYLOAD } from '../seed';

const orderCompleted = (overrides: Record<string, unknown> = {}) => ({
  ...SEED_MESSAGE,
  messageId: 'msg-order-1001',
  timestamp: '2026-11-28T10:00:00.000Z',
  ...overrides,
});

beforeEach(() => installSandbox());
afterEach(async () => {
  vi.restoreAllMocks();
  await reset();
});

describe('the seed example end to end', () => {
  it('delivers exactly the seed payload to /v1/event/{workspace} with Basic workspace:key', async () => {
    const { sandbox, fetchSpy } = installSandbox();
    const res = await post('/v1/batch', { batch: [orderCompleted()], sentAt: '2026-11-28T10:00:00.000Z' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, accepted: 1, duplicates: 0, rejected: [] });

    expect(await flush()).toBe(true);
    const [call] = fetchSpy.mock.calls;
    const request = new Request(call![0] as RequestInfo, call![1]);
    expect(request.url).toBe('http://moengage.sandbox/v1/event/demo-workspace');
    expect(request.headers.get('authorization')).toBe(`Basic ${btoa('demo-workspace:demo-data-api-key')}`);
    expect(request.headers.get('content-type')).toBe('application/json');

    const [recorded] = sandbox.requests;
    expect(recorded?.response.status).toBe(200);
    const body = structuredClone(recorded?.body) as typeof SEED_PAYLOAD & { actions: Record<string, unknown>[] };
    // Time fields may be added; they carry the event's own time, then nothing else differs.
    const action = body.actions[0]!;
    expect(typeof action.user_time).toBe('string');
    expect(action.current_time).toBe(action.user_time);
    delete action.user_time;
    delete action.current_time;
    expect(body).toStrictEqual(SEED_PAYLOAD);
    expect(JSON.stringify(body)).toBe(JSON.stringify(SEED_PAYLOAD));
  });

  it('stores the event durably before answering 2xx', async () => {
    const res = await post('/v1/track', orderCompleted());
    expect(res.status).toBe(200);
    // In SQLite before the answer: its outbox item, and its log row (staged: the log is written behind).
    const stored = await runInDurableObject(queue(), (_instance, state) => ({
      log: state.storage.sql
        .exec<{ status: string }>("SELECT status FROM events WHERE message_id = 'msg-order-1001' UNION ALL SELECT status FROM log_staging WHERE message_id = 'msg-order-1001'")
        .toArray(),
      outbox: state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox WHERE message_id = 'msg-order-1001'").one().n,
    }));
    expect(stored).toEqual({ log: [{ status: 'queued' }], outbox: 1 });
  });

  it('marks the event delivered with MoEngage’s answer recorded', async () => {
    await post('/v1/track', orderCompleted());
    await flush();
    const event = await debuggerEvent('msg-order-1001');
    expect(event?.status).toBe('delivered');
    expect(event?.exchanges?.[0]?.status).toBe(200);
    expect(event?.exchanges?.[0]?.response).toMatchObject({ status: 'success' });
  });
});

describe('ingest contract errors', () => {
  it('refuses an unknown write key with 401 JSON', async () => {
    const res = await post('/v1/batch', { batch: [orderCompleted()] }, { authorization: `Basic ${btoa('nope:')}` });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'unknown_write_key', detail: expect.any(String) });
  });

  it('accepts the write key from the body (the tag’s text/plain requests)', async () => {
    const res = await post('/v1/batch', JSON.stringify({ writeKey: 'second-write-key', batch: [orderCompleted()] }), {
      authorization: '',
      'content-type': 'text/plain',
    });
    expect(res.status).toBe(200);
  });

  it('answers 401 without any write key', async () => {
    const res = await post('/v1/batch', { batch: [orderCompleted()] }, { authorization: '' });
    expect(res.status).toBe(401);
    expect((await res.json()) as object).toMatchObject({ error: 'missing_write_key' });
  });

  it('answers 413 from Content-Length before reading the body', async () => {
    const res = await post('/v1/batch', '{}', { 'content-length': String(600 * 1024) });
    expect(res.status).toBe(413);
    expect((await res.json()) as object).toMatchObject({ error: 'body_too_large' });
  });

  it('answers 413 when a streamed body without length runs past the cap', async () => {
    const big = JSON.stringify({ batch: [orderCompleted({ properties: { blob: 'x'.repeat(600 * 1024) } })] });
    const stream = new Blob([big]).stream();
    const res = await post('/v1/batch', stream);
    expect(res.status).toBe(413);
  });

  it('answers 400 invalid_json with the parser’s reason', async () => {
    const res = await post('/v1/batch', '{"batch": [');
    expect(res.status).toBe(400);
    expect((await res.json()) as object).toMatchObject({ error: 'invalid_json', detail: expect.stringContaining('not valid JSON') });
  });

  it('answers 400 with the path and reason of each problem in a single message', async () => {
    const res = await post('/v1/track', { userId: 'u_1', event: '', timestamp: 'yesterday' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; issues: { path: string; message: string }[] };
    expect(body.error).toBe('invalid_message');
    expect(body.issues.map((i) => i.path).sort()).toEqual(['event', 'timestamp']);
  });

  it('accepts the valid messages of a batch and lists the invalid ones with paths', async () => {
    const res = await post('/v1/batch', {
      batch: [orderCompleted(), { type: 'track', messageId: 'bad-1', event: 'X' }, { type: 'nope' }],
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { accepted: number; rejected: { index: number; issues: { path: string }[] }[] };
    expect(body.accepted).toBe(1);
    expect(body.rejected.map((r) => [r.index, r.issues[0]?.path])).toEqual([
      [1, 'batch.1.userId'],
      [2, 'batch.2.type'],
    ]);
    // Logged as dropped under an id of its own: an invalid message never claims its messageId.
    expect(await debuggerEvent('bad-1')).toBeNull();
    const page = (await (await get('/debugger/api/events?status=dropped', { authorization: `Bearer ${DEBUGGER_TOKEN}` })).json()) as { events: { messageId: string }[] };
    const logged = page.events.find((e) => e.messageId.endsWith(':bad-1'));
    expect(await debuggerEvent(logged?.messageId ?? 'missing')).toMatchObject({ status: 'dropped', reason: 'invalid_message' });
  });

  it('answers 400 for an envelope without a batch array', async () => {
    const res = await post('/v1/batch', { events: [] });
    expect(res.status).toBe(400);
    expect((await res.json()) as object).toMatchObject({ error: 'invalid_batch', issues: [{ path: 'batch' }] });
  });

  it('drops events not in the blueprint with a recorded reason', async () => {
    await post('/v1/track', orderCompleted({ messageId: 'm-wish', event: 'Wishlist Shared' }));
    const event = await debuggerEvent('m-wish');
    expect(event).toMatchObject({ status: 'dropped', reason: 'not_in_blueprint' });
    // The queue's only alarm is the log's retention (it forgets the event in 168 h): nothing is sent.
    await flush();
    expect(await debuggerEvent('m-wish')).toMatchObject({ status: 'dropped', attempts: 0, exchanges: [] });
  });
});

