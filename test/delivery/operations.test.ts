/**
 * What an operator sees and does: replay (all, by reason, by messageId; idempotent, authenticated),
 * backlog bounds (503 backlog_full, expiry by age) and /healthz.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { QueueHealth } from '../../worker/delivery/health';
import {
  cleanup,
  CREDENTIALS,
  DEBUGGER_TOKEN,
  deliveredIds,
  drain,
  enqueue,
  eventRow,
  get,
  installSandbox,
  operator,
  post,
  queue,
  runUntil,
  startClock,
  statuses,
  T0,
  trackRecord,
} from './support/harness';

beforeEach(() => startClock());
afterEach(cleanup);

/** Dead-letters two poison events (reserved prefix) and one expired one on "tiny"; leaves two delivered. */
async function deadLetters() {
  const { sandbox } = installSandbox();
  await enqueue('tiny', [
    trackRecord('u1', { id: 'good-1' }),
    trackRecord('u1', { id: 'bad-1', action: 'moe_x' }),
    trackRecord('u2', { id: 'bad-2', action: 'moe_y' }),
    trackRecord('u3', { id: 'good-2' }),
  ]);
  await drain('tiny');
  expect(await statuses('tiny')).toEqual({ delivered: 2, dead: 2 });
  return sandbox;
}

describe('replay', () => {
  it('by messageId: only those, and it says which ids it could not replay and why', async () => {
    await deadLetters();
    installSandbox(); // MoEngage now accepts them (e.g. the blueprint was fixed; here the sandbox forgets)
    const res = await operator('/debugger/api/replay', { messageIds: ['bad-1', 'good-1', 'nope'] });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { replayed: number; notReplayable: string[]; connections: { connection: string; skipped: { messageId: string; status: string | null }[] }[] };
    expect(body.replayed).toBe(1);
    expect(body.notReplayable).toEqual(['good-1', 'nope']);
    expect(body.connections.find((c) => c.connection === 'tiny')?.skipped).toEqual([
      { messageId: 'good-1', status: 'delivered' },
      { messageId: 'nope', status: null },
    ]);
    // It shared a request with good-1 first, then went alone (the split): two attempts so far.
    expect(await eventRow('tiny', 'bad-1')).toMatchObject({ status: 'queued', attempts: 2, reason: null, detail: expect.stringMatching(/^replayed at /) });
    expect(await eventRow('tiny', 'bad-2')).toMatchObject({ status: 'dead' });
  });

  it('by reason and all: everything dead-lettered for that reason, once', async () => {
    await deadLetters();
    expect(await (await operator('/debugger/api/replay', { reason: 'nothing_like_this' })).json()).toMatchObject({ replayed: 0 });
    expect(await (await operator('/debugger/api/replay', { reason: 'rejected_by_moengage' })).json()).toMatchObject({ replayed: 2 });
    expect(await (await operator('/debugger/api/replay', { all: true })).json()).toMatchObject({ replayed: 0 });
    // Poison is still poison: they go back to the dead-letter list with MoEngage's message.
    await drain('tiny');
    expect(await eventRow('tiny', 'bad-2')).toMatchObject({ status: 'dead', reason: 'rejected_by_moengage', attempts: 2 });
  });

  it.each([
    { name: 'no token', headers: {}, body: { all: true }, status: 401, error: 'unauthorized' },
    { name: 'wrong token', headers: { authorization: 'Bearer nope' }, body: { all: true }, status: 401, error: 'unauthorized' },
    { name: 'no selector', headers: { authorization: `Bearer ${DEBUGGER_TOKEN}` }, body: {}, status: 400, error: 'invalid_replay' },
    { name: 'two selectors', headers: { authorization: `Bearer ${DEBUGGER_TOKEN}` }, body: { all: true, reason: 'x' }, status: 400, error: 'invalid_replay' },
    { name: 'unknown field', headers: { authorization: `Bearer ${DEBUGGER_TOKEN}` }, body: { everything: true }, status: 400, error: 'invalid_replay' },
    { name: 'unknown connection', headers: { authorization: `Bearer ${DEBUGGER_TOKEN}` }, body: { all: true, connection: 'zzz' }, status: 404, error: 'unknown_connection' },
  ])('refuses $name ($status $error)', async ({ headers, body, status, error }) => {
    installSandbox();
    const res = await post('/debugger/api/replay', body, headers as Record<string, string>);
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ error, detail: expect.any(String) });
  });

  it('replaying paused events resumes their connection', async () => {
    installSandbox({ credentials: { ...CREDENTIALS, 'ws-main': 'rotated' } });
    await enqueue('main', [trackRecord('u1', { id: 'p1' })]);
    await drain('main');
    expect(await eventRow('main', 'p1')).toMatchObject({ status: 'paused' });
    const { sandbox } = installSandbox();
    expect(await (await operator('/debugger/api/replay', { messageIds: ['p1'], connection: 'main' })).json()).toMatchObject({
      replayed: 0,
      connections: [{ connection: 'main', paused: 1, resumed: true }],
    });
    await drain('main');
    expect(deliveredIds(sandbox, 'main')).toEqual(['p1']);
  });
});

