import { describe, expect, it } from 'vitest';
import { answered, grant, type Ledger, lifted, PROBE_TIMEOUT_MS, standing } from '../../../worker/delivery/lease';
import { available, createLimiter, type Limits, serverWait } from '../../../worker/delivery/limiter';

const NOW = Date.UTC(2031, 0, 6);
const limits: Limits = { events: 600, customers: 200, merges: 200 };
const fresh = (): Ledger => ({ limiter: createLimiter(limits, NOW), probeUntil: 0, busy: {}, shards: 1 });

describe('grant: a request is sent only if all of it fits now', () => {
  it.each([
    { what: 'within the idle burst', cost: { events: 4 }, granted: true },
    { what: 'more events than the burst holds', cost: { events: 6 }, granted: false },
    { what: 'events fit, customers do not', cost: { events: 1, customers: 5 }, granted: false },
  ])('$what → granted $granted', ({ cost, granted }) => {
    expect(grant(fresh(), limits, cost, 3, NOW).granted).toBe(granted);
  });

  it('two shards never spend the same tokens: the second ask after the first is denied', () => {
    const first = grant(fresh(), limits, { events: 4 }, 1, NOW);
    expect(first.granted).toBe(true);
    expect(first.ledger.busy).toEqual({ 1: NOW });
    expect(grant(first.ledger, limits, { events: 4 }, 2, NOW).granted).toBe(false);
    expect(available(first.ledger.limiter, limits, NOW).events).toBe(0);
  });

  it('a 429 reported by one shard blocks every shard until its bounded reset, then one probe goes out across shards', () => {
    const blocked = answered(fresh(), limits, { status: 429, unit: 'events', rate: { retryAfter: { at: NOW + 120_000, value: '120', form: 'seconds' }, raw: {} } }, NOW);
    expect(serverWait(blocked.limiter, NOW)?.until).toBe(NOW + 60_000); // 60 s at most on one answer's word
    expect(grant(blocked, limits, { events: 1 }, 5, NOW + 59_999).granted).toBe(false);
    const probe = grant(blocked, limits, { events: 1 }, 5, NOW + 60_000);
    expect(probe.granted).toBe(true);
    expect(grant(probe.ledger, limits, { events: 1 }, 6, NOW + 60_001).granted).toBe(false); // the probe is out
    expect(grant(probe.ledger, limits, { events: 1 }, 6, NOW + 60_000 + PROBE_TIMEOUT_MS + 1).granted).toBe(true); // its answer never came
    const ok = answered(probe.ledger, limits, { status: 200, unit: 'events' }, NOW + 60_500);
    expect(ok.probeUntil).toBe(0);
  });

  it('an operator lift ends the wait for all shards', () => {
    const blocked = answered(fresh(), limits, { status: 429, unit: 'events', rate: { retryAfter: { at: NOW + 30_000, value: '30', form: 'seconds' }, raw: {} } }, NOW);
    const { wait, ledger } = lifted(blocked, NOW + 1_000);
    expect(wait?.header).toBe('retry-after');
    expect(serverWait(ledger.limiter, NOW + 1_000)).toBeNull();
  });
});

describe('standing: the bucket rests only when no shard has work due', () => {
  it('keeps the busy bucket while another shard waits, rests when the last one is done', () => {
    const busy = grant(fresh(), limits, { events: 4 }, 1, NOW).ledger;
    const waiting = standing(busy, limits, 2, true, NOW + 100);
    expect(waiting.busy).toEqual({ 1: NOW, 2: NOW + 100 });
    const oneDone = standing(waiting, limits, 1, false, NOW + 200);
    expect(oneDone.limiter.idle).toBe(false);
    const allDone = standing(oneDone, limits, 2, false, NOW + 300);
    expect(allDone.busy).toEqual({});
    expect(allDone.limiter.idle).toBe(true);
  });

  it('forgets a shard that stopped reporting (it died) after BUSY_FOR_MS', () => {
    const busy = standing(fresh(), limits, 4, true, NOW);
    expect(standing(busy, limits, 1, false, NOW + 66_000).limiter.idle).toBe(true);
  });
});
