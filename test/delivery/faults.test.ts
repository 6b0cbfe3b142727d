/**
 * MoEngage misbehaving, as the sandbox plays it: outages, 429 storms, poison events, 413s, refused
 * credentials. Deterministic: the clock is ours and alarms run in time order.
 */
import { runInDurableObject } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { QueueMeta } from '../../worker/delivery/store/meta';
import {
  accepted,
  cleanup,
  CREDENTIALS,
  deliveredIds,
  drain,
  enqueue,
  eventRow,
  get,
  installSandbox,
  operator,
  queue,
  runUntil,
  startClock,
  statuses,
  T0,
  trackRecord,
} from './support/harness';

beforeEach(() => startClock());
afterEach(cleanup);

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const sorted = (xs: string[]) => [...xs].sort();

describe('outage, then recovery', () => {
  it('backs off during a 5-minute 503 outage (no retry storm) and then delivers every event exactly once', async () => {
    const { sandbox } = installSandbox();
    sandbox.faults.add({ status: 503, seconds: 300 });
    const sent: string[] = [];
    // Traffic keeps coming every 20 s for 10 minutes.
    for (let s = 0; s < 600; s += 20) {
      await runUntil('main', T0 + s * 1_000);
      const id = `e${s}`;
      sent.push(id);
      await enqueue('main', [trackRecord(`u${s % 7}`, { id })]);
      if (s === 200) {
        expect(await eventRow('main', 'e0')).toMatchObject({ status: 'retrying', reason: 'moengage_unavailable', detail: expect.stringContaining('HTTP 503') });
        const health = (await (await get('/healthz')).json()) as { connections: { connection: string; status: string }[] };
        expect(health.connections.find((c) => c.connection === 'main')?.status).toBe('retrying');
      }
    }
    await drain('main');
    const failures = sandbox.requests.filter((r) => r.response.status === 503);
    expect(failures.length).toBeGreaterThanOrEqual(4);
    expect(failures.length).toBeLessThanOrEqual(7); // ~10 s, 30 s, 1, 2, 4 min apart: one probe at a time
    expect(sorted(deliveredIds(sandbox, 'main'))).toEqual(sorted(sent));
    expect(await statuses('main')).toEqual({ delivered: sent.length });
    const first = await eventRow('main', 'e0');
    expect(first?.exchanges?.map((x) => x.status).at(-1)).toBe(200);
    expect(first?.exchanges?.filter((x) => x.status === 503).length).toBe(first!.attempts - 1);
  });

  it('dead-letters after MAX_ATTEMPTS failed attempts (connection "tiny": 3), visibly; a replay delivers them once MoEngage is back', async () => {
    const { sandbox } = installSandbox();
    sandbox.faults.add({ status: 500 });
    await enqueue('tiny', [trackRecord('u1', { id: 'a' }), trackRecord('u1', { id: 'b' })]);
    await drain('tiny');
    expect(sandbox.requests.map((r) => r.response.status)).toEqual([500, 500, 500]);
    expect(await eventRow('tiny', 'a')).toMatchObject({
      status: 'dead',
      reason: 'moengage_unavailable',
      detail: expect.stringMatching(/^HTTP 500 InternalServerError: .*\(gave up after 3 failed attempts\)$/),
      attempts: 3,
    });

    sandbox.faults.clear();
    const res = await operator('/debugger/api/replay', { reason: 'moengage_unavailable', connection: 'tiny' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ replayed: 2 });
    const again = await operator('/debugger/api/replay', { reason: 'moengage_unavailable', connection: 'tiny' });
    expect(await again.json()).toMatchObject({ replayed: 0 }); // idempotent
    await drain('tiny');
    expect(deliveredIds(sandbox, 'tiny')).toEqual(['a', 'b']);
    expect(await eventRow('tiny', 'a')).toMatchObject({ status: 'delivered', attempts: 4 });
  });
});

