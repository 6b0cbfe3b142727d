/** How a flush spends its budget and when the queue wakes next. */
import { describe, expect, it } from 'vitest';
import { askFor, limitsOf, MAX_ITEMS_PER_PASS, nextWake, readyAt, roomOf, unitOf, type WakeInput, worthSending } from '../../../worker/delivery/flushPlan';
import { createLimiter, type Limits, quantum, take } from '../../../worker/delivery/limiter';
import type { Pending } from '../../../worker/delivery/packer';
import type { DeliveryItem } from '../../../worker/moengage/payloads';
import { DELIVERY_DEFAULTS } from '../../../worker/config/delivery';

const LIMITS: Limits = { events: 30_000, customers: 10_000, merges: 1_000 };
const NOW = Date.UTC(2031, 0, 6);

const item = (kind: DeliveryItem['kind']): DeliveryItem =>
  kind === 'event'
    ? { kind, customer_id: 'u', action: { action: 'A', platform: 'web', attributes: {} } }
    : kind === 'customer'
      ? { kind, customer_id: 'u', attributes: {} }
      : { kind, merged_user: 'a', retained_user: 'b' };
const due = (counts: Partial<Record<DeliveryItem['kind'], number>>): Pending[] => {
  let key = 0;
  return (['event', 'customer', 'merge'] as const).flatMap((kind) => Array.from({ length: counts[kind] ?? 0 }, () => ({ key: ++key, item: item(kind) })));
};
const kinds = (list: Pending[]) => list.reduce<Record<string, number>>((n, p) => ({ ...n, [p.item.kind]: (n[p.item.kind] ?? 0) + 1 }), {});

describe('limits and units', () => {
  it('a connection’s limits, with a request quota only when set', () => {
    expect(limitsOf({ eventsPerMinute: 600, delivery: { ...DELIVERY_DEFAULTS, customerUpdatesPerMinute: 200 } })).toEqual({ events: 600, customers: 200, merges: 1_000 });
    expect(limitsOf({ eventsPerMinute: 600, delivery: { ...DELIVERY_DEFAULTS, requestsPerMinute: 50 } })).toEqual({ events: 600, customers: 10_000, merges: 1_000, requests: 50 });
  });

  it.each([
    ['merge', { events: 0, customers: 0, merges: 3 }, 'merges'],
    ['customer', { events: 0, customers: 1, merges: 0 }, 'customers'],
    ['event', { events: 4, customers: 0, merges: 0 }, 'events'],
    ['transition', { events: 5, customers: 5, merges: 0 }, 'events'],
    ['transition', { events: 2, customers: 9, merges: 0 }, 'customers'],
  ] as const)('a %s request spending %o is read against %s', (endpoint, cost, unit) => {
    expect(unitOf({ endpoint, cost })).toBe(unit);
  });

  it('a pass takes at most its budget, and reads one more item per kind to see whether the budget holds it back', () => {
    const room = roomOf({ events: 10_000, customers: 3, merges: 0, requests: 5 });
    expect(room).toEqual({ event: MAX_ITEMS_PER_PASS, customer: 3, merge: 0 });
    expect(askFor(room)).toEqual({ event: MAX_ITEMS_PER_PASS + 1, customer: 4, merge: 0 });
  });
});

describe('worthSending', () => {
  const full = readyAt(LIMITS, 'event'); // most of a half-second bucket
  it('is 90 % of half a second of the unit', () => {
    expect(full).toBe(Math.floor(0.9 * quantum(LIMITS, 'events')));
    expect(readyAt({ ...LIMITS, merges: 10 }, 'merge')).toBe(1);
  });

  it.each<[string, Partial<Record<DeliveryItem['kind'], number>>, Record<DeliveryItem['kind'], number>, Record<string, number>]>([
    ['everything due fits: all of it goes', { event: 5, customer: 2 }, { event: 10, customer: 10, merge: 10 }, { event: 5, customer: 2 }],
    ['events overflow a small budget: nothing goes (wait for a fuller bucket), profiles wait with them', { event: 50, customer: 2 }, { event: 10, customer: 10, merge: 10 }, {}],
    ['events overflow a nearly full budget: the budget’s worth goes', { event: 1_000, customer: 1 }, { event: full, customer: 10, merge: 10 }, { event: full, customer: 1 }],
    ['no events due: profiles that fit go', { customer: 3, merge: 1 }, { event: 10, customer: 10, merge: 10 }, { customer: 3, merge: 1 }],
    ['a kind without budget does not go', { customer: 3, merge: 1 }, { event: 10, customer: 10, merge: 0 }, { customer: 3 }],
  ])('%s', (_, counts, room, expected) => {
    expect(kinds(worthSending(due(counts), room, LIMITS))).toEqual(expected);
  });
});

describe('nextWake', () => {
  const input = (over: Partial<WakeInput> = {}): WakeInput => ({
    nextDue: {},
    waiting: 0,
    gateUntil: 0,
    limits: LIMITS,
    limiter: createLimiter(LIMITS, NOW),
    now: NOW,
    progressed: true,
    leaseMs: 60_000,
    ...over,
  });

  it('nothing waits: no alarm', () => {
    expect(nextWake(input()).at).toBeNull();
  });

  it('everything waiting is in flight elsewhere: check back after the lease', () => {
    expect(nextWake(input({ waiting: 3 })).at).toBe(NOW + 60_000);
  });

  it('the next item is due later: wake then, and the bucket goes back to the idle burst', () => {
    const busy = take(createLimiter(LIMITS, NOW - 1), LIMITS, { events: 1 }, NOW - 1);
    const wake = nextWake(input({ nextDue: { event: NOW + 5_000 }, waiting: 1, limiter: busy }));
    expect(wake.at).toBe(NOW + 5_000);
    expect(wake.limiter.idle).toBe(true);
  });

  it('due now with tokens in the bucket: at once; without progress, a quarter second later', () => {
    expect(nextWake(input({ nextDue: { event: NOW }, waiting: 1 })).at).toBe(NOW);
    expect(nextWake(input({ nextDue: { event: NOW }, waiting: 1, progressed: false })).at).toBe(NOW + 250);
  });

  it('an outage gate holds everything back until it opens', () => {
    expect(nextWake(input({ nextDue: { event: NOW, customer: NOW }, waiting: 2, gateUntil: NOW + 30_000 })).at).toBe(NOW + 30_000);
  });

  it('events lead: while events are due, the wake is for them, not an earlier-due profile', () => {
    const drained = take(createLimiter(LIMITS, NOW), LIMITS, { events: quantum(LIMITS, 'events') }, NOW);
    const wake = nextWake(input({ nextDue: { event: NOW, customer: NOW - 10 }, waiting: 1_000, limiter: drained }));
    expect(wake.at).toBeGreaterThan(NOW); // waits for most of an events bucket, though customers could go now
  });
});
