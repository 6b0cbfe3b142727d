/** One queue's health, worst state first, never a secret. */
import { describe, expect, it } from 'vitest';
import { DELIVERY_DEFAULTS } from '../../../worker/config/delivery';
import type { DeliveryConnection } from '../../../worker/config/connections';
import { type HealthFacts, queueHealth } from '../../../worker/delivery/health';

const NOW = Date.UTC(2031, 0, 6);
const connection: DeliveryConnection = { id: 'main', workspaceId: 'ws', dataApiKey: 'the-key', dataCenter: '01', eventsPerMinute: 30_000, flushIntervalMs: 1_000, shards: 1, delivery: { ...DELIVERY_DEFAULTS, maxBacklogEvents: 10 } };
const facts = (over: Partial<HealthFacts> = {}): HealthFacts => ({
  connection: 'main',
  settings: connection,
  pause: null,
  stats: { waiting: 2, inFlight: 1, dead: 0, oldestDeadAt: null, oldestQueuedAt: NOW - 90_500, nextAttemptAt: NOW, storageBytes: 4096 },
  log: { events: 5, oldestReceivedAt: NOW - 2 * 3_600_000 },
  outage: undefined,
  rateLimited: null,
  refused: undefined,
  expired: undefined,
  now: NOW,
  ...over,
});
const PAUSE = { reason: 'moengage_unauthorized', detail: 'HTTP 401', since: NOW - 5, fingerprint: 'secret-ish' };
const WAIT = { until: NOW + 1_000, header: 'retry-after', value: '1' } as const;
const FULL = { waiting: 10, inFlight: 0, dead: 0, oldestDeadAt: null, oldestQueuedAt: NOW, nextAttemptAt: NOW, storageBytes: 1 };

describe('queueHealth', () => {
  it.each<[string, Partial<HealthFacts>, string]>([
    ['all well', {}, 'ok'],
    ['a 429 wait', { rateLimited: WAIT }, 'rate_limited'],
    ['a 429 wait that is over', { rateLimited: { ...WAIT, until: NOW - 1 } }, 'ok'],
    ['a wait with nothing waiting behind it', { rateLimited: WAIT, stats: { ...FULL, waiting: 0 } }, 'ok'],
    ['MoEngage failing', { outage: { failures: 2, until: NOW + 30_000 }, rateLimited: WAIT }, 'retrying'],
    ['backlog at its bound', { stats: FULL, outage: { failures: 2, until: NOW + 30_000 } }, 'backlog_full'],
    ['paused', { pause: PAUSE, stats: FULL }, 'paused'],
    ['its own settings malformed', { settings: { setting: 'MOENGAGE_CONNECTIONS[0]', problems: ['maxAttempts: expected number'] }, pause: PAUSE }, 'misconfigured'],
  ])('%s → %s', (_, over, status) => {
    expect(queueHealth(facts(over)).status).toBe(status);
  });

  it('shows counts, ages and bounds; the pause without its fingerprint; no key', () => {
    const health = queueHealth(facts({ pause: PAUSE, refused: { total: 2, lastAt: NOW - 9, detail: 'full' } }));
    expect(health).toEqual({
      connection: 'main',
      status: 'paused',
      mode: 'realtime',
      packing: 'auto',
      queueDepth: 2,
      inFlight: 1,
      deadLettered: 0,
      oldestAgeSeconds: 91,
      nextAttemptAt: NOW,
      paused: { reason: 'moengage_unauthorized', detail: 'HTTP 401', since: NOW - 5 },
      retryingUntil: null,
      rateLimitedUntil: null,
      rateLimited: null,
      bounds: { maxBacklogEvents: 10, maxEventAgeHours: 72, backlogFull: false, refusedBatches: { total: 2, lastAt: NOW - 9, detail: 'full' }, expiredEvents: { total: 0, lastAt: null } },
      log: { events: 5, oldestAgeHours: 2, retentionHours: 168, maxEvents: 2_000_000 },
      deadLetters: { count: 0, oldestAgeHours: null, retentionDays: 30 },
      storageBytes: 4096,
    });
    expect(JSON.stringify(health)).not.toMatch(/the-key|secret-ish/);
  });

  it('dead letters: their count, how long the oldest has been dead, and their own bound', () => {
    const health = queueHealth(facts({ stats: { ...FULL, dead: 3, oldestDeadAt: NOW - 36 * 3_600_000 } }));
    expect(health.deadLetters).toEqual({ count: 3, oldestAgeHours: 36, retentionDays: 30 });
    expect(health.deadLettered).toBe(3);
  });

  it('a wait MoEngage imposed: until when, which header said so and what it asked for', () => {
    const wait = { until: NOW + 60_000, header: 'retry-after', value: '31536000', claimedUntil: NOW + 31_536_000_000 } as const;
    expect(queueHealth(facts({ rateLimited: wait }))).toMatchObject({ status: 'rate_limited', rateLimitedUntil: NOW + 60_000, rateLimited: wait });
  });

  it('malformed settings are named with their problems; no settings are shown then', () => {
    const health = queueHealth(facts({ settings: { setting: 'MAX_ATTEMPTS', problems: ['delivery.maxAttempts: expected a number'] } }));
    expect(health).toMatchObject({ status: 'misconfigured', mode: null, misconfigured: { setting: 'MAX_ATTEMPTS', problems: ['delivery.maxAttempts: expected a number'] } });
  });

  it('a queue whose connection is not configured any more: state without settings', () => {
    expect(queueHealth(facts({ settings: undefined }))).toMatchObject({ status: 'ok', mode: null, bounds: { maxBacklogEvents: null } });
  });
});
