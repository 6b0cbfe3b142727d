/** The rate limiter as a specification; time is a number we move by hand. */
import { describe, expect, it } from 'vitest';
import {
  available,
  IDLE_BURST_SECONDS,
  JITTER_GUARD_MS,
  createLimiter,
  type Limits,
  type LimiterState,
  nextAvailableAt,
  observe,
  rest,
  restoreLimiter,
  take,
  WINDOW_MS,
} from '../../../worker/delivery/limiter';

const T0 = Date.UTC(2031, 0, 1, 0, 0, 0);
const LIMITS: Limits = { events: 30_000, customers: 10_000, merges: 1_000 };
/** The limit holds over 60.5 s (0.5 s of arrival jitter), so the bucket refills at limit per 60.5 s. */
const SPAN = WINDOW_MS + JITTER_GUARD_MS;
const perMs = (limit: number) => limit / SPAN;

describe('token bucket', () => {
  it.each([
    { unit: 'events' as const, burst: 247 },
    { unit: 'customers' as const, burst: 82 },
    { unit: 'merges' as const, burst: 8 },
  ])(`a fresh connection may send ${IDLE_BURST_SECONDS} s worth of $unit at once ($burst)`, ({ unit, burst }) => {
    expect(available(createLimiter(LIMITS, T0), LIMITS, T0)[unit]).toBe(burst);
  });

  it.each([
    { after: 0, busy: 0, idle: 0 },
    { after: 250, busy: 124, idle: 124 },
    { after: 500, busy: 248, idle: 247 },
    { after: 3_000, busy: 1_488, idle: 247 },
    { after: 10_000, busy: 4_958, idle: 247 },
    { after: 60_000, busy: 4_958, idle: 247 },
  ])(
    'refills at limit/60.5 s: $after ms after draining, $busy with a backlog waiting (a late flush catches up), $idle after a quiet spell (no big burst)',
    ({ after, busy, idle }) => {
      const drained = take(createLimiter(LIMITS, T0), LIMITS, { events: 247, requests: 1 }, T0);
      expect(available(drained, LIMITS, T0 + after).events).toBe(busy);
      expect(busy).toBe(Math.min(4_958, Math.floor(after * perMs(30_000) + 0.93)));
      expect(available(rest(drained, LIMITS, T0), LIMITS, T0 + after).events).toBe(idle);
    },
  );

  it('is unlimited in requests unless a request quota is configured', () => {
    expect(available(createLimiter(LIMITS, T0), LIMITS, T0).requests).toBe(Infinity);
    const quota = { ...LIMITS, requests: 120 };
    let s = createLimiter(quota, T0);
    // Half a second of 120/min is less than one request: the bucket still holds one.
    expect(available(s, quota, T0).requests).toBe(1);
    s = take(s, quota, { events: 1, requests: 1 }, T0);
    expect(available(s, quota, T0 + 499).requests).toBe(0);
    expect(available(s, quota, T0 + 505).requests).toBe(1);
  });
});

describe('sustained overload (twice the cap offered, taken greedily every 250 ms for 5 minutes)', () => {
  const sent: { at: number; events: number }[] = [];
  let s = createLimiter(LIMITS, T0);
  let backlog = 0;
  for (let t = T0; t < T0 + 5 * WINDOW_MS; t += 250) {
    backlog += (LIMITS.events * 2) / 240; // offered per 250 ms; what is not sent waits
    const n = Math.min(backlog, available(s, LIMITS, t).events);
    backlog -= n;
    if (n > 0) {
      s = take(s, LIMITS, { events: n, requests: 1 }, t);
      sent.push({ at: t, events: n });
    }
  }
  const inWindow = (from: number) => sent.filter((x) => x.at >= from && x.at < from + WINDOW_MS).reduce((a, x) => a + x.events, 0);

  it('never sends more than the limit in any 60.5 s span (checked every 250 ms), so jitter ≤ 0.5 s cannot push a minute over', () => {
    const inSpan = (from: number) => sent.filter((x) => x.at >= from && x.at < from + SPAN).reduce((a, x) => a + x.events, 0);
    for (let from = T0 - WINDOW_MS; from < T0 + 5 * WINDOW_MS; from += 250) expect(inSpan(from)).toBeLessThanOrEqual(LIMITS.events);
  });

  it('paces evenly once the window is full: no recurring burst and stall (every 10 s from the third minute ≈ limit/6.05)', () => {
    const inTen = (from: number) => sent.filter((x) => x.at >= from && x.at < from + 10_000).reduce((a, x) => a + x.events, 0);
    const even = (LIMITS.events * 10_000) / SPAN;
    for (let from = T0 + 2 * WINDOW_MS; from + 10_000 <= T0 + 5 * WINDOW_MS; from += 250) {
      expect(inTen(from)).toBeGreaterThanOrEqual(even * 0.97);
      expect(inTen(from)).toBeLessThanOrEqual(even * 1.03);
    }
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
    expect(available(s, LIMITS, T0 + 20_000).events).toBe(247);
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
    expect(available(s, LIMITS, T0 + 30_000).events).toBe(4_958); // reset: our own (busy) bucket again
  });

  it('reads the headers against the unit whose configured limit they name', () => {
    const s = observe(fresh(), LIMITS, { status: 200, unit: 'events', rateLimit: { limit: 10_000, remaining: 7, resetSeconds: 30 } }, T0);
    expect(available(s, LIMITS, T0)).toMatchObject({ events: 247, customers: 7 });
  });
});

describe('nextAvailableAt', () => {
  it.each([
    { name: 'available now', taken: 0, want: 100, at: T0 },
    { name: 'bucket drained: half a second for a full bucket', taken: 247, want: 247, at: T0 + Math.ceil((247 - 0.93) / perMs(30_000)) },
    { name: 'never waits for more than the bucket holds', taken: 247, want: 1_000_000, at: T0 + Math.ceil((4_958 - 0.93) / perMs(30_000)) },
  ])('$name', ({ taken, want, at }) => {
    const s = taken ? take(createLimiter(LIMITS, T0), LIMITS, { events: taken }, T0) : createLimiter(LIMITS, T0);
    expect(nextAvailableAt(s, LIMITS, { events: want }, T0)).toBe(at);
  });

  it('waits for the window when the minute’s quota is spent', () => {
    // The whole minute went out at T0 (as restored from storage); the bucket itself is full.
    const s: LimiterState = { ...createLimiter(LIMITS, T0), recent: [[T0, LIMITS.events, 0, 0, 1]] };
    expect(available(s, LIMITS, T0 + SPAN - 1).events).toBe(0);
    expect(nextAvailableAt(s, LIMITS, { events: 1 }, T0 + 1_000)).toBe(T0 + SPAN);
    expect(available(s, LIMITS, T0 + SPAN).events).toBe(247); // the spend left the window
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
