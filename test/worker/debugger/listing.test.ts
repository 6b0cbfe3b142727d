/**
 * GET /debugger/api/events: newest first, filters, limits, cursor pagination. The clock is faked
 * (Date only; the Worker, the queue and the sandbox share the isolate) so receivedAt is exact.
 */
import { reset } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EventSummary } from '../../../worker/debugger/views';
import { api, ingest, listEvents, refusal, track, walk } from '../support/debugger';
import { flush } from '../support/ingest';
import { installSandbox } from '../support/sandbox';

const T0 = Date.UTC(2030, 5, 3, 12, 0, 0);

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'], now: T0 });
  installSandbox();
});
afterEach(async () => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  await reset();
});

const at = (ms: number) => vi.setSystemTime(T0 + ms);
const ids = (events: { messageId: string }[]) => events.map((e) => e.messageId);

/** The order the API promises: receivedAt descending, ties by messageId descending (one connection). */
const newestFirst = (a: EventSummary, b: EventSummary) => b.receivedAt - a.receivedAt || (a.messageId < b.messageId ? 1 : -1);

/**
 * A mixed log, one message a second:
 *   s1 delivered (alice) · s2 dropped not_in_blueprint (alice) · s3 held (anonymousId alice) ·
 *   s4 queued Order Completed (bob) · s5 dropped disallowed_customer_id ("guest") · s6 queued (bob)
 */
async function mixedLog(): Promise<void> {
  at(0);
  await ingest(track({ messageId: 's1', userId: 'alice' }));
  await flush();
  at(1_000);
  await ingest(track({ messageId: 's2', userId: 'alice', event: 'Wishlist Shared' }));
  at(2_000);
  await ingest(track({ messageId: 's3', userId: undefined, anonymousId: 'alice' }));
  at(3_000);
  await ingest(track({ messageId: 's4', userId: 'bob', event: 'Order Completed', properties: { order_id: 'o-1', revenue: 10 } }));
  at(4_000);
  await ingest(track({ messageId: 's5', userId: 'guest' }));
  at(5_000);
  await ingest(track({ messageId: 's6', userId: 'bob' }));
}

