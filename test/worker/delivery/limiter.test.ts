/** The rate limiter as a specification; time is a number we move by hand. */
import { describe, expect, it } from 'vitest';
import {
  available,
  IDLE_BURST_SECONDS,
  JITTER_GUARD_MS,
  createLimiter,
  liftServerWaits,
  type Limits,
  type LimiterState,
  nextAvailableAt,
  observe,
  rest,
  restoreLimiter,
  serverWait,
  take,
  WINDOW_MS,
} from '../../../worker/delivery/limiter';
import { readRateHeaders } from '../../../worker/moengage/rateHeaders';

const T0 = Date.UTC(2031, 0, 1, 0, 0, 0);
const LIMITS: Limits = { events: 30_000, customers: 10_000, merges: 1_000 };
/** The limit holds over 60.5 s (0.5 s of arrival jitter), so the bucket refills at limit per 60.5 s. */
const SPAN = WINDOW_MS + JITTER_GUARD_MS;
const perMs = (limit: number) => limit / SPAN;
/** An answer's headers as the client reads them at `now`. */
const headers = (h: Record<string, string>, now = T0) => readRateHeaders(new Headers(h), now);

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
    const s = observe(fresh(), LIMITS, { status: 429, unit: 'events', rate: headers({ 'retry-after': '20' }) }, T0);
    expect(available(s, LIMITS, T0 + 19_999)).toEqual({ events: 0, customers: 0, merges: 0, requests: 0 });
    expect(available(s, LIMITS, T0 + 10_000).events).toBe(0);
    expect(available(s, LIMITS, T0 + 20_000).events).toBe(247);
    expect(nextAvailableAt(s, LIMITS, { events: 1 }, T0)).toBe(T0 + 20_000);
  });

  it('a 429 with only x-ratelimit-reset waits for the reset', () => {
    const s = observe(fresh(), LIMITS, { status: 429, unit: 'events', rate: headers({ 'x-ratelimit-limit': '30000', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '42' }) }, T0);
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
    let s = observe(fresh(), LIMITS, { status: 200, unit: 'events', rate: headers({ 'x-ratelimit-limit': '30000', 'x-ratelimit-remaining': '120', 'x-ratelimit-reset': '30' }) }, T0);
    expect(available(s, LIMITS, T0).events).toBe(120);
    s = take(s, LIMITS, { events: 100, requests: 1 }, T0);
    expect(available(s, LIMITS, T0 + 1_000).events).toBe(20);
    expect(nextAvailableAt(s, LIMITS, { events: 50 }, T0 + 1_000)).toBe(T0 + 30_000);
    expect(available(s, LIMITS, T0 + 30_000).events).toBe(4_958); // reset: our own (busy) bucket again
  });

  it('reads the headers against the unit whose configured limit they name', () => {
    const s = observe(fresh(), LIMITS, { status: 200, unit: 'events', rate: headers({ 'x-ratelimit-limit': '10000', 'x-ratelimit-remaining': '7', 'x-ratelimit-reset': '30' }) }, T0);
    expect(available(s, LIMITS, T0)).toMatchObject({ events: 247, customers: 7 });
  });
});

