/** MoEngage's verdict on one request → the store operations it causes and what the flush does next. */
import { describe, expect, it } from 'vitest';
import type { Verdict } from '../../../worker/moengage/classify';
import { backoffMs } from '../../../worker/delivery/retryPolicy';
import { BULK_NOTE, type SettlementContext, settlementOf } from '../../../worker/delivery/settlement';

const NOW = Date.UTC(2031, 0, 6);
const context = (over: Partial<SettlementContext> = {}): SettlementContext => ({
  keys: [7],
  endpoint: 'event',
  now: NOW,
  blockedUntil: 0,
  serverWait: null,
  outage: undefined,
  maxAttempts: 8,
  random: 0.5,
  fingerprint: 'f1',
  ...over,
});

describe('settlementOf', () => {
  it.each<[string, Verdict, Partial<SettlementContext>, ReturnType<typeof settlementOf>]>([
    ['2xx: delivered, the outage is over', { kind: 'delivered' }, {}, { ops: [{ op: 'delivered', note: null }, { op: 'clearOutage' }], then: { kind: 'continue' } }],
    [
      '2xx saying the quota is spent (x-ratelimit-remaining 0): delivered, and the flush stops',
      { kind: 'delivered' },
      { serverWait: { until: NOW + 60_000, header: 'x-ratelimit-remaining', value: '0; x-ratelimit-reset: 60' } },
      { ops: [{ op: 'delivered', note: null }, { op: 'clearOutage' }], then: { kind: 'stop' } },
    ],
    ['2xx of a bulk request: delivered with the bulk note', { kind: 'delivered' }, { endpoint: 'transition', keys: [1, 2] }, { ops: [{ op: 'delivered', note: BULK_NOTE }, { op: 'clearOutage' }], then: { kind: 'continue' } }],
    [
      '429: the items wait for the limiter’s block, not a failed attempt; the flush stops',
      { kind: 'rate_limited', detail: 'HTTP 429' },
      { blockedUntil: NOW + 30_000 },
      {
        note: `rate limited: sent again after ${new Date(NOW + 30_000).toISOString()}; not counted as a failed attempt`,
        ops: [{ op: 'release', dueAt: NOW + 30_000, pause: null }],
        then: { kind: 'stop' },
      },
    ],
    [
      '429 with a year-long Retry-After: the note says which header asked for what, and that one request probes after 60 s',
      { kind: 'rate_limited', detail: 'HTTP 429' },
      { blockedUntil: NOW + 60_000, serverWait: { until: NOW + 60_000, header: 'retry-after', value: '31536000', claimedUntil: NOW + 31_536_000_000 } },
      {
        note: `rate limited (retry-after: 31536000 asked for 365 days; waiting 60 s at most, then one request probes): sent again after ${new Date(NOW + 60_000).toISOString()}; not counted as a failed attempt`,
        ops: [{ op: 'release', dueAt: NOW + 60_000, pause: null }],
        then: { kind: 'stop' },
      },
    ],
    [
      '5xx, first failure: the connection backs off, each item counts a failed attempt',
      { kind: 'retry', reason: 'moengage_unavailable', detail: 'HTTP 503' },
      {},
      {
        ops: [
          { op: 'setOutage', gate: { failures: 1, until: NOW + backoffMs(1, 0.5) } },
          { op: 'failed', reason: 'moengage_unavailable', detail: 'HTTP 503', maxAttempts: 8, random: 0.5 },
        ],
        then: { kind: 'stop' },
      },
    ],
    [
      'a timeout during an outage: the backoff climbs from the gate’s failures',
      { kind: 'retry', reason: 'timeout', detail: 'TimeoutError' },
      { outage: { failures: 3, until: NOW - 1 }, random: 0 },
      {
        ops: [
          { op: 'setOutage', gate: { failures: 4, until: NOW + backoffMs(4, 0) } },
          { op: 'failed', reason: 'timeout', detail: 'TimeoutError', maxAttempts: 8, random: 0 },
        ],
        then: { kind: 'stop' },
      },
    ],
    [
      '401: the connection pauses with the settings’ fingerprint; the items wait, shown paused',
      { kind: 'pause', reason: 'moengage_unauthorized', detail: 'HTTP 401 — check the key' },
      { keys: [1, 2, 3] },
      {
        note: 'connection paused: nothing is sent until it is resumed or its settings change',
        ops: [
          { op: 'release', dueAt: null, pause: { reason: 'moengage_unauthorized', detail: 'HTTP 401 — check the key', since: NOW, fingerprint: 'f1' } },
          { op: 'pause', pause: { reason: 'moengage_unauthorized', detail: 'HTTP 401 — check the key', since: NOW, fingerprint: 'f1' } },
        ],
        then: { kind: 'stop' },
      },
    ],
    [
      '400 on a single item: dead-lettered with MoEngage’s words, the flush goes on',
      { kind: 'reject', reason: 'rejected_by_moengage', detail: 'HTTP 400 MissingAttributeError' },
      {},
      { ops: [{ op: 'deadLetter', reason: 'rejected_by_moengage', detail: 'HTTP 400 MissingAttributeError' }], then: { kind: 'continue' } },
    ],
    [
      '400 on five /v1/event items: split 3 + 2, each half packed per customer',
      { kind: 'reject', reason: 'rejected_by_moengage', detail: 'HTTP 400' },
      { keys: [1, 2, 3, 4, 5] },
      {
        note: 'split: the 5 items are sent again in two halves to isolate what MoEngage refuses',
        ops: [{ op: 'release', dueAt: null, pause: null }],
        then: { kind: 'split', halves: [[1, 2, 3], [4, 5]], packing: 'event' },
      },
    ],
    [
      '413 on a bulk body: split, the halves stay bulk',
      { kind: 'reject', reason: 'payload_too_large', detail: 'HTTP 413' },
      { keys: [1, 2], endpoint: 'transition' },
      {
        note: 'split: the 2 items are sent again in two halves to isolate what MoEngage refuses',
        ops: [{ op: 'release', dueAt: null, pause: null }],
        then: { kind: 'split', halves: [[1], [2]], packing: 'bulk' },
      },
    ],
  ])('%s', (_, verdict, over, expected) => {
    expect(settlementOf(verdict, context(over))).toEqual(expected);
  });
});
