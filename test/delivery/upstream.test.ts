/// <reference types="vite/client" />
/**
 * Whatever answers at MoEngage's URL cannot stall a connection: absurd rate-limit headers, huge or
 * endless bodies, redirects to another host. The sandbox misbehaves exactly so (its fault
 * injection); the clock is ours and alarms run in time order.
 */
import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FaultSpec } from '../../dev/moengage-sandbox/moengage';
import { postAlert } from '../../worker/alerts/webhook';
import type { QueueHealth } from '../../worker/delivery/queueHealth';
import type { DeliveryItem, MergeItem } from '../../worker/moengage/payloads';
import {
  cleanup,
  CREDENTIALS,
  DEBUGGER_TOKEN,
  deliveredIds,
  drain,
  ELSEWHERE_BASE,
  enqueue,
  eventRow,
  get,
  identifyRecord,
  installSandbox,
  operator,
  queue,
  runUntil,
  SANDBOX_BASE,
  setClock,
  startClock,
  statuses,
  T0,
  trackRecord,
} from './support/harness';

beforeEach(() => startClock());
afterEach(cleanup);

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const sorted = (xs: string[]) => [...xs].sort();
/** The sandbox's own rate headers removed, so a fault's headers are all the answer says. */
const ONLY: Record<string, string> = { 'retry-after': '', 'x-ratelimit-limit': '', 'x-ratelimit-remaining': '', 'x-ratelimit-reset': '' };
const epoch = (ms: number) => String(Math.floor(ms / 1000));
/** 2087-01-01 as epoch seconds: "until 2087" when read as seconds from now. */
const YEAR_2087 = '3692217600';

async function health(connection = 'main'): Promise<QueueHealth> {
  const body = (await (await get('/healthz')).json()) as { connections: QueueHealth[] };
  return body.connections.find((c) => c.connection === connection)!;
}

async function debuggerHealth(connection = 'main'): Promise<QueueHealth> {
  const res = await get(`/debugger/api/stats?connection=${connection}`, { authorization: `Bearer ${DEBUGGER_TOKEN}` });
  expect(res.status).toBe(200);
  return ((await res.json()) as { connections: { health: QueueHealth }[] }).connections[0]!.health;
}

/** Request times (ms after T0) and statuses the sandbox saw. */
const timeline = (sandbox: { requests: { at: number; response: { status: number } }[] }) => sandbox.requests.map((r) => [r.at - T0, r.response.status]);