describe('429 storm', () => {
  it('waits for the reset MoEngage names, never counts a 429 as a failure, and delivers everything once', async () => {
    const { sandbox } = installSandbox();
    sandbox.faults.add({ status: 429, count: 3 }); // the sandbox adds retry-after = seconds to the minute's end
    sandbox.faults.add({ status: 429, count: 1, headers: { 'retry-after': '7' }, path: '/v1/transition' });
    const sent = ids('r', 40);
    await enqueue('main', sent.map((id, i) => trackRecord(`u${i % 20}`, { id })));
    await runUntil('main', T0 + 150_000);
    expect(await eventRow('main', 'r0')).toMatchObject({ status: 'queued', reason: null }); // waiting, not failing
    await drain('main');

    const statuses429 = sandbox.requests.map((r) => [r.response.status, r.at - T0]);
    // 1 s: 429 (retry-after 59 s) → 60 s: 429 (60 s) → 120 s: 429 (60 s) → 180 s: 429 saying
    // retry-after 7 s but also x-ratelimit-remaining 0 until the minute ends: the stricter wins → 240 s: 200.
    expect(statuses429).toEqual([
      [429, 1_000],
      [429, 60_000],
      [429, 120_000],
      [429, 180_000],
      [200, 240_000],
    ]);
    expect(sorted(deliveredIds(sandbox, 'main'))).toEqual(sorted(sent));
    const event = await eventRow('main', 'r0');
    expect(event).toMatchObject({ status: 'delivered', attempts: 5 });
    expect(event?.exchanges?.[0]?.error).toContain('not counted as a failed attempt');
  });
});

describe('poison event in a batch of 50', () => {
  it('one customer: splits the /v1/event request in halves until the bad action is alone; 49 delivered, 1 dead-lettered with MoEngage’s message', async () => {
    const { sandbox } = installSandbox();
    const records = ids('p', 50).map((id, i) => trackRecord('u1', { id, action: i === 37 ? 'moe_internal' : 'Product Viewed' }));
    await enqueue('main', records);
    await drain('main');
    const good = ids('p', 50).filter((id) => id !== 'p37');
    expect(sorted(deliveredIds(sandbox, 'main'))).toEqual(sorted(good));
    expect(await eventRow('main', 'p37')).toMatchObject({
      status: 'dead',
      reason: 'rejected_by_moengage',
      detail: `HTTP 400 InvalidAttributeError: Invalid attribute 'actions[0].action': "moe_internal" uses the reserved prefix "moe_".`,
    });
    expect(await statuses('main')).toEqual({ delivered: 49, dead: 1 });
    expect(sandbox.requests.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(50)) + 1);
  });

  it('fifty customers: the bulk request is halved the same way', async () => {
    const { sandbox } = installSandbox();
    const records = ids('q', 50).map((id, i) => trackRecord(i === 3 ? 'guest' : `c${i}`, { id }));
    await enqueue('main', records);
    await drain('main');
    expect(sandbox.requests[0]?.path).toBe('/v1/transition/ws-main');
    expect(deliveredIds(sandbox, 'main').length).toBe(49);
    expect(await eventRow('main', 'q3')).toMatchObject({
      status: 'dead',
      reason: 'rejected_by_moengage',
      detail: expect.stringContaining('is a placeholder value MoEngage does not allow as a customer_id'),
    });
  });
});

describe('413 and oversized events', () => {
  it('a 413 on a multi-event request splits it; a 413 on a single event dead-letters it as payload_too_large', async () => {
    const { sandbox } = installSandbox();
    sandbox.faults.add({ status: 413, count: 1 });
    await enqueue('main', ids('s', 6).map((id) => trackRecord('u1', { id })));
    await drain('main');
    expect(sandbox.requests.map((r) => [r.response.status, (r.body as { actions: unknown[] }).actions.length])).toEqual([
      [413, 6],
      [200, 3],
      [200, 3],
    ]);
    expect(await statuses('main')).toEqual({ delivered: 6 });

    sandbox.faults.add({ status: 413, count: 1 });
    await enqueue('main', [trackRecord('u2', { id: 'lone' })]);
    await drain('main');
    expect(await eventRow('main', 'lone')).toMatchObject({ status: 'dead', reason: 'payload_too_large', detail: expect.stringContaining('HTTP 413') });
  });

  it('an event over 128 KB on its own is dead-lettered before sending, never retried', async () => {
    const { sandbox } = installSandbox();
    await enqueue('main', [trackRecord('u1', { id: 'huge', attributes: { blob: 'x'.repeat(140 * 1024) } }), trackRecord('u1', { id: 'fine' })]);
    await drain('main');
    expect(deliveredIds(sandbox, 'main')).toEqual(['fine']);
    expect(sandbox.requests.every((r) => r.bytes <= 128 * 1024)).toBe(true);
    expect(await eventRow('main', 'huge')).toMatchObject({
      status: 'dead',
      reason: 'payload_too_large',
      attempts: 0,
      detail: expect.stringMatching(/^this event alone makes a \d+-byte request; MoEngage accepts at most 131072 bytes/),
    });
  });
});