describe('listing', () => {
  it('lists newest first, with each event’s summary', async () => {
    await mixedLog();
    const page = await listEvents();
    expect(ids(page.events)).toEqual(['s6', 's5', 's4', 's3', 's2', 's1']);
    expect(page.events.map((e) => e.receivedAt)).toEqual([5, 4, 3, 2, 1, 0].map((s) => T0 + s * 1_000));
    expect(page.nextCursor).toBeNull();
    expect(page.events.map((e) => [e.messageId, e.status, e.reason])).toEqual([
      ['s6', 'queued', null],
      ['s5', 'dropped', 'disallowed_customer_id'],
      ['s4', 'queued', null],
      ['s3', 'held', null],
      ['s2', 'dropped', 'not_in_blueprint'],
      ['s1', 'delivered', null],
    ]);
    expect(page.events.find((e) => e.messageId === 's1')).toMatchObject({
      connection: 'default',
      type: 'track',
      name: 'Product Viewed',
      userId: 'alice',
      anonymousId: null,
      attempts: 1,
      lastAnswer: { status: 200, at: T0 },
      cursor: expect.any(String),
    });
    // A summary carries no payloads (the journey does).
    expect(Object.keys(page.events[0]!)).not.toContain('raw');
  });

  it.each([
    ['status=dropped', ['s5', 's2']],
    ['status=queued,held', ['s6', 's4', 's3']],
    ['status=delivered', ['s1']],
    ['status=dead', []],
    ['status=%20dropped%20,%20delivered', ['s5', 's2', 's1']],
    ['event=Order%20Completed', ['s4']],
    ['event=Wishlist%20Shared', ['s2']],
    ['event=Nothing', []],
    ['userId=alice', ['s3', 's2', 's1']], // s3 is alice's anonymousId
    ['userId=bob', ['s6', 's4']],
    ['reason=not_in_blueprint', ['s2']],
    ['reason=disallowed_customer_id', ['s5']],
    ['status=dropped&userId=alice', ['s2']],
    ['userId=alice&event=Product%20Viewed', ['s3', 's1']],
    ['connection=default', ['s6', 's5', 's4', 's3', 's2', 's1']],
  ])('filters by %s', async (query, expected) => {
    await mixedLog();
    expect(ids((await listEvents(query)).events)).toEqual(expected);
  });

  it('filters by since: a duration back from now, epoch ms, or an ISO time', async () => {
    await mixedLog();
    at(5_000 + 15 * 60_000); // 15 minutes after s6
    await ingest(track({ messageId: 'late' }));
    expect(ids((await listEvents('since=15m')).events)).toEqual(['late', 's6']);
    expect(ids((await listEvents('since=14m')).events)).toEqual(['late']);
    expect(ids((await listEvents(`since=${T0 + 3_000}`)).events)).toEqual(['late', 's6', 's5', 's4']);
    expect(ids((await listEvents(`since=${new Date(T0 + 4_000).toISOString()}`)).events)).toEqual(['late', 's6', 's5']);
    expect(ids((await listEvents('since=1h&status=dropped')).events)).toEqual(['s5', 's2']);
  });

  it('bounds limit to 1–500 (default 50) and says when more follow', async () => {
    at(0);
    await ingest(...Array.from({ length: 60 }, (_, i) => track({ messageId: `l${String(i).padStart(2, '0')}` })));
    const byDefault = await listEvents();
    expect(byDefault.events).toHaveLength(50);
    expect(byDefault.nextCursor).toEqual(expect.any(String));
    const one = await listEvents('limit=1');
    expect(ids(one.events)).toEqual(['l59']); // same receivedAt: messageId descending
    expect((await listEvents('limit=500')).events).toHaveLength(60);
    expect((await listEvents('limit=60')).nextCursor).toBeNull();
    expect((await listEvents('limit=59')).nextCursor).toEqual(expect.any(String));
  });

  it.each([
    ['status=bogus', 'status.0'],
    ['status=dropped,bogus', 'status.1'],
    ['limit=0', 'limit'],
    ['limit=501', 'limit'],
    ['limit=ten', 'limit'],
    ['limit=2.5', 'limit'],
    ['since=yesterday', 'since'],
    ['since=15x', 'since'],
    ['since=3000ms', 'since'],
    [`event=${'e'.repeat(513)}`, 'event'],
  ])('refuses %s with 400 invalid_query naming the parameter', async (query, path) => {
    const { status, body } = await refusal(api(`/debugger/api/events?${query}`));
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_query');
    expect(body.detail).toContain('status (comma list of dropped, held, queued, retrying, delivered, dead, paused)');
    expect(body.issues?.map((i) => i.path)).toEqual([path]);
  });

  it.each(['garbage!', 'bm90LWpzb24', btoa(JSON.stringify([1, 2, 3])), btoa(JSON.stringify(['x', 'default', 'm']))])(
    'refuses a cursor it did not hand out (%s) with 400 invalid_cursor',
    async (cursor) => {
      const { status, body } = await refusal(api(`/debugger/api/events?cursor=${encodeURIComponent(cursor)}`));
      expect(status).toBe(400);
      expect(body).toEqual({ error: 'invalid_cursor', detail: expect.stringContaining('nextCursor') });
    },
  );

  it('refuses an unknown connection with 404 naming the configured ones', async () => {
    const { status, body } = await refusal(api('/debugger/api/events?connection=nope'));
    expect(status).toBe(404);
    expect(body).toEqual({ error: 'unknown_connection', detail: 'no connection "nope"; configured: default' });
  });
});