describe('backlog bounds ("tiny": 20 waiting events, 1 hour)', () => {
  it('refuses with 503 backlog_full once full (the client keeps the batch) and accepts again once drained', async () => {
    // No alarm runs until the end: the queue only fills.
    const { sandbox } = installSandbox();
    const batch = (from: number, n: number) => ({
      batch: Array.from({ length: n }, (_, i) => ({ type: 'track', messageId: `b${from + i}`, userId: 'u1', event: 'Order Completed', properties: { order_id: `${from + i}` } })),
    });
    expect((await post('/v1/batch', batch(0, 20))).status).toBe(200);
    const refused = await post('/v1/batch', batch(20, 1));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(await refused.json()).toEqual({ error: 'backlog_full', detail: 'tiny: 20 events are waiting for MoEngage (MAX_BACKLOG_EVENTS = 20); retry later' });
    expect(await eventRow('tiny', 'b20')).toBeNull(); // nothing of it stored there: never accept-then-drop
    // A retry of what was already stored is fine (duplicates only).
    expect((await post('/v1/batch', batch(0, 20))).status).toBe(200);

    const health = (await (await get('/healthz')).json()) as { connections: QueueHealth[] };
    expect(health.connections.find((c) => c.connection === 'tiny')).toMatchObject({
      status: 'backlog_full',
      queueDepth: 20,
      bounds: { backlogFull: true, maxBacklogEvents: 20, refusedBatches: { total: 1, detail: expect.stringContaining('MAX_BACKLOG_EVENTS') } },
    });

    await drain('tiny');
    expect(sandbox.requests.filter((r) => r.workspace === 'ws-tiny').length).toBeGreaterThan(0);
    expect(await statuses('tiny')).toEqual({ delivered: 20 });
    expect((await post('/v1/batch', batch(20, 1))).status).toBe(200);
  });

  it('dead-letters events waiting longer than MAX_EVENT_AGE_HOURS as "expired": visible and replayable', async () => {
    // Paused (wrong key), so its events wait; the first one waits longer than an hour.
    const broken = installSandbox({ credentials: { ...CREDENTIALS, 'ws-tiny': 'wrong' } });
    await enqueue('tiny', [trackRecord('u1', { id: 'old' })]);
    await runUntil('tiny', T0 + 30 * 60_000);
    await enqueue('tiny', [trackRecord('u1', { id: 'young' })]);
    await runUntil('tiny', T0 + 61 * 60_000);
    expect(await eventRow('tiny', 'old')).toMatchObject({ status: 'dead', reason: 'expired', detail: expect.stringContaining('MAX_EVENT_AGE_HOURS') });
    expect(await eventRow('tiny', 'young')).toMatchObject({ status: 'paused' });
    const health = (await (await get('/healthz')).json()) as { connections: QueueHealth[] };
    expect(health.connections.find((c) => c.connection === 'tiny')?.bounds.expiredEvents).toMatchObject({ total: 1 });
    expect(broken.sandbox.requests).toHaveLength(1);

    const fixed = installSandbox();
    await operator('/debugger/api/connections/tiny/resume', {});
    expect(await (await operator('/debugger/api/replay', { reason: 'expired' })).json()).toMatchObject({ replayed: 1 });
    await drain('tiny');
    expect(deliveredIds(fixed.sandbox, 'tiny').sort()).toEqual(['old', 'young']);
  });
});

