/**
 * GET /debugger/api/stats: counts per status and per reason over a window, the per-minute series,
 * MoEngage throughput against the connection's limit, queue depth and age, paused connections.
 * The clock is faked (Date only) so windows and minute buckets are exact.
 */
import { describe, expect, it } from 'vitest';
import type { DebuggerStats } from '../../../worker/debugger/views';
import { fetchWith } from '../support/configured';
import { api, ingest, ok, refusal, stats, track } from '../support/debugger';
import { DEBUGGER_TOKEN, flush } from '../support/ingest';
import { useSandbox } from '../support/sandboxPerTest';

const MINUTE = 60_000;
const T0 = Date.UTC(2030, 5, 3, 12, 0, 0); // a whole minute

const { sandbox, at } = useSandbox({ clock: T0 });

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);

/**
 *   T0 − 2 h   old: delivered (outside a 60-minute window)
 *   T0 − 3 min a1, a2: delivered in one request
 *   T0         bad: dead (MoEngage 400) · b1–b4: delivered in one request · nib1, nib2: dropped not_in_blueprint · guest: dropped disallowed_customer_id
 *   T0 + 30 s  h: held (anonymous) · q1, q2: queued (not flushed)
 *   now = T0 + 45 s
 */
async function scenario(): Promise<void> {
  at(-120 * MINUTE);
  await ingest(track({ messageId: 'old' }));
  await flush();
  at(-3 * MINUTE);
  await ingest(...ids('a', 2).map((id) => track({ messageId: id, userId: 'u_a' })));
  await flush();
  at(0);
  sandbox().faults.add({ status: 400, count: 1 });
  await ingest(track({ messageId: 'bad', userId: 'u_bad' }));
  await flush();
  await ingest(
    ...ids('b', 4).map((id) => track({ messageId: id, userId: 'u_b' })),
    ...ids('nib', 2).map((id) => track({ messageId: id, event: 'Wishlist Shared' })),
    track({ messageId: 'guest', userId: 'guest' }),
  );
  await flush();
  at(30_000);
  await ingest(track({ messageId: 'h', userId: undefined, anonymousId: 'visitor-1' }), ...ids('q', 2).map((id) => track({ messageId: id })));
  at(45_000);
}