describe('cursor pagination', { timeout: 60_000 }, () => {
  /** 250 events in 5 batches: 50 share each receivedAt, so ties are broken by messageId across pages. */
  async function log250(): Promise<string[]> {
    const sent: string[] = [];
    for (let b = 0; b < 5; b++) {
      at(b * 1_000);
      const batch = Array.from({ length: 50 }, (_, i) => {
        const n = b * 50 + i;
        // Every 7th is dropped (not in the blueprint); ids are not in time order, so the tie-break is real.
        return track({ messageId: `p-${(n * 37) % 250}-${n}`, event: n % 7 === 0 ? 'Wishlist Shared' : 'Product Viewed', userId: `user-${n % 3}` });
      });
      await ingest(...batch);
      sent.push(...batch.map((m) => m.messageId as string));
    }
    return sent;
  }

  it('walks all 250 events page by page, in order, without duplicates or gaps', async () => {
    const sent = await log250();
    const everything = (await listEvents('limit=500')).events;
    expect(everything).toHaveLength(250);
    expect(everything).toEqual([...everything].sort(newestFirst));

    for (const limit of [9, 40, 50, 249, 250]) {
      const { events, pages } = await walk(`limit=${limit}`);
      expect(ids(events), `limit=${limit}`).toEqual(ids(everything));
      expect(pages, `limit=${limit}`).toBe(Math.ceil(250 / limit));
    }
    expect(new Set(ids(everything))).toEqual(new Set(sent));
  });

  it('is not disturbed by events arriving, or changing status, between pages', async () => {
    await log250();
    const before = ids((await listEvents('limit=500')).events);
    const seen: string[] = [];
    let cursor: string | null = null;
    let page = 0;
    do {
      const answer = await listEvents(`limit=40${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...ids(answer.events));
      cursor = answer.nextCursor;
      // New events arrive, and some events are delivered (their status changes under the cursor).
      at(10_000 + page * 1_000);
      await ingest(track({ messageId: `new-${page}` }));
      if (page === 2) await flush();
      page++;
    } while (cursor);
    expect(seen).toEqual(before);
    // The new ones are all there on a fresh listing, on top.
    const fresh = ids((await listEvents('limit=500')).events);
    expect(fresh.slice(0, page)).toEqual(Array.from({ length: page }, (_, i) => `new-${page - 1 - i}`));
    expect(fresh).toHaveLength(250 + page);
    expect((await listEvents('status=delivered&limit=500')).events.length).toBeGreaterThan(0);
  });

  it('pages through a filter too: status, and a userId that matches userIds and anonymousIds', async () => {
    const sent = await log250();
    const dropped = await walk('status=dropped&limit=7');
    const expectedDropped = sent.filter((_, n) => n % 7 === 0);
    expect(dropped.events.every((e) => e.status === 'dropped' && e.reason === 'not_in_blueprint')).toBe(true);
    expect(new Set(ids(dropped.events))).toEqual(new Set(expectedDropped));
    expect(dropped.events).toHaveLength(expectedDropped.length);
    expect(dropped.events).toEqual([...dropped.events].sort(newestFirst));

    // Anonymous visitors whose anonymousId is "user-1", interleaved in time with user-1's own events.
    for (let b = 0; b < 5; b++) {
      at(b * 1_000);
      await ingest(track({ messageId: `anon-${b}`, userId: undefined, anonymousId: 'user-1' }));
    }
    const user1 = await walk('userId=user-1&limit=10');
    const expectedUser1 = [...sent.filter((_, n) => n % 3 === 1), ...Array.from({ length: 5 }, (_, b) => `anon-${b}`)];
    expect(user1.events).toHaveLength(expectedUser1.length);
    expect(new Set(ids(user1.events))).toEqual(new Set(expectedUser1));
    expect(user1.events).toEqual([...user1.events].sort(newestFirst));
    expect(user1.events.every((e) => e.userId === 'user-1' || e.anonymousId === 'user-1')).toBe(true);
  });

  it('an event’s own cursor continues after it', async () => {
    await log250();
    const all = (await listEvents('limit=500')).events;
    const pivot = all[123]!;
    const after = await listEvents(`limit=5&cursor=${encodeURIComponent(pivot.cursor)}`);
    expect(ids(after.events)).toEqual(ids(all.slice(124, 129)));
  });
});
