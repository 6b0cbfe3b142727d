/**
 * GET /debugger/api/stream: the live tail as Server-Sent Events. Each test reads a few frames from
 * the body as they arrive, then cancels it (real time: the tail polls the queues about once a second).
 */
import { reset } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import type { Env } from '../../../worker/env';
import worker from '../../../worker/index';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, ingest, refusal, SseReader, track } from '../support/debugger';
import { DEBUGGER_TOKEN, flush } from '../support/ingest';
import { installSandbox } from '../support/sandbox';

beforeEach(() => installSandbox());
afterEach(async () => {
  vi.restoreAllMocks();
  await reset();
});

const open = async (query = '', headers: Record<string, string> = {}) => {
  const res = await api(`/debugger/api/stream?maxSeconds=20${query ? `&${query}` : ''}`, { headers });
  expect(res.status).toBe(200);
  return new SseReader(res);
};

// The tail polls the queues once a second and these tests wait on several polls: a loaded machine
// needs more than the default 5 s (a bound on waiting; nothing here is timed).
describe('the live tail', { timeout: 20_000 }, () => {
  it('is text/event-stream, not cached, and opens with a retry hint', async () => {
    const res = await api('/debugger/api/stream?maxSeconds=5');
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const stream = new SseReader(res);
    const first = await stream.next();
    expect(first?.retry).toBe('2000');
    expect(first?.comments[0]).toMatch(/^edgetag live tail/);
    await stream.cancel();
  });

  it('delivers an event ingested after it opened, then again when its status changes', async () => {
    const stream = await open();
    await stream.next();
    // Held (an anonymous visitor): nothing changes it until the visitor is identified. (A queued
    // event could already be delivered by its real flush alarm before the tail reads it.)
    await ingest(track({ messageId: 'live-1', userId: undefined, anonymousId: 'visitor-live' }));
    const held = await stream.nextEvent((e) => e.messageId === 'live-1');
    expect(held.data).toMatchObject({ messageId: 'live-1', connection: 'default', status: 'held', anonymousId: 'visitor-live', name: 'Product Viewed', attempts: 0 });
    expect(held.id).not.toBe('');
    await ingest({ type: 'identify', messageId: 'live-id', userId: 'u_live', anonymousId: 'visitor-live' });
    const released = await stream.nextEvent((e) => e.messageId === 'live-1');
    expect(['queued', 'delivered']).toContain(released.data.status);
    expect(released.id).not.toBe(held.id);
    await flush();
    if (released.data.status !== 'delivered') {
      const delivered = await stream.nextEvent((e) => e.messageId === 'live-1');
      expect(delivered.data).toMatchObject({ status: 'delivered', attempts: 1, lastAnswer: { status: 200 } });
    }
    await stream.cancel();
  });

  it('honours filters: only matching events are sent', async () => {
    const stream = await open('status=dropped&reason=not_in_blueprint');
    await stream.next();
    await ingest(track({ messageId: 'f-queued' }), track({ messageId: 'f-guest', userId: 'guest' }));
    await ingest(track({ messageId: 'f-dropped', event: 'Wishlist Shared' }));
    const first = await stream.nextEvent();
    expect(first.data).toMatchObject({ messageId: 'f-dropped', status: 'dropped', reason: 'not_in_blueprint' });
    await stream.cancel();

    const byUser = await open('userId=u_only&event=Order%20Completed');
    await byUser.next();
    await ingest(
      track({ messageId: 'u-other', userId: 'u_someone' , event: 'Order Completed', properties: { order_id: 'x', revenue: 1 } }),
      track({ messageId: 'u-viewed', userId: 'u_only' }),
      track({ messageId: 'u-order', userId: 'u_only', event: 'Order Completed', properties: { order_id: 'y', revenue: 2 } }),
    );
    expect((await byUser.nextEvent()).data.messageId).toBe('u-order');
    await byUser.cancel();
  });

  it('resumes with Last-Event-ID: what happened while disconnected is sent first', async () => {
    const first = await open();
    await first.next();
    // Dropped: it never changes again (a queued one would be delivered by its real alarm meanwhile).
    await ingest(track({ messageId: 'before-drop', event: 'Wishlist Shared' }));
    const seen = await first.nextEvent((e) => e.messageId === 'before-drop');
    await first.cancel();

    await ingest(track({ messageId: 'while-away', event: 'Wishlist Shared' }));
    const resumed = await open('', { 'last-event-id': seen.id });
    await resumed.next();
    const next = await resumed.nextEvent();
    expect(next.data).toMatchObject({ messageId: 'while-away', status: 'dropped' });
    expect(next.skipped).toEqual([]);
    await resumed.cancel();
  });

  it('masks personal data as the listing does', async () => {
    const stream = await open();
    await stream.next();
    await ingest(track({ messageId: 'mask-1', userId: 'someone@example.com' }));
    expect((await stream.nextEvent((e) => e.messageId === 'mask-1')).data.userId).toBe('s***@example.com');
    await stream.cancel();
  });

  it('ends after maxSeconds with an `end` event telling the client to reconnect', async () => {
    const stream = new SseReader(await api('/debugger/api/stream?maxSeconds=1'));
    let frame = await stream.next();
    while (frame && frame.event !== 'end') frame = await stream.next(5_000);
    expect(frame?.event).toBe('end');
    expect(JSON.parse(frame!.data!)).toEqual({ reason: 'lifetime', maxSeconds: 1, reconnect: true });
    expect(await stream.next()).toBeNull();
  });

  it.each([
    ['maxSeconds=0', {}, 'invalid_query'],
    ['maxSeconds=301', {}, 'invalid_query'],
    ['maxSeconds=1.5', {}, 'invalid_query'],
    ['status=nope', {}, 'invalid_query'],
    ['since=soon', {}, 'invalid_query'],
    ['', { 'last-event-id': 'not-an-id!' }, 'invalid_last_event_id'],
    ['', { 'last-event-id': btoa(JSON.stringify({ default: ['x', 1] })).replace(/=+$/, '') }, 'invalid_last_event_id'],
  ])('refuses %s %j with 400 %s', async (query, headers, error) => {
    const { status, body } = await refusal(api(`/debugger/api/stream?${query}`, { headers }));
    expect(status).toBe(400);
    expect(body.error).toBe(error);
  });

  it('refuses an unknown connection with 404', async () => {
    const { status, body } = await refusal(api('/debugger/api/stream?connection=nope'));
    expect(status).toBe(404);
    expect(body.error).toBe('unknown_connection');
  });
});