describe('refused credentials pause the connection', () => {
  it.each([
    { status: 401, reason: 'moengage_unauthorized', setup: 'wrong key' },
    { status: 403, reason: 'moengage_forbidden', setup: 'account blocked' },
  ])('$status ($setup): paused and visible, zero requests until resumed, then everything delivered', { timeout: 30_000 }, async ({ status, reason }) => {
    const broken =
      status === 401 ? installSandbox({ credentials: { ...CREDENTIALS, 'ws-main': 'rotated-key' } }) : installSandbox();
    if (status === 403) broken.sandbox.faults.add({ status: 403 });
    await enqueue('main', ['k1', 'k2'].map((id) => trackRecord('u1', { id })));
    await drain('main');
    expect(broken.sandbox.requests.map((r) => r.response.status)).toEqual([status]);
    expect(await eventRow('main', 'k1')).toMatchObject({ status: 'paused', reason, detail: expect.stringContaining('then resume') });

    // New events wait as paused; hours pass without a single request.
    await enqueue('main', [trackRecord('u2', { id: 'k3' })]);
    expect(await eventRow('main', 'k3')).toMatchObject({ status: 'paused', reason });
    await runUntil('main', T0 + 2 * 3_600_000);
    expect(broken.sandbox.requests).toHaveLength(1);
    const health = (await (await get('/healthz')).json()) as { status: string; connections: { connection: string; status: string; paused: { reason: string } | null; queueDepth: number }[] };
    expect(health.status).toBe('degraded');
    expect(health.connections.find((c) => c.connection === 'main')).toMatchObject({ status: 'paused', paused: { reason }, queueDepth: 3 });

    // The operator fixes MoEngage's side and resumes.
    const { sandbox } = installSandbox();
    const res = await operator('/debugger/api/connections/main/resume', {});
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ connection: 'main', resumed: true, pause: { reason } });
    await drain('main');
    expect(sorted(deliveredIds(sandbox, 'main'))).toEqual(['k1', 'k2', 'k3']);
    expect(await statuses('main')).toEqual({ delivered: 3 });
  });

  it('lifts itself when the connection’s settings change (a new key redeploys the Worker)', async () => {
    installSandbox({ credentials: { ...CREDENTIALS, 'ws-main': 'rotated-key' } });
    await enqueue('main', [trackRecord('u1', { id: 'k1' })]);
    await drain('main');
    expect(await eventRow('main', 'k1')).toMatchObject({ status: 'paused' });
    // As if the pause had been recorded under the previous key: the queue now runs with another one.
    // (Through the queue's own meta, which keeps the pause in memory as well as in SQLite.)
    await runInDurableObject(queue('main'), (instance) => {
      const { meta } = (instance as unknown as { store: { meta: QueueMeta } }).store;
      meta.set('pause', { ...meta.get('pause')!, fingerprint: 'settings-before-the-fix' });
    });
    const { sandbox } = installSandbox();
    await drain('main'); // the paused queue checks its settings every minute
    expect(deliveredIds(sandbox, 'main')).toEqual(['k1']);
    expect((await queue('main').health('main')).paused).toBeNull();
  });

  it('resume of a connection that is not paused says so; an unknown connection is 404', async () => {
    installSandbox();
    expect(await (await operator('/debugger/api/connections/main/resume', {})).json()).toEqual({ connection: 'main', resumed: false, pause: null, rateLimited: null });
    const res = await operator('/debugger/api/connections/nope/resume', {});
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'unknown_connection' });
  });
});

describe('a blip', () => {
  it('a single 5xx is retried about 10 s later (the first rung of the ladder)', async () => {
    const { sandbox } = installSandbox();
    sandbox.faults.add({ status: 500, count: 1 });
    await enqueue('main', [trackRecord('u1', { id: 'z' })]);
    await drain('main');
    expect(sandbox.requests.map((r) => r.response.status)).toEqual([500, 200]);
    const gap = (sandbox.requests[1]?.at ?? 0) - (sandbox.requests[0]?.at ?? 0);
    expect(gap).toBeGreaterThanOrEqual(8_000);
    expect(gap).toBeLessThanOrEqual(12_000);
    expect(accepted(sandbox, 'main')).toHaveLength(1);
    expect(await eventRow('main', 'z')).toMatchObject({ status: 'delivered', attempts: 2, reason: null });
  });
});
