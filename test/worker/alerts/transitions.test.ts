/** The alert state machine (worker/alerts/transitions.ts) and when a queue reports (delivery/alertSignal.ts): tables. */
import { describe, expect, it } from 'vitest';
import type { Conditions } from '../../../worker/alerts/conditions';
import { type AlertState, CALM_MS, calmEndsAt, step } from '../../../worker/alerts/transitions';
import { type QueueSignal, crossedBacklogLine, worthReporting } from '../../../worker/delivery/alertSignal';

const T = 1_000_000;
const paused = { reason: 'moengage_unauthorized', detail: 'HTTP 401' };
const limited = { until: 'x' };

describe('step: one alert per state change', () => {
  const cases: { name: string; prev: AlertState; now: Conditions; at: number; changes: [string, string][]; next: AlertState }[] = [
    { name: 'ok stays ok', prev: {}, now: {}, at: T, changes: [], next: {} },
    { name: 'a condition appears: firing', prev: {}, now: { paused }, at: T, changes: [['paused', 'firing']], next: { paused: { since: T, clearSince: null, facts: paused } } },
    {
      name: 'it holds: no new alert, facts follow',
      prev: { paused: { since: T, clearSince: null, facts: paused } },
      now: { paused: { ...paused, reason: 'moengage_forbidden' } },
      at: T + 60_000,
      changes: [],
      next: { paused: { since: T, clearSince: null, facts: { ...paused, reason: 'moengage_forbidden' } } },
    },
    { name: 'a resume resolves at once (no calm period)', prev: { paused: { since: T, clearSince: null, facts: paused } }, now: {}, at: T + 5, changes: [['paused', 'resolved']], next: {} },
    {
      name: 'a rate-limit wait that ends waits a calm minute',
      prev: { rate_limited: { since: T, clearSince: null, facts: limited } },
      now: {},
      at: T + 30_000,
      changes: [],
      next: { rate_limited: { since: T, clearSince: T + 30_000, facts: limited } },
    },
    {
      name: 'back within the calm minute: the same alert goes on, nothing sent',
      prev: { rate_limited: { since: T, clearSince: T + 30_000, facts: limited } },
      now: { rate_limited: limited },
      at: T + 60_000,
      changes: [],
      next: { rate_limited: { since: T, clearSince: null, facts: limited } },
    },
    {
      name: 'clear for the whole calm minute: resolved',
      prev: { rate_limited: { since: T, clearSince: T + 30_000, facts: limited } },
      now: {},
      at: T + 30_000 + CALM_MS.rate_limited,
      changes: [['rate_limited', 'resolved']],
      next: {},
    },
    {
      name: 'kinds change independently, in a fixed order',
      prev: { backlog_age: { since: T, clearSince: null, facts: {} } },
      now: { paused, dead_letters: { count: 2 } },
      at: T + 1,
      changes: [
        ['paused', 'firing'],
        ['dead_letters', 'firing'],
      ],
      next: {
        paused: { since: T + 1, clearSince: null, facts: paused },
        dead_letters: { since: T + 1, clearSince: null, facts: { count: 2 } },
        backlog_age: { since: T, clearSince: T + 1, facts: {} },
      },
    },
  ];
  it.each(cases)('$name', ({ prev, now, at, changes, next }) => {
    const result = step(prev, now, at);
    expect(result.changes.map((c) => [c.kind, c.state])).toEqual(changes);
    expect(result.next).toEqual(next);
  });

  it('a recovery carries when the condition began and its last facts', () => {
    const { changes } = step({ paused: { since: T, clearSince: null, facts: paused } }, {}, T + 600_000);
    expect(changes).toEqual([{ kind: 'paused', state: 'resolved', at: T + 600_000, since: T, facts: paused }]);
  });

  it('calmEndsAt: the earliest pending recovery', () => {
    expect(calmEndsAt({})).toBeNull();
    expect(calmEndsAt({ paused: { since: T, clearSince: null, facts: {} } })).toBeNull();
    expect(calmEndsAt({ backlog_age: { since: T, clearSince: T + 10, facts: {} }, rate_limited: { since: T, clearSince: T + 5, facts: {} } })).toBe(T + 5 + 60_000);
  });
});

describe('worthReporting: a queue speaks only when an alert could depend on it', () => {
  const base: QueueSignal = {
    connection: 'main',
    queue: 'main',
    at: T,
    paused: null,
    rateLimited: null,
    depth: 0,
    maxBacklogEvents: 100,
    oldestQueuedAt: null,
    deadLettered: 0,
    batchCadenceMinutes: null,
  };
  const cases: { name: string; last: QueueSignal | null; next: Partial<QueueSignal>; report: boolean }[] = [
    { name: 'a healthy queue starting a new life says nothing', last: null, next: {}, report: false },
    { name: 'a new life that is paused says so', last: null, next: { paused: { reason: 'r', detail: 'd', since: T } }, report: true },
    { name: 'a new life with dead letters in its past says so', last: null, next: { deadLettered: 3 }, report: true },
    { name: 'events flowing (depth and age moving, never a minute old): nothing', last: { ...base, depth: 5, oldestQueuedAt: T - 900 }, next: { depth: 40, oldestQueuedAt: T - 200 }, report: false },
    { name: 'paused', last: base, next: { paused: { reason: 'r', detail: 'd', since: T } }, report: true },
    { name: 'the pause reason changed', last: { ...base, paused: { reason: 'a', detail: 'd', since: T } }, next: { paused: { reason: 'b', detail: 'd', since: T } }, report: true },
    { name: 'a rate-limit wait began', last: base, next: { rateLimited: { until: T + 1 } }, report: true },
    { name: 'the same wait, later end', last: { ...base, rateLimited: { until: T + 1 } }, next: { rateLimited: { until: T + 9 } }, report: false },
    { name: 'a dead letter', last: base, next: { deadLettered: 1 }, report: true },
    { name: 'the backlog passed 80 %', last: { ...base, depth: 80 }, next: { depth: 81 }, report: true },
    { name: 'something has waited a minute', last: { ...base, depth: 1, oldestQueuedAt: T - 59_999 }, next: { depth: 1, oldestQueuedAt: T - 60_000 }, report: true },
  ];
  it.each(cases)('$name', ({ last, next, report }) => {
    expect(worthReporting(last, { ...base, ...next })).toBe(report);
  });

  it("crossedBacklogLine: enqueue's O(1) check, once per crossing", () => {
    expect(crossedBacklogLine(null, 80, 100)).toBe(false);
    expect(crossedBacklogLine(null, 81, 100)).toBe(true);
    expect(crossedBacklogLine({ ...base, depth: 90 }, 95, 100)).toBe(false);
    expect(crossedBacklogLine({ ...base, depth: 10 }, 95, 100)).toBe(true);
  });
});
