/** Delivery modes: realtime flushes after FLUSH_INTERVAL_MS; batch drains on a clock-aligned cadence. */
import { describe, expect, it } from 'vitest';
import { firstDelivery, nextTick } from '../../../worker/delivery/cadence';
import { admit, expiryCutoff } from '../../../worker/delivery/bounds';

const at = (iso: string) => Date.parse(iso);

describe('firstDelivery', () => {
  it.each([
    { name: 'realtime: due now, flush after the interval', mode: 'realtime' as const, now: '2031-01-01T10:07:30Z', due: '2031-01-01T10:07:30Z', wake: '2031-01-01T10:07:31Z' },
    { name: 'batch every 15 min: the next quarter hour', mode: 'batch' as const, now: '2031-01-01T10:07:30Z', due: '2031-01-01T10:15:00Z', wake: '2031-01-01T10:15:00Z' },
    { name: 'batch on a tick: the next one, not this one', mode: 'batch' as const, now: '2031-01-01T10:15:00Z', due: '2031-01-01T10:30:00Z', wake: '2031-01-01T10:30:00Z' },
  ])('$name', ({ mode, now, due, wake }) => {
    expect(firstDelivery({ mode, flushIntervalMs: 1_000, batchCadenceMinutes: 15 }, at(now))).toEqual({ dueAt: at(due), wakeAt: at(wake) });
  });

  it.each([
    [5, '2031-01-01T10:07:30Z', '2031-01-01T10:10:00Z'],
    [60, '2031-01-01T10:07:30Z', '2031-01-01T11:00:00Z'],
    [1, '2031-01-01T10:07:30Z', '2031-01-01T10:08:00Z'],
  ])('every %i min from %s → %s', (minutes, now, tick) => {
    expect(nextTick(at(now), minutes)).toBe(at(tick));
  });
});

describe('backlog bounds', () => {
  const settings = { maxBacklogEvents: 100, maxEventAgeHours: 72 };
  it.each([
    { waiting: 0, incoming: 100, refused: false },
    { waiting: 99, incoming: 1, refused: false },
    { waiting: 99, incoming: 2, refused: true },
    { waiting: 100, incoming: 0, refused: false }, // duplicates only: nothing new to hold
    { waiting: 500, incoming: 1, refused: true },
  ])('$waiting waiting + $incoming new → refused: $refused', ({ waiting, incoming, refused }) => {
    const verdict = admit(waiting, incoming, settings);
    expect(verdict !== null).toBe(refused);
    if (verdict) expect(verdict).toEqual({ error: 'backlog_full', detail: `${waiting} events are waiting for MoEngage (MAX_BACKLOG_EVENTS = 100); retry later` });
  });

  it('expires events queued more than maxEventAgeHours ago', () => {
    expect(expiryCutoff(at('2031-01-04T00:00:00Z'), settings)).toBe(at('2031-01-01T00:00:00Z'));
  });
});
