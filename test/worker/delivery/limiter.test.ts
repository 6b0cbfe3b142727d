/** The rate limiter as a specification; time is a number we move by hand. */
import { describe, expect, it } from 'vitest';
import {
  available,
  BURST_SECONDS,
  createLimiter,
  type Limits,
  type LimiterState,
  nextAvailableAt,
  observe,
  restoreLimiter,
  take,
  WINDOW_MS,
} from '../../../worker/delivery/limiter';

const T0 = Date.UTC(2031, 0, 1, 0, 0, 0);
const LIMITS: Limits = { events: 30_000, customers: 10_000, merges: 1_000 };

describe('token bucket', () => {
  it.each([
    { unit: 'events' as const, burst: 5_000 },
    { unit: 'customers' as const, burst: 1_666 },
    { unit: 'merges' as const, burst: 166 },
  ])(`a fresh connection may send ${BURST_SECONDS} s worth of $unit at once ($burst)`, ({ unit, burst }) => {
    expect(available(createLimiter(LIMITS, T0), LIMITS, T0)[unit]).toBe(burst);
  });

  it.each([
    { after: 0, events: 0 },
    { after: 1_000, events: 500 },
    { after: 4_000, events: 2_000 },
    { after: 10_000, events: 5_000 },
    { after: 60_000, events: 5_000 },
  ])('refills at limit/60 s, up to the burst: $after ms after draining → $events', ({ after, events }) => {
    const drained = take(createLimiter(LIMITS, T0), LIMITS, { events: 5_000, requests: 1 }, T0);
    expect(available(drained, LIMITS, T0 + after).events).toBe(events);
  });

  it('is unlimited in requests unless a request quota is configured', () => {
    expect(available(createLimiter(LIMITS, T0), LIMITS, T0).requests).toBe(Infinity);
    const quota = { ...LIMITS, requests: 120 };
    let s = createLimiter(quota, T0);
    expect(available(s, quota, T0).requests).toBe(20);
    for (let i = 0; i < 20; i++) s = take(s, quota, { events: 1, requests: 1 }, T0);
    expect(available(s, quota, T0).requests).toBe(0);
    expect(available(s, quota, T0 + 500).requests).toBe(1);
  });
});

describe('sustained overload (twice the cap offered, taken greedily every 250 ms for 5 minutes)', () => {
  const sent: { at: number; events: number }[] = [];
  let s = createLimiter(LIMITS, T0);
  for (let t = T0; t < T0 + 5 * WINDOW_MS; t += 250) {
    const offered = (LIMITS.events * 2) / 240; // per 250 ms
    const n = Math.min(offered, available(s, LIMITS, t).events);
    if (n > 0) {
      s = take(s, LIMITS, { events: n, requests: 1 }, t);
      sent.push({ at: t, events: n });
    }
  }
  const inWindow = (from: number) => sent.filter((x) => x.at >= from && x.at < from + WINDOW_MS).reduce((a, x) => a + x.events, 0);

  it('never sends more than the limit in any 60 s span (checked every 250 ms)', () => {
    for (let from = T0 - WINDOW_MS; from < T0 + 5 * WINDOW_MS; from += 250) expect(inWindow(from)).toBeLessThanOrEqual(LIMITS.events);
  });

  it('sends within 2% of the limit in every whole minute', () => {
    for (let m = 0; m < 5; m++) {
      const n = inWindow(T0 + m * WINDOW_MS);
      expect(n).toBeGreaterThanOrEqual(LIMITS.events * 0.98);
      expect(n).toBeLessThanOrEqual(LIMITS.events);
    }
  });
});