describe('no answer holds a connection back longer than a minute', () => {
  const fresh = () => createLimiter(LIMITS, T0);
  const at = (seconds: number) => String(Math.floor(T0 / 1000) + seconds);
  const date = (ms: number) => new Date(ms).toUTCString();
  const YEAR_2087 = '3692217600';

  // Each row: one 429's headers → how long every send is blocked, and which header said so.
  it.each<{ name: string; h: Record<string, string>; wait: number; header: string; claimed?: number }>([
    { name: 'Retry-After of a year', h: { 'retry-after': '31536000' }, wait: 60_000, header: 'retry-after', claimed: T0 + 31_536_000_000 },
    { name: 'Retry-After 59 s (honoured)', h: { 'retry-after': '59' }, wait: 59_000, header: 'retry-after' },
    { name: 'Retry-After 61 s', h: { 'retry-after': '61' }, wait: 60_000, header: 'retry-after', claimed: T0 + 61_000 },
    { name: 'Retry-After 1.5 s', h: { 'retry-after': '1.5' }, wait: 1_500, header: 'retry-after' },
    { name: 'Retry-After as an HTTP date 25 s ahead', h: { 'retry-after': date(T0 + 25_000) }, wait: 25_000, header: 'retry-after' },
    { name: 'Retry-After as an HTTP date in 2087', h: { 'retry-after': 'Tue, 01 Jan 2087 00:00:00 GMT' }, wait: 60_000, header: 'retry-after', claimed: Date.UTC(2087, 0, 1) },
    { name: 'Retry-After as an epoch (seconds) 20 s ahead', h: { 'retry-after': at(20) }, wait: 20_000, header: 'retry-after' },
    { name: 'x-ratelimit-reset as seconds until the reset', h: { 'x-ratelimit-reset': '42' }, wait: 42_000, header: 'x-ratelimit-reset' },
    { name: 'x-ratelimit-reset as an epoch 30 s ahead', h: { 'x-ratelimit-reset': at(30) }, wait: 30_000, header: 'x-ratelimit-reset' },
    { name: 'x-ratelimit-reset as epoch milliseconds 45 s ahead', h: { 'x-ratelimit-reset': String(T0 + 45_000) }, wait: 45_000, header: 'x-ratelimit-reset' },
    { name: 'x-ratelimit-reset as an epoch in 2087', h: { 'x-ratelimit-reset': YEAR_2087 }, wait: 60_000, header: 'x-ratelimit-reset', claimed: 3_692_217_600_000 },
    { name: 'Retry-After wins over x-ratelimit-reset', h: { 'retry-after': '5', 'x-ratelimit-reset': '40' }, wait: 5_000, header: 'retry-after' },
    // Past or now: no wait named, so the bare-429 backoff (1 s) applies; never an immediate retry.
    { name: 'Retry-After 0', h: { 'retry-after': '0' }, wait: 1_000, header: 'backoff' },
    { name: 'Retry-After as a past HTTP date', h: { 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }, wait: 1_000, header: 'backoff' },
    { name: 'x-ratelimit-reset as a past epoch', h: { 'x-ratelimit-reset': '1600000000' }, wait: 1_000, header: 'backoff' },
    { name: 'x-ratelimit-reset as an epoch equal to now', h: { 'x-ratelimit-reset': at(0) }, wait: 1_000, header: 'backoff' },
    { name: 'a past Retry-After falls back to a usable reset', h: { 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT', 'x-ratelimit-reset': '9' }, wait: 9_000, header: 'x-ratelimit-reset' },
    // Garbage: ignored, whatever its shape.
    ...['soon', '-5', 'NaN', 'Infinity', '1e400', '0x1F', '12abc', '', '   ', '5, 10', 'later', 'Tue, 01 Jan 2087', '9'.repeat(400)].map((v) => ({
      name: `garbage ${JSON.stringify(v.slice(0, 12))}`,
      h: { 'retry-after': v, 'x-ratelimit-reset': v },
      wait: 1_000,
      header: 'backoff',
    })),
  ])('429 with $name → waits $wait ms ($header)', ({ h, wait, header, claimed }) => {
    const s = observe(fresh(), LIMITS, { status: 429, unit: 'events', rate: headers(h) }, T0);
    expect(s.blockedUntil).toBe(T0 + wait);
    expect(available(s, LIMITS, T0 + wait - 1).requests).toBe(0);
    expect(available(s, LIMITS, T0 + wait).requests).toBe(1); // then one request probes
    expect(serverWait(s, T0)).toMatchObject({ until: T0 + wait, header });
    expect(serverWait(s, T0)?.claimedUntil).toBe(claimed);
    expect(serverWait(s, T0 + wait)).toBeNull();
  });

  it('a 200 with x-ratelimit-remaining 0 and an epoch reset in 2087: everything waits 60 s, then one request probes', () => {
    const s = observe(fresh(), LIMITS, { status: 200, unit: 'events', rate: headers({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': YEAR_2087 }) }, T0);
    expect(available(s, LIMITS, T0 + 59_999).events).toBe(0);
    expect(serverWait(s, T0)).toEqual({ until: T0 + 60_000, header: 'x-ratelimit-remaining', value: `0; x-ratelimit-reset: ${YEAR_2087}`, claimedUntil: 3_692_217_600_000 });
    expect(nextAvailableAt(s, LIMITS, { events: 10 }, T0)).toBe(T0 + 60_000);
    expect(available(s, LIMITS, T0 + 60_000)).toMatchObject({ requests: 1 });
    // The probe's answer decides: a plain 200 reopens the connection fully.
    const after = observe(take(s, LIMITS, { events: 1, requests: 1 }, T0 + 60_000), LIMITS, { status: 200, unit: 'events' }, T0 + 60_100);
    expect(available(after, LIMITS, T0 + 60_100).requests).toBe(Infinity);
  });

  it.each([
    { name: 'a past reset', reset: '1600000000' },
    { name: 'a garbage reset', reset: 'tomorrow' },
    { name: 'no reset', reset: undefined },
  ])('a 200 with x-ratelimit-remaining 0 and $name holds nothing back', ({ reset }) => {
    const h: Record<string, string> = { 'x-ratelimit-remaining': '0', ...(reset ? { 'x-ratelimit-reset': reset } : {}) };
    const s = observe(fresh(), LIMITS, { status: 200, unit: 'events', rate: headers(h) }, T0);
    expect(serverWait(s, T0)).toBeNull();
    expect(available(s, LIMITS, T0).events).toBe(247);
  });

  it('a probe answered 429 again waits again (bounded), one request a minute at most', () => {
    let s = observe(fresh(), LIMITS, { status: 429, unit: 'events', rate: headers({ 'retry-after': '31536000' }) }, T0);
    s = take(s, LIMITS, { events: 1, requests: 1 }, T0 + 60_000);
    s = observe(s, LIMITS, { status: 429, unit: 'events', rate: headers({ 'retry-after': '31536000' }, T0 + 60_000) }, T0 + 60_000);
    expect(s.blockedUntil).toBe(T0 + 120_000);
    expect(available(s, LIMITS, T0 + 120_000).requests).toBe(1);
  });

  it('resume lifts every server-imposed wait; the next send is a single probe', () => {
    let s = observe(fresh(), LIMITS, { status: 429, unit: 'events', rate: headers({ 'retry-after': '50' }) }, T0);
    s = observe(s, LIMITS, { status: 200, unit: 'customers', rate: headers({ 'x-ratelimit-limit': '10000', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '50' }) }, T0);
    expect(serverWait(s, T0 + 1_000)).not.toBeNull();
    const lifted = liftServerWaits(s);
    expect(serverWait(lifted, T0 + 1_000)).toBeNull();
    expect(available(lifted, LIMITS, T0 + 1_000)).toMatchObject({ requests: 1, customers: 82 });
  });

  it('a stored wait from before the cap (until 2087) is pulled in to a minute when read back', () => {
    const stored = JSON.parse(JSON.stringify({ ...createLimiter(LIMITS, T0), blockedUntil: 3_692_217_600_000, server: [{ unit: 'events', remaining: 0, until: 3_692_217_600_000 }] }));
    const s = restoreLimiter(stored, LIMITS, T0 + 5_000);
    expect(s.blockedUntil).toBe(T0 + 65_000);
    expect(serverWait(s, T0 + 5_000)?.until).toBe(T0 + 65_000);
    expect(available(s, LIMITS, T0 + 65_000).events).toBeGreaterThan(0);
  });

  it('a stored state round-trips its waits, their headers and the probe', () => {
    const s = observe(fresh(), LIMITS, { status: 429, unit: 'events', rate: headers({ 'retry-after': '31536000' }) }, T0);
    const back = restoreLimiter(JSON.parse(JSON.stringify(s)), LIMITS, T0 + 1_000);
    expect(serverWait(back, T0 + 1_000)).toEqual(serverWait(s, T0 + 1_000));
    expect(back.probe).toBe(true);
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
