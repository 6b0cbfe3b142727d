/** Which alert conditions hold for a connection, from its queues' signals (worker/alerts/conditions.ts): tables. */
import { describe, expect, it } from 'vitest';
import { conditionsOf, nextChangeAt, observe } from '../../../worker/alerts/conditions';
import type { QueueSignal } from '../../../worker/delivery/alertSignal';

const T = Date.UTC(2031, 0, 1);
const MIN = 60_000;
const thresholds = { deadLetters: 1, backlogMinutes: 15 };
const signal = (s: Partial<QueueSignal>): QueueSignal => ({
  connection: 'main',
  queue: 'main',
  at: T,
  paused: null,
  rateLimited: null,
  depth: 0,
  maxBacklogEvents: 1_000,
  oldestQueuedAt: null,
  deadLettered: 0,
  batchCadenceMinutes: null,
  ...s,
});

describe('conditionsOf', () => {
  const cases: { name: string; signals: Partial<QueueSignal>[]; dead?: number; expected: Record<string, unknown> }[] = [
    { name: 'healthy: none', signals: [{ depth: 3, oldestQueuedAt: T - 1_000 }], expected: {} },
    {
      name: 'paused',
      signals: [{ paused: { reason: 'moengage_forbidden', detail: 'HTTP 403', since: T - MIN }, depth: 7, oldestQueuedAt: T - MIN }],
      expected: { paused: { reason: 'moengage_forbidden', detail: 'HTTP 403', since: new Date(T - MIN).toISOString(), waiting: 7 } },
    },
    { name: 'dead letters at the threshold (1 by default)', signals: [{}], dead: 1, expected: { dead_letters: { count: 1, threshold: 1, windowMinutes: 10 } } },
    { name: 'backlog exactly 15 min old: not yet', signals: [{ depth: 1, oldestQueuedAt: T - 15 * MIN }], expected: {} },
    {
      name: 'backlog older than 15 min',
      signals: [{ depth: 2, oldestQueuedAt: T - 15 * MIN - 1 }],
      expected: { backlog_age: { oldestAgeMinutes: 15, thresholdMinutes: 15, waiting: 2 } },
    },
    { name: 'batch mode: waiting for the cadence is normal', signals: [{ depth: 2, oldestQueuedAt: T - 20 * MIN, batchCadenceMinutes: 15 }], expected: {} },
    { name: 'backlog at 80 %: not yet', signals: [{ depth: 800, oldestQueuedAt: T }], expected: {} },
    {
      name: 'backlog above 80 %',
      signals: [{ depth: 801, oldestQueuedAt: T }],
      expected: { backlog_size: { waiting: 801, maxBacklogEvents: 1_000, percent: 80 } },
    },
    {
      name: 'a rate-limit wait in force',
      signals: [{ rateLimited: { until: T + 30_000 }, depth: 4, oldestQueuedAt: T }],
      expected: { rate_limited: { until: new Date(T + 30_000).toISOString(), waiting: 4 } },
    },
    { name: 'a wait that has ended', signals: [{ rateLimited: { until: T } }], expected: {} },
    {
      name: 'several queues: depths add up, the oldest and the earliest pause win, the fullest queue decides the share',
      signals: [
        { queue: 'main/0', depth: 900, maxBacklogEvents: 1_000, oldestQueuedAt: T - 16 * MIN, paused: { reason: 'b', detail: 'later', since: T - 1 } },
        { queue: 'main/1', depth: 100, maxBacklogEvents: 1_000, oldestQueuedAt: T - 2 * MIN, paused: { reason: 'a', detail: 'first', since: T - 2 } },
      ],
      expected: {
        paused: { reason: 'a', detail: 'first', since: new Date(T - 2).toISOString(), waiting: 1_000 },
        backlog_age: { oldestAgeMinutes: 16, thresholdMinutes: 15, waiting: 1_000 },
        backlog_size: { waiting: 900, maxBacklogEvents: 1_000, percent: 90 },
      },
    },
  ];
  it.each(cases)('$name', ({ signals, dead, expected }) => {
    expect(conditionsOf(observe(signals.map(signal), dead ?? 0, T), thresholds)).toEqual(expected);
  });

  it('ALERT_DEAD_LETTERS and ALERT_BACKLOG_MINUTES move the lines', () => {
    const seen = observe([signal({ depth: 1, oldestQueuedAt: T - 6 * MIN })], 4, T);
    expect(Object.keys(conditionsOf(seen, { deadLetters: 5, backlogMinutes: 15 }))).toEqual([]);
    expect(Object.keys(conditionsOf(seen, { deadLetters: 4, backlogMinutes: 5 }))).toEqual(['dead_letters', 'backlog_age']);
  });
});

describe('nextChangeAt: when the clock alone could change a condition', () => {
  it('the backlog reaching the limit, a dead letter leaving the window, a wait ending: the earliest', () => {
    const seen = observe([signal({ depth: 1, oldestQueuedAt: T - 10 * MIN, rateLimited: { until: T + 20 * MIN } })], 0, T);
    expect(nextChangeAt(seen, thresholds, [])).toBe(T + 5 * MIN + 1);
    expect(nextChangeAt(seen, thresholds, [T - 8 * MIN])).toBe(T + 2 * MIN);
    expect(nextChangeAt(observe([signal({})], 0, T), thresholds, [])).toBeNull();
  });
});