describe('what MoEngage says wins', () => {
  const fresh = () => createLimiter(LIMITS, T0);

  it('a 429 with retry-after blocks everything until then, and the bucket restarts empty', () => {
    const s = observe(fresh(), LIMITS, { status: 429, unit: 'events', retryAfterMs: 20_000 }, T0);
    expect(available(s, LIMITS, T0 + 19_999)).toEqual({ events: 0, customers: 0, merges: 0, requests: 0 });
    expect(available(s, LIMITS, T0 + 10_000).events).toBe(0);
    expect(available(s, LIMITS, T0 + 20_000).events).toBe(5_000);
    expect(nextAvailableAt(s, LIMITS, { events: 1 }, T0)).toBe(T0 + 20_000);
  });

  it('a 429 with only x-ratelimit-reset waits for the reset', () => {
    const s = observe(fresh(), LIMITS, { status: 429, unit: 'events', rateLimit: { limit: 30_000, remaining: 0, resetSeconds: 42 } }, T0);
    expect(s.blockedUntil).toBe(T0 + 42_000);
  });

  it.each([
    { strikes: 1, wait: 1_000 },
    { strikes: 2, wait: 2_000 },
    { strikes: 3, wait: 4_000 },
    { strikes: 7, wait: 60_000 },
    { strikes: 10, wait: 60_000 },
  ])('a bare 429 backs off 1 s, 2 s, 4 s … up to 60 s: strike $strikes waits $wait ms', ({ strikes, wait }) => {
    let s: LimiterState = fresh();
    let at = T0;
    for (let i = 0; i < strikes; i++) {
      at = Math.max(at, s.blockedUntil);
      s = observe(s, LIMITS, { status: 429, unit: 'events' }, at);
    }
    expect(s.blockedUntil - at).toBe(wait);
    expect(observe(s, LIMITS, { status: 200, unit: 'events' }, s.blockedUntil).strikes).toBe(0);
  });

  it('x-ratelimit-remaining caps the next sends until the reset (the quota may be shared)', () => {
    let s = observe(fresh(), LIMITS, { status: 200, unit: 'events', rateLimit: { limit: 30_000, remaining: 120, resetSeconds: 30 } }, T0);
    expect(available(s, LIMITS, T0).events).toBe(120);
    s = take(s, LIMITS, { events: 100, requests: 1 }, T0);
    expect(available(s, LIMITS, T0 + 1_000).events).toBe(20);
    expect(nextAvailableAt(s, LIMITS, { events: 50 }, T0 + 1_000)).toBe(T0 + 30_000);
    expect(available(s, LIMITS, T0 + 30_000).events).toBeGreaterThan(1_000);
  });

  it('reads the headers against the unit whose configured limit they name', () => {
    const s = observe(fresh(), LIMITS, { status: 200, unit: 'events', rateLimit: { limit: 10_000, remaining: 7, resetSeconds: 30 } }, T0);
    expect(available(s, LIMITS, T0)).toMatchObject({ events: 5_000, customers: 7 });
  });
});

describe('nextAvailableAt', () => {
  it.each([
    { name: 'available now', taken: 0, want: 100, at: T0 },
    { name: 'bucket drained: one second for 500 events', taken: 5_000, want: 500, at: T0 + 1_000 },
    { name: 'never waits for more than the bucket holds', taken: 5_000, want: 1_000_000, at: T0 + 10_000 },
  ])('$name', ({ taken, want, at }) => {
    const s = taken ? take(createLimiter(LIMITS, T0), LIMITS, { events: taken }, T0) : createLimiter(LIMITS, T0);
    expect(nextAvailableAt(s, LIMITS, { events: want }, T0)).toBe(at);
  });

  it('waits for the window when the minute’s quota is spent', () => {
    let s = createLimiter(LIMITS, T0);
    // Spend the whole minute: the burst, then 500/s for 50 s.
    s = take(s, LIMITS, { events: 5_000 }, T0);
    for (let i = 1; i <= 50; i++) s = take(s, LIMITS, { events: 500 }, T0 + i * 1_000);
    const now = T0 + 50_000;
    expect(available(s, LIMITS, T0 + WINDOW_MS - 1).events).toBe(0); // tokens refilled, window full
    expect(nextAvailableAt(s, LIMITS, { events: 1 }, now)).toBe(T0 + WINDOW_MS);
    expect(available(s, LIMITS, T0 + WINDOW_MS).events).toBe(5_000); // the first 5,000 left the window
  });
});

describe('restoreLimiter', () => {
  it('survives a JSON round trip (storage), including the unlimited request bucket', () => {
    const s = take(createLimiter(LIMITS, T0), LIMITS, { events: 1_234, requests: 1 }, T0);
    const back = restoreLimiter(JSON.parse(JSON.stringify(s)), LIMITS, T0 + 5);
    expect(back.tokens.requests).toBe(Infinity);
    expect(available(back, LIMITS, T0 + 5)).toEqual(available(s, LIMITS, T0 + 5));
  });

  it.each([null, 'x', { at: 'now' }, { at: 1, recent: 'no' }])('starts fresh from unusable state %j', (raw) => {
    expect(restoreLimiter(raw, LIMITS, T0)).toEqual(createLimiter(LIMITS, T0));
  });
});