describe('a client going away', () => {
  it('ends the tail’s work within about a poll, not at maxSeconds', { timeout: 30_000 }, async () => {
    // The collector's own handler, with the real queues; only the count of reads is watched.
    let reads = 0;
    const watched = {
      ...env,
      DELIVERY_QUEUE: {
        getByName: (name: string) => {
          const stub = env.DELIVERY_QUEUE.getByName(name);
          return { changedEvents: (...args: Parameters<typeof stub.changedEvents>) => (reads++, stub.changedEvents(...args)) };
        },
      },
    } as unknown as Env;
    const work: Promise<unknown>[] = [];
    const ctx = { waitUntil: (p: Promise<unknown>) => void work.push(p), passThroughOnException: () => undefined } as unknown as ExecutionContext;
    const request = new Request('http://collector.test/debugger/api/stream?maxSeconds=30', { headers: { authorization: `Bearer ${DEBUGGER_TOKEN}` } });
    const res = await worker.fetch(request as Request<unknown, IncomingRequestCfProperties>, watched, ctx);
    const stream = new SseReader(res);
    await stream.next();
    for (const deadline = Date.now() + 10_000; reads < 1 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
    expect(reads).toBeGreaterThanOrEqual(1);
    await stream.cancel();
    const cancelledAt = Date.now();
    await Promise.race([Promise.all(work), new Promise((_, reject) => setTimeout(() => reject(new Error('still polling 10 s after the client went away')), 10_000))]);
    expect(Date.now() - cancelledAt).toBeLessThan(10_000); // a poll is 1 s; maxSeconds is 30
    const after = reads;
    await new Promise((r) => setTimeout(r, 1_500));
    expect(reads).toBe(after);
  });
});