describe('log bounds', () => {
  it('keeps at most MAX_LOG_EVENTS rows ("batch": 10), forgetting the oldest delivered first; dead letters stay', async () => {
    const { sandbox } = installSandbox();
    await enqueue('batch', [...Array.from({ length: 14 }, (_, i) => trackRecord(`u${i}`, { id: `l${i}` })), trackRecord('u1', { id: 'poison', action: 'moe_bad' })]);
    await runUntil('batch', T0 + 5 * 60_000);
    expect(await statuses('batch')).toEqual({ delivered: 14, dead: 1 });
    await enqueue('batch', [trackRecord('u1', { id: 'late' })]);
    await runUntil('batch', T0 + 10 * 60_000); // the next flush trims the log
    expect(await statuses('batch')).toEqual({ delivered: 9, dead: 1 });
    expect(await eventRow('batch', 'l0')).toBeNull();
    expect(await eventRow('batch', 'poison')).toMatchObject({ status: 'dead' });
    expect((await queue('batch').health('batch')).log).toMatchObject({ events: 10, maxEvents: 10 });
    expect(sandbox.requests.length).toBeGreaterThan(0);
  });
});

describe('/healthz', () => {
  it('reports every connection’s queue without secrets', async () => {
    installSandbox();
    await enqueue('main', [trackRecord('u1', { id: 'h1' }), trackRecord('u2', { id: 'h2' })]);
    await runUntil('main', T0 + 500);
    const res = await get('/healthz');
    expect(res.status).toBe(200);
    const text = await res.text();
    for (const secret of Object.values(CREDENTIALS)) expect(text).not.toContain(secret);
    expect(text).not.toContain('fingerprint');
    const body = JSON.parse(text) as { ok: boolean; status: string; connections: QueueHealth[] };
    expect(body).toMatchObject({ ok: true, status: 'ok' });
    expect(body.connections.map((c) => c.connection)).toEqual(['main', 'other', 'slow', 'batch', 'tiny']);
    expect(body.connections[0]).toEqual({
      connection: 'main',
      status: 'ok',
      mode: 'realtime',
      packing: 'auto',
      queueDepth: 2,
      inFlight: 0,
      deadLettered: 0,
      oldestAgeSeconds: 1,
      nextAttemptAt: T0,
      paused: null,
      retryingUntil: null,
      rateLimitedUntil: null,
      rateLimited: null,
      bounds: {
        maxBacklogEvents: 500_000,
        maxEventAgeHours: 72,
        backlogFull: false,
        refusedBatches: { total: 0, lastAt: null },
        expiredEvents: { total: 0, lastAt: null },
      },
      log: { events: 2, oldestAgeHours: 0, retentionHours: 168, maxEvents: 2_000_000 },
      deadLetters: { count: 0, oldestAgeHours: null, retentionDays: 30 },
      storageBytes: expect.any(Number),
      // One queue shard (the default): listed with what it took since its object started.
      shards: [{ shard: 0, queue: 'main', status: 'ok', queueDepth: 2, oldestAgeSeconds: 1, events: 2, eventsReceived: 2, requestsReceived: 1, receivedSince: expect.any(Number), inFlight: 0, deadLettered: 0 }],
    });
  });
});