describe('rate-limit headers: no answer holds a connection back longer than a minute', () => {
  it.each<{ name: string; headers: Record<string, string>; wait: number; header: string }>([
    { name: 'Retry-After of a year', headers: { 'retry-after': '31536000' }, wait: 60_000, header: 'retry-after' },
    { name: 'x-ratelimit-reset as an epoch in 2087', headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': YEAR_2087 }, wait: 60_000, header: 'x-ratelimit-reset' },
    { name: 'x-ratelimit-reset as an epoch 30 s ahead', headers: { 'x-ratelimit-reset': epoch(T0 + 31_000) }, wait: 30_000, header: 'x-ratelimit-reset' },
    { name: 'x-ratelimit-reset as epoch milliseconds 45 s ahead', headers: { 'x-ratelimit-reset': String(T0 + 46_000) }, wait: 45_000, header: 'x-ratelimit-reset' },
    { name: 'x-ratelimit-reset as seconds', headers: { 'x-ratelimit-reset': '20' }, wait: 20_000, header: 'x-ratelimit-reset' },
    { name: 'Retry-After as an HTTP date 25 s ahead', headers: { 'retry-after': new Date(T0 + 26_000).toUTCString() }, wait: 25_000, header: 'retry-after' },
    { name: 'Retry-After as an HTTP date in 2087', headers: { 'retry-after': 'Tue, 01 Jan 2087 00:00:00 GMT' }, wait: 60_000, header: 'retry-after' },
    // Past or garbage: harmless. No wait is named, so the bare-429 backoff applies (1 s), never a spin.
    { name: 'Retry-After as a past HTTP date', headers: { 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }, wait: 1_000, header: 'backoff' },
    { name: 'x-ratelimit-reset as a past epoch', headers: { 'x-ratelimit-reset': '1600000000' }, wait: 1_000, header: 'backoff' },
    { name: 'Retry-After -5', headers: { 'retry-after': '-5' }, wait: 1_000, header: 'backoff' },
    { name: 'garbage values', headers: { 'retry-after': 'soon', 'x-ratelimit-reset': 'NaN', 'x-ratelimit-remaining': 'none' }, wait: 1_000, header: 'backoff' },
  ])('429 with $name: the next request goes $wait ms later and delivers', async ({ headers, wait, header }) => {
    const { sandbox } = installSandbox();
    sandbox.faults.add({ status: 429, count: 1, headers: { ...ONLY, ...headers } });
    await enqueue('main', [trackRecord('u1', { id: 'r1' })]);
    await runUntil('main', T0 + 1_000);
    expect(await health()).toMatchObject({ status: 'rate_limited', rateLimitedUntil: T0 + 1_000 + wait, rateLimited: { header, until: T0 + 1_000 + wait } });
    await drain('main');
    expect(timeline(sandbox)).toEqual([
      [1_000, 429],
      [1_000 + wait, 200],
    ]);
    expect(await eventRow('main', 'r1')).toMatchObject({ status: 'delivered', attempts: 2 });
    expect((await health()).status).toBe('ok');
  });

  it('a year-long Retry-After: /healthz and the debugger say rate_limited, until when and which header; one request probes after 60 s', async () => {
    const { sandbox } = installSandbox();
    sandbox.faults.add({ status: 429, count: 1, headers: { ...ONLY, 'retry-after': '31536000' } });
    await enqueue('main', ids('y', 6).map((id, i) => trackRecord(`u${i}`, { id })));
    await runUntil('main', T0 + 30_000);
    const expected = { until: T0 + 61_000, header: 'retry-after', value: '31536000', claimedUntil: T0 + 1_000 + 31_536_000_000 };
    expect(await health()).toMatchObject({ status: 'rate_limited', rateLimitedUntil: T0 + 61_000, rateLimited: expected, queueDepth: 6 });
    expect(await debuggerHealth()).toMatchObject({ status: 'rate_limited', rateLimited: expected });
    expect((await eventRow('main', 'y0'))?.exchanges?.[0]?.error).toBe(
      `rate limited (retry-after: 31536000 asked for 365 days; waiting 60 s at most, then one request probes): sent again after ${new Date(T0 + 61_000).toISOString()}; not counted as a failed attempt`,
    );
    await drain('main');
    expect(timeline(sandbox)).toEqual([[1_000, 429], ...ids('', 6).map(() => [61_000, 200])]);
    expect(sorted(deliveredIds(sandbox, 'main'))).toEqual(ids('y', 6));
  });

  it('a probe answered 429 again costs one request a minute, not a burst', async () => {
    const { sandbox } = installSandbox();
    sandbox.faults.add({ status: 429, count: 3, headers: { ...ONLY, 'x-ratelimit-reset': YEAR_2087 } });
    await enqueue('main', ids('p', 5).map((id, i) => trackRecord(`u${i}`, { id })));
    await drain('main');
    expect(timeline(sandbox)).toEqual([[1_000, 429], [61_000, 429], [121_000, 429], ...ids('', 5).map(() => [181_000, 200])]);
    expect(await statuses('main')).toEqual({ delivered: 5 });
  });

  it('a 200 with x-ratelimit-remaining 0 and an epoch reset: later events wait 60 s at most, visibly, then flow', async () => {
    const { sandbox } = installSandbox();
    sandbox.faults.add({ count: 1, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': YEAR_2087 } });
    await enqueue('main', [trackRecord('u0', { id: 'first' })]);
    await runUntil('main', T0 + 2_000);
    expect(deliveredIds(sandbox, 'main')).toEqual(['first']);
    await enqueue('main', ids('n', 5).map((id, i) => trackRecord(`u${i}`, { id })));
    await runUntil('main', T0 + 30_000);
    expect(sandbox.requests).toHaveLength(1); // held back: MoEngage said its quota is spent
    const said = { header: 'x-ratelimit-remaining', value: `0; x-ratelimit-reset: ${YEAR_2087}`, until: T0 + 61_000, claimedUntil: Number(YEAR_2087) * 1000 };
    expect(await health()).toMatchObject({ status: 'rate_limited', rateLimitedUntil: T0 + 61_000, rateLimited: said, queueDepth: 5 });
    expect(await debuggerHealth()).toMatchObject({ status: 'rate_limited', rateLimited: said });
    await drain('main');
    expect(timeline(sandbox)).toEqual([[1_000, 200], ...ids('', 5).map(() => [61_000, 200])]);
    expect(await statuses('main')).toEqual({ delivered: 6 });
    expect(await health()).toMatchObject({ status: 'ok', rateLimited: null });
  });

  it('remaining 0 on a 200 stops the flush it arrived in: the requests already packed wait too', async () => {
    const { sandbox } = installSandbox();
    sandbox.faults.add({ count: 1, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': epoch(T0 + 11_000) } });
    await enqueue('main', ids('s', 4).map((id, i) => trackRecord(`u${i}`, { id })));
    await drain('main');
    expect(timeline(sandbox)).toEqual([[1_000, 200], [11_000, 200], [11_000, 200], [11_000, 200]]);
  });

  it.each([
    { name: 'a past reset', reset: '1600000000' },
    { name: 'a garbage reset', reset: 'tomorrow' },
    { name: 'a reset of now', reset: epoch(T0 + 1_000) },
  ])('a 200 with x-ratelimit-remaining 0 and $name holds nothing back', async ({ reset }) => {
    const { sandbox } = installSandbox();
    sandbox.faults.add({ count: 1, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset } });
    await enqueue('main', [trackRecord('u0', { id: 'a' })]);
    await runUntil('main', T0 + 2_000);
    expect(await health()).toMatchObject({ status: 'ok', rateLimited: null });
    await enqueue('main', [trackRecord('u1', { id: 'b' })]);
    await runUntil('main', T0 + 3_000);
    expect(timeline(sandbox)).toEqual([
      [1_000, 200],
      [3_000, 200],
    ]);
  });

  it('resume lifts a server-imposed wait at once', async () => {
    const { sandbox } = installSandbox();
    sandbox.faults.add({ status: 429, count: 1, headers: { ...ONLY, 'retry-after': '31536000' } });
    await enqueue('main', [trackRecord('u1', { id: 'r' })]);
    await runUntil('main', T0 + 10_000);
    const res = await operator('/debugger/api/connections/main/resume', {});
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      connection: 'main',
      resumed: true,
      pause: null,
      rateLimited: { until: T0 + 61_000, header: 'retry-after', value: '31536000', claimedUntil: T0 + 1_000 + 31_536_000_000 },
    });
    expect(await health()).toMatchObject({ status: 'ok', rateLimited: null });
    await drain('main');
    expect(timeline(sandbox)).toEqual([
      [1_000, 429],
      [10_000, 200],
    ]);
  });

  it('a wait stored before this cap existed (until 2087) does not survive a restart', async () => {
    const { sandbox } = installSandbox();
    await enqueue('main', [trackRecord('u1', { id: 'old' })]);
    await runInDurableObject(queue('main'), (_i, state) => {
      const stale = { tokens: { events: 0, customers: 0, merges: 0, requests: null }, at: T0, recent: [], blockedUntil: Number(YEAR_2087) * 1000, strikes: 0, server: [{ unit: 'events', remaining: 0, until: Number(YEAR_2087) * 1000 }], idle: false };
      state.storage.sql.exec("INSERT INTO meta (key, value) VALUES ('limiter', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", JSON.stringify(stale));
    });
    await abortAllDurableObjects();
    await drain('main');
    expect(deliveredIds(sandbox, 'main')).toEqual(['old']);
    expect(sandbox.requests[0]!.at - T0).toBe(61_000); // the first flush (1 s) reads it back as at most 60 s
  });
});

describe('huge answers: a bounded prefix is read, the rest is never buffered', () => {
  it.each([3_000_000, 20_000_000])('a %i-byte 200: every event delivered exactly once, the journey keeps 4 KB marked truncated', async (bytes) => {
    const { sandbox } = installSandbox();
    sandbox.faults.add({ bodyBytes: bytes });
    const sent = ids('h', 30);
    await enqueue('main', sent.map((id, i) => trackRecord(`u${i % 3}`, { id })));
    await drain('main');
    expect(sandbox.requests.map((r) => r.response.status)).toEqual([200, 200, 200]);
    expect(sorted(deliveredIds(sandbox, 'main'))).toEqual(sorted(sent)); // no repeats
    expect(await statuses('main')).toEqual({ delivered: 30 });
    const [exchange, ...more] = (await eventRow('main', 'h0'))?.exchanges ?? [];
    expect(more).toEqual([]);
    expect(exchange).toMatchObject({ status: 200, error: "the answer's body was longer than 4096 bytes: the first 4096 are kept, the rest was not read" });
    expect(typeof exchange?.response).toBe('string');
    expect(new TextEncoder().encode(exchange?.response as string).byteLength).toBe(4_096);
    expect(exchange?.response).toMatch(/^\{"status":"success","message":"Your request has been accepted/);
    expect((await health()).inFlight).toBe(0);
  });

  it('a 400 with a 3 MB answer dead-letters the event with the start of the answer', async () => {
    const { sandbox } = installSandbox();
    sandbox.faults.add({ status: 400, count: 1, bodyBytes: 3_000_000 });
    await enqueue('main', [trackRecord('u1', { id: 'bad' })]);
    await drain('main');
    expect(await eventRow('main', 'bad')).toMatchObject({
      status: 'dead',
      reason: 'rejected_by_moengage',
      detail: expect.stringMatching(/^HTTP 400 \{"status":"fail","error":\{"type":"InjectedFaultError".{0,300} \(answer cut after 4096 bytes: too large\)$/),
    });
    expect(sandbox.requests).toHaveLength(1);
  });

  it('a 503 with a 20 MB answer is retried like any 503, then delivered', async () => {
    const { sandbox } = installSandbox();
    sandbox.faults.add({ status: 503, count: 1, bodyBytes: 20_000_000 });
    await enqueue('main', [trackRecord('u1', { id: 'x' })]);
    await runUntil('main', T0 + 2_000);
    expect(await eventRow('main', 'x')).toMatchObject({ status: 'retrying', reason: 'moengage_unavailable' });
    await drain('main');
    expect(sandbox.requests.map((r) => r.response.status)).toEqual([503, 200]);
    expect(deliveredIds(sandbox, 'main')).toEqual(['x']);
  });

  it('a 3 MB x-request-id header is shortened, not stored whole', async () => {
    const { sandbox } = installSandbox();
    sandbox.faults.add({ count: 1, headers: { 'x-request-id': 'r'.repeat(3_000_000) } });
    await enqueue('main', [trackRecord('u1', { id: 'rid' })]);
    await drain('main');
    expect(deliveredIds(sandbox, 'main')).toEqual(['rid']);
    const exchange = (await eventRow('main', 'rid'))?.exchanges?.[0];
    expect(exchange?.requestId).toBe(`${'r'.repeat(120)}… (3000000 characters)`);
  });

  it('a body that floods forever is cut at 4 KB at once; the status decides', async () => {
    const { sandbox } = installSandbox();
    sandbox.faults.add({ count: 1, bodyNeverEnds: 'flood' });
    await enqueue('main', [trackRecord('u1', { id: 'f' })]);
    await runUntil('main', T0 + 1_000);
    expect(await eventRow('main', 'f')).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(deliveredIds(sandbox, 'main')).toEqual(['f']);
  });
});

describe('a failure while recording an answer never leaves an attempt in flight', () => {
  it('storage refusing the answer (a disk fault, played by the platform): released at once, sent again after the outage wait, never blamed on a restart', async () => {
    const { sandbox } = installSandbox();
    await enqueue('main', [trackRecord('u1', { id: 'rec' })]);
    // The storage layer, not our code, fails: the next statement that records an answer is refused.
    await runInDurableObject(queue('main'), (_i, state) => {
      const sql = state.storage.sql;
      const exec = sql.exec.bind(sql);
      let failed = false;
      sql.exec = ((query: string, ...args: unknown[]) => {
        if (!failed && query.startsWith('UPDATE attempts SET status')) {
          failed = true;
          throw new Error('SQLITE_FULL: database or disk is full');
        }
        return exec(query, ...args);
      }) as typeof sql.exec;
    });
    await runUntil('main', T0 + 1_000);
    expect(await health()).toMatchObject({ inFlight: 0, queueDepth: 1, status: 'retrying' });
    const [first] = (await eventRow('main', 'rec'))?.exchanges ?? [];
    expect(first?.error).toMatch(/^interrupted at .*: recording MoEngage's answer \(HTTP 200\) failed: Error: SQLITE_FULL: database or disk is full; the events were sent again/);
    expect(first?.error).not.toContain('restarted');
    await drain('main');
    expect(sandbox.requests.map((r) => r.at - T0)).toEqual([1_000, expect.any(Number)]);
    expect(sandbox.requests[1]!.at - T0).toBeGreaterThanOrEqual(9_000); // the outage ladder's first wait, not a storm
    expect(await eventRow('main', 'rec')).toMatchObject({ status: 'delivered', attempts: 2 });
  });
});

describe('a body that never ends times out cleanly', () => {
  /** Runs the alarm due at `at`, and once the request is out moves the clock past the 15 s deadline. */
  async function alarmPastDeadline(fetchSpy: { mock: { calls: unknown[] } }, at: number): Promise<void> {
    setClock(at);
    const alarm = runDurableObjectAlarm(queue('main'));
    for (let i = 0; i < 400 && fetchSpy.mock.calls.length === 0; i++) await scheduler.wait(5);
    setClock(at + 15_000);
    await alarm;
  }

  it('a 200 whose body stalls: delivered once (MoEngage said 200), the attempt says the body did not end, nothing stays in flight', async () => {
    const { sandbox, fetchSpy } = installSandbox();
    sandbox.faults.add({ count: 1, bodyNeverEnds: 'stall' });
    await enqueue('main', [trackRecord('u1', { id: 'st' }), trackRecord('u1', { id: 'st2' })]);
    await alarmPastDeadline(fetchSpy, T0 + 1_000);
    const event = await eventRow('main', 'st');
    expect(event).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(event?.exchanges?.[0]).toMatchObject({ status: 200, durationMs: 15_000, error: expect.stringMatching(/^the answer's body did not end within 15 s: the first \d+ bytes are kept$/) });
    expect(await health()).toMatchObject({ inFlight: 0, queueDepth: 0 });
    await drain('main');
    expect(sandbox.requests).toHaveLength(1);
    expect(sorted(deliveredIds(sandbox, 'main'))).toEqual(['st', 'st2']);
  });

  it('a 503 whose body stalls is a 503: retried about 10 s later', async () => {
    const { sandbox, fetchSpy } = installSandbox();
    sandbox.faults.add({ status: 503, count: 1, bodyNeverEnds: 'stall' });
    await enqueue('main', [trackRecord('u1', { id: 'st3' })]);
    await alarmPastDeadline(fetchSpy, T0 + 1_000);
    expect(await eventRow('main', 'st3')).toMatchObject({ status: 'retrying', reason: 'moengage_unavailable' });
    await drain('main');
    expect(sandbox.requests.map((r) => r.response.status)).toEqual([503, 200]);
  });

  it('an answer whose headers never come is a timeout: retried, then delivered', async () => {
    const { sandbox, fetchSpy } = installSandbox();
    fetchSpy.mockImplementationOnce(() => new Promise<Response>(() => {}));
    await enqueue('main', [trackRecord('u1', { id: 'hang' })]);
    await alarmPastDeadline(fetchSpy, T0 + 1_000);
    expect(await eventRow('main', 'hang')).toMatchObject({ status: 'retrying', reason: 'timeout', detail: 'TimeoutError: no answer within 15 s' });
    expect(await health()).toMatchObject({ inFlight: 0 });
    await drain('main');
    expect(deliveredIds(sandbox, 'main')).toEqual(['hang']);
  });
});

describe('redirects are never followed', () => {
  it('a 307 to another host that answers 200: nothing is marked delivered, the connection pauses and shows the Location', async () => {
    const { sandbox } = installSandbox();
    const location = `${ELSEWHERE_BASE}/_sandbox/landing/v1/event/ws-main`;
    sandbox.faults.add({ redirectTo: location });
    const sent = ids('d', 10);
    await enqueue('main', sent.map((id, i) => trackRecord(`u${i}`, { id })));
    await drain('main');
    expect(sandbox.landings).toEqual([]);
    expect(sandbox.requests.map((r) => r.response.status)).toEqual([307]);
    expect(await statuses('main')).toEqual({ paused: 10 });
    const detail = `HTTP 307 redirect to Location: ${location} — POST ${SANDBOX_BASE}/v1/event/ws-main (MOENGAGE_API_BASE ${SANDBOX_BASE}; no data center set): MoEngage's Data API does not redirect`;
    expect(await eventRow('main', 'd0')).toMatchObject({ status: 'paused', reason: 'moengage_redirected', detail: expect.stringContaining(detail) });
    expect(await health()).toMatchObject({ status: 'paused', paused: { reason: 'moengage_redirected', detail: expect.stringContaining(detail) } });

    sandbox.faults.clear();
    expect((await operator('/debugger/api/connections/main/resume', {})).status).toBe(200);
    await drain('main');
    expect(sorted(deliveredIds(sandbox, 'main'))).toEqual(sorted(sent));
    expect(sandbox.landings).toEqual([]);
  });

  it.each([301, 302, 303, 308])('a %i is not followed either', async (status) => {
    const { sandbox } = installSandbox();
    sandbox.faults.add({ status, redirectTo: `${ELSEWHERE_BASE}/_sandbox/landing/x`, count: 1 });
    await enqueue('main', [trackRecord('u1', { id: 'm' })]);
    await drain('main');
    expect(sandbox.landings).toEqual([]);
    expect(await eventRow('main', 'm')).toMatchObject({ status: 'paused', reason: 'moengage_redirected', detail: expect.stringContaining(`HTTP ${status} redirect to Location: ${ELSEWHERE_BASE}/_sandbox/landing/x`) });
  });

  it('a redirect to MoEngage’s own URL is not followed (MoEngage does not redirect)', async () => {
    const { sandbox } = installSandbox();
    sandbox.faults.add({ redirectTo: `${SANDBOX_BASE}/v1/event/ws-main`, count: 1 });
    await enqueue('main', [trackRecord('u1', { id: 'same' })]);
    await drain('main');
    expect(sandbox.requests).toHaveLength(1);
    expect(await eventRow('main', 'same')).toMatchObject({ status: 'paused', reason: 'moengage_redirected' });
  });

  it('a 3xx without a Location pauses too, and says so', async () => {
    const { sandbox } = installSandbox();
    sandbox.faults.add({ status: 302, count: 1 });
    await enqueue('main', [trackRecord('u1', { id: 'noloc' })]);
    await drain('main');
    expect(await eventRow('main', 'noloc')).toMatchObject({ status: 'paused', reason: 'moengage_redirected', detail: expect.stringMatching(/^HTTP 302 redirect without a Location — /) });
    expect(sandbox.requests).toHaveLength(1);
  });
});

describe('a wrong data center', () => {
  it.each([
    { status: 401, reason: 'moengage_unauthorized', fault: undefined, said: 'AuthenticationError' },
    { status: 404, reason: 'moengage_endpoint_not_found', fault: { status: 404, count: 1 } satisfies FaultSpec, said: 'InjectedFaultError' },
  ])('a $status pause names the data center and the URL, and that a wrong MOENGAGE_DATA_CENTER answers so', async ({ status, reason, fault, said }) => {
    const { sandbox } = installSandbox(fault ? {} : { credentials: { ...CREDENTIALS, 'ws-main': 'key-of-another-data-center' } });
    if (fault) sandbox.faults.add(fault);
    await enqueue('main', [trackRecord('u1', { id: 'dc' })]);
    await drain('main');
    const { detail } = (await health()).paused!;
    expect(detail).toMatch(new RegExp(`^HTTP ${status} ${said}: `));
    expect(detail).toContain(`— POST ${SANDBOX_BASE}/v1/event/ws-main (MOENGAGE_API_BASE ${SANDBOX_BASE}; no data center set): `);
    expect(detail).toContain('a wrong data center (MOENGAGE_DATA_CENTER, or dataCenter in MOENGAGE_CONNECTIONS) gives this answer too');
    expect(await eventRow('main', 'dc')).toMatchObject({ status: 'paused', reason, detail });
  });
});

describe('one MoEngage client for every call', () => {
  it('events, Track User, merge and bulk requests all refuse redirects and carry a deadline', async () => {
    const { sandbox, fetchSpy } = installSandbox();
    const merge: MergeItem = { kind: 'merge', merged_user: 'anon-1', retained_user: 'u1' };
    const mergeRecord = { ...identifyRecord('u1', 'mg'), type: 'alias', outcome: { status: 'queued' as const, items: [merge as DeliveryItem], omissions: [] } };
    await enqueue('main', [trackRecord('u1', { id: 'e' }), identifyRecord('u2', 'c'), mergeRecord]);
    await enqueue('slow', ids('b', 3).map((id, i) => trackRecord(`u${i}`, { id })));
    await drain(['main', 'slow']);
    expect(sorted(sandbox.requests.map((r) => r.path.replace(/\/ws-.*$/, '')))).toEqual(['/v1/customer', '/v1/customer/merge', '/v1/event', '/v1/transition']);
    expect(fetchSpy.mock.calls).toHaveLength(4);
    for (const [, init] of fetchSpy.mock.calls) {
      expect(init).toMatchObject({ method: 'POST', redirect: 'manual' });
      expect(init?.signal).toBeInstanceOf(AbortSignal);
    }
  });

  it('alert webhooks call out through the same bounded POST: no redirect followed, 1 KB of an endless answer read', async () => {
    const { fetchSpy } = installSandbox();
    let pulled = 0;
    fetchSpy.mockImplementation(async (_input, init) => {
      expect(init).toMatchObject({ redirect: 'manual' });
      const endless = new ReadableStream<Uint8Array>({ pull: (c) => void (pulled++, c.enqueue(new Uint8Array(64 * 1024).fill(0x61))) });
      return new Response(endless, { status: 500 });
    });
    const result = await postAlert('https://hooks.webhook.test/endless', { text: 'hello' });
    expect(result).toMatchObject({ status: 500, error: `HTTP 500 ${'a'.repeat(200)}` });
    expect(pulled).toBeLessThanOrEqual(3);
    fetchSpy.mockImplementation(async () => new Response(null, { status: 302, headers: { location: 'https://elsewhere.test/' } }));
    expect(await postAlert('https://hooks.webhook.test/moved', {})).toMatchObject({ status: 302 });
  });

  it('no module of the Worker calls fetch but the one bounded POST', () => {
    const sources = import.meta.glob('../../worker/**/*.ts', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;
    expect(Object.keys(sources).length).toBeGreaterThan(50);
    const callers = Object.entries(sources)
      // A call of the global fetch; not a method (`router.fetch(`) nor a handler (`async fetch(`).
      // The debugger page and the generated tag bundles are browser code.
      .filter(([path, text]) => !path.includes('/debugger/page/') && !path.endsWith('.generated.ts') && /(?<![.\w])(?<!async\s+)fetch\s*\(/.test(text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')))
      .map(([path]) => path.replace(/^.*\/worker\//, 'worker/'));
    expect(callers).toEqual(['worker/http/boundedPost.ts']);
  });
});
