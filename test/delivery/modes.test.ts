/** Delivery modes per connection: realtime (within FLUSH_INTERVAL_MS) and batch (clock-aligned cadence). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accepted, alarmOf, cleanup, deliveredIds, drain, enqueue, eventRow, installSandbox, runUntil, setClock, startClock, T0, trackRecord } from './support/harness';

/** DEBUGGER_RETENTION_HOURS default: delivered events leave the log 168 h after delivery, by alarm. */
const RETENTION_MS = 168 * 3_600_000;

beforeEach(() => startClock());
afterEach(cleanup);

describe('realtime', () => {
  it('flushes within FLUSH_INTERVAL_MS and one request carries what arrived in the interval', async () => {
    const { sandbox } = installSandbox();
    await enqueue('main', [trackRecord('u1', { id: 'a' })]);
    expect(await alarmOf('main')).toBe(T0 + 1_000);
    setClock(T0 + 400);
    await enqueue('main', [trackRecord('u1', { id: 'b' }), trackRecord('u1', { id: 'c' })]);
    expect(await alarmOf('main')).toBe(T0 + 1_000); // not pushed back by later arrivals

    await runUntil('main', T0 + 999);
    expect(sandbox.requests).toHaveLength(0);
    await runUntil('main', T0 + 1_000);
    const [request] = accepted(sandbox, 'main');
    expect(request?.path).toBe('/v1/event/ws-main');
    expect(deliveredIds(sandbox, 'main')).toEqual(['a', 'b', 'c']);
    expect(await eventRow('main', 'b')).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(await alarmOf('main')).toBe(T0 + 1_000 + RETENTION_MS + 1); // idle: only retention's alarm is left
  });

  it('sends many customers in bulk /v1/transition and says so on each event', async () => {
    const { sandbox } = installSandbox();
    await enqueue('main', Array.from({ length: 30 }, (_, i) => trackRecord(`u${i}`, { id: `e${i}` })));
    await drain('main');
    expect(accepted(sandbox, 'main').map((r) => r.path)).toEqual(['/v1/transition/ws-main']);
    expect(deliveredIds(sandbox, 'main')).toHaveLength(30);
    expect(await eventRow('main', 'e7')).toMatchObject({ status: 'delivered', detail: expect.stringContaining('bulk /v1/transition') });
  });
});

describe('batch', () => {
  it('holds events until the next cadence tick, then drains them together', async () => {
    const { sandbox } = installSandbox();
    setClock(T0 + 7.5 * 60_000); // 00:07:30, cadence 5 min → 00:10:00
    await enqueue('batch', [trackRecord('u1', { id: 'a' }), trackRecord('u2', { id: 'b' })]);
    expect(await alarmOf('batch')).toBe(T0 + 7.5 * 60_000 + 1_000); // the log's write-behind first (LOG_FLUSH_MS)
    await runUntil('batch', T0 + 7.5 * 60_000 + 1_000);
    expect(sandbox.requests).toHaveLength(0);
    expect(await alarmOf('batch')).toBe(T0 + 10 * 60_000); // then the cadence tick
    setClock(T0 + 9 * 60_000);
    await enqueue('batch', [trackRecord('u3', { id: 'c' })]);
    await runUntil('batch', T0 + 10 * 60_000 - 1);
    expect(sandbox.requests).toHaveLength(0);
    expect(await eventRow('batch', 'a')).toMatchObject({ status: 'queued', nextAttemptAt: T0 + 10 * 60_000 });
    await runUntil('batch', T0 + 10 * 60_000);
    expect(deliveredIds(sandbox, 'batch').sort()).toEqual(['a', 'b', 'c']);
    expect(await alarmOf('batch')).toBe(T0 + 10 * 60_000 + RETENTION_MS + 1); // only retention's alarm is left
  });
});