describe('GET /debugger/api/stats', () => {
  it('counts events received in the window per status they are in now, and per reason', async () => {
    await scenario();
    const s = await stats('minutes=60');
    expect(s.window).toEqual({ minutes: 60, since: T0 + 45_000 - 60 * MINUTE, until: T0 + 45_000 });
    expect(s.byStatus).toEqual({ delivered: 6, dropped: 3, dead: 1, held: 1, queued: 2, retrying: 0, paused: 0 });
    expect(s.byReason).toHaveLength(3);
    expect(s.byReason[0]).toEqual({ status: 'dropped', reason: 'not_in_blueprint', count: 2 }); // most first
    expect(s.byReason).toEqual(
      expect.arrayContaining([
        { status: 'dropped', reason: 'disallowed_customer_id', count: 1 },
        { status: 'dead', reason: 'rejected_by_moengage', count: 1 },
      ]),
    );
    // The same answer per connection (one connection here).
    expect(s.connections.map((c) => [c.connection, c.byStatus])).toEqual([['default', s.byStatus]]);

    expect((await stats('minutes=180')).byStatus.delivered).toBe(7); // "old" is back in a 3-hour window
    // The last minute (from T0 − 15 s): without a1, a2.
    expect((await stats('minutes=1')).byStatus).toEqual({ delivered: 4, dropped: 3, dead: 1, held: 1, queued: 2, retrying: 0, paused: 0 });
  });

  it('gives a per-minute series of what arrived, what ended how, and what MoEngage accepted', async () => {
    await scenario();
    const s = await stats('series=5');
    expect(s.perMinute.map((m) => m.minute)).toEqual([-4, -3, -2, -1, 0].map((m) => T0 + m * MINUTE));
    expect(s.perMinute.map((m) => m.received)).toEqual([0, 2, 0, 0, 13 - 2]);
    expect(s.perMinute.map((m) => m.delivered)).toEqual([0, 2, 0, 0, 4]);
    expect(s.perMinute.map((m) => m.dropped)).toEqual([0, 0, 0, 0, 3]);
    expect(s.perMinute.map((m) => m.dead)).toEqual([0, 0, 0, 0, 1]);
    expect(s.perMinute.map((m) => m.moengage)).toEqual([
      { events: 0, customers: 0, merges: 0, requests: 0, failedRequests: 0 },
      { events: 2, customers: 0, merges: 0, requests: 1, failedRequests: 0 },
      { events: 0, customers: 0, merges: 0, requests: 0, failedRequests: 0 },
      { events: 0, customers: 0, merges: 0, requests: 0, failedRequests: 0 },
      { events: 4, customers: 0, merges: 0, requests: 1, failedRequests: 1 },
    ]);
    expect(sandbox().requests.map((r) => r.response.status)).toEqual([200, 200, 400, 200]);
  });

  it('compares MoEngage’s accepted events of the last minute with the connection’s limit', async () => {
    await scenario();
    const s = await stats();
    expect(s.connections[0]?.limits).toEqual({ eventsPerMinute: 30_000, customerUpdatesPerMinute: 10_000, mergesPerMinute: 1_000, requestsPerMinute: null });
    expect(s.connections[0]?.rate).toEqual({ eventsLastMinute: 4, customersLastMinute: 0, percentOfEventsLimit: 0 });

    // With a limit of 50 events a minute, the same 4 events are 8 % of it.
    const res = await fetchWith(
      { MOENGAGE_EVENTS_PER_MINUTE: '50' },
      new Request('http://collector.test/debugger/api/stats', { headers: { authorization: `Bearer ${DEBUGGER_TOKEN}` } }),
    );
    const tight = (await res.json()) as DebuggerStats;
    expect(tight.connections[0]?.limits.eventsPerMinute).toBe(50);
    expect(tight.connections[0]?.rate).toEqual({ eventsLastMinute: 4, customersLastMinute: 0, percentOfEventsLimit: 8 });
  });

  it('the last minute straddles two buckets: part of the previous minute counts', async () => {
    at(0);
    await ingest(...ids('e', 10).map((id) => track({ messageId: id, userId: 'u_e' })));
    await flush();
    at(MINUTE + 15_000); // a quarter into the next minute: three quarters of the previous one still count
    const s = await stats();
    expect(s.connections[0]?.rate.eventsLastMinute).toBe(8); // round(10 × 0.75)
  });

  it('shows the queue: depth, age of the oldest waiting event, dead letters', async () => {
    await scenario();
    const s = await stats();
    expect(s.queue).toEqual({ depth: 2, inFlight: 0, deadLettered: 1, oldestDeadAgeHours: 0, oldestAgeSeconds: 15 });
    expect(s.connections[0]?.health).toMatchObject({ connection: 'default', status: 'ok', queueDepth: 2, deadLettered: 1, paused: null });
    at(45_000 + 10 * MINUTE);
    expect((await stats()).queue.oldestAgeSeconds).toBe(15 + 600);
    await flush();
    expect((await stats()).queue).toEqual({ depth: 0, inFlight: 0, deadLettered: 1, oldestDeadAgeHours: 0.2, oldestAgeSeconds: null }); // dead for 10¾ min
  });

  it('lists paused connections with their reason, and none once resumed', async () => {
    expect((await stats()).paused).toEqual([]);
    sandbox().faults.add({ status: 403, count: 1 });
    await ingest(track({ messageId: 'p1' }));
    await flush();
    const s = await stats();
    expect(s.paused).toEqual([{ connection: 'default', reason: 'moengage_forbidden', detail: expect.stringContaining('HTTP 403'), since: T0 }]);
    expect(s.byStatus.paused).toBe(1);
    expect(s.byReason).toEqual([{ status: 'paused', reason: 'moengage_forbidden', count: 1 }]);
    expect(s.connections[0]?.health.status).toBe('paused');
    await ok(api('/debugger/api/connections/default/resume', { method: 'POST', body: '{}' }));
    expect((await stats()).paused).toEqual([]);
  });

  it('counts retrying events with their reason', async () => {
    sandbox().faults.add({ status: 503 });
    await ingest(track({ messageId: 'r1' }));
    await flush();
    const s = await stats();
    expect(s.byStatus.retrying).toBe(1);
    expect(s.byReason).toEqual([{ status: 'retrying', reason: 'moengage_unavailable', count: 1 }]);
    expect(s.connections[0]?.health.status).toBe('retrying');
  });

  it.each([
    ['minutes=0', 'minutes'],
    ['minutes=10081', 'minutes'],
    ['minutes=abc', 'minutes'],
    ['series=0', 'series'],
    ['series=181', 'series'],
  ])('refuses %s with 400 invalid_query', async (query, path) => {
    const { status, body } = await refusal(api(`/debugger/api/stats?${query}`));
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_query');
    expect(body.issues?.map((i) => i.path)).toEqual([path]);
  });

  it('refuses an unknown connection with 404', async () => {
    const { status, body } = await refusal(api('/debugger/api/stats?connection=nope'));
    expect(status).toBe(404);
    expect(body.error).toBe('unknown_connection');
  });
});
