/**
 * Rate limits under sustained overload, against a sandbox that enforces the same limits (and would
 * answer 429 above them). Connection "slow": 600 events/min, 200 customer updates/min, bulk packing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../../dev/moengage-sandbox/moengage';
import { cleanup, deliveredIds, drain, enqueue, identifyRecord, installSandbox, runUntil, startClock, statuses, T0, trackRecord } from './support/harness';

beforeEach(() => startClock());
afterEach(cleanup);

const CAP = 600;
const MINUTE = 60_000;

/** Units MoEngage accepted per whole minute of the sandbox clock. */
function perMinute(requests: RecordedRequest[], unit: 'events' | 'customers'): number[] {
  const counts: number[] = [];
  for (const r of requests) {
    if (r.response.status !== 200) continue;
    const body = r.body as { type: string; actions?: unknown[]; elements?: { type: string; actions?: unknown[] }[] };
    const elements = body.type === 'transition' ? (body.elements ?? []) : [body];
    const n = elements.reduce((sum, e) => sum + (unit === 'events' ? (e.actions?.length ?? 0) : e.type === 'customer' ? 1 : 0), 0);
    const minute = Math.floor((r.at - T0) / MINUTE);
    counts[minute] = (counts[minute] ?? 0) + n;
  }
  return Array.from(counts, (n) => n ?? 0);
}

describe('overload at twice the cap', () => {
  it('delivers at the cap (within 2 %, never above) while the backlog waits, and loses nothing', { timeout: 120_000 }, async () => {
    const { sandbox } = installSandbox({ eventsPerMinute: CAP, maxRecorded: 100_000 });
    const sent: string[] = [];
    // 3 minutes of 20 events/s = 1,200/min from 300 customers.
    for (let s = 0; s < 180; s++) {
      await runUntil('slow', T0 + s * 1_000);
      const batch = Array.from({ length: 20 }, (_, i) => trackRecord(`c${(s * 20 + i) % 300}`, { id: `o${s * 20 + i}` }));
      sent.push(...batch.map((r) => r.messageId));
      await enqueue('slow', batch);
    }
    await drain('slow');

    expect(sandbox.requests.filter((r) => r.response.status === 429)).toHaveLength(0);
    const minutes = perMinute(sandbox.requests, 'events');
    expect(minutes.reduce((a, n) => a + n, 0)).toBe(3_600);
    // 3,600 events at 99.2 % of 600/min: six whole minutes at the cap, the rest in a seventh.
    expect(minutes).toHaveLength(7);
    for (const n of minutes.slice(0, -1)) {
      expect(n).toBeLessThanOrEqual(CAP);
      expect(n).toBeGreaterThanOrEqual(CAP * 0.98);
    }
    expect(minutes.at(-1)).toBeLessThan(CAP * 0.1);
    expect(deliveredIds(sandbox, 'slow').sort()).toEqual(sent.sort());
    expect(await statuses('slow')).toEqual({ delivered: 3_600 });
  });
});

describe('identify traffic', () => {
  it('keeps customer updates under the Track User limit (connection "slow": 200/min)', { timeout: 60_000 }, async () => {
    const { sandbox } = installSandbox({ customerUpdatesPerMinute: 200, maxRecorded: 100_000 });
    await enqueue('slow', Array.from({ length: 500 }, (_, i) => identifyRecord(`p${i}`, `i${i}`)));
    await drain('slow');
    expect(sandbox.requests.filter((r) => r.response.status === 429)).toHaveLength(0);
    const minutes = perMinute(sandbox.requests, 'customers');
    expect(minutes.reduce((a, n) => a + n, 0)).toBe(500);
    expect(minutes).toHaveLength(3);
    for (const n of minutes.slice(0, 2)) {
      expect(n).toBeLessThanOrEqual(200);
      expect(n).toBeGreaterThanOrEqual(196);
    }
    expect(await statuses('slow')).toEqual({ delivered: 500 });
  });

  it('events and customer updates have separate budgets: a profile backlog does not hold events back', async () => {
    const { sandbox } = installSandbox({ customerUpdatesPerMinute: 200, maxRecorded: 100_000 });
    await enqueue('slow', Array.from({ length: 400 }, (_, i) => identifyRecord(`p${i}`, `i${i}`)));
    await runUntil('slow', T0 + 2_000);
    await enqueue('slow', [trackRecord('buyer', { id: 'order' })]);
    await runUntil('slow', T0 + 5_000);
    expect(deliveredIds(sandbox, 'slow')).toEqual(['order']);
  });
});
