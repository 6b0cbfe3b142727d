import type { RateHeaders } from '../moengage/rateHeaders';
import { MAX_SERVER_WAIT_MS, restoreWait, type ServerWait, waitFrom } from './serverWait';

/**
 * Pure rate limiter for one MoEngage connection (docs/delivery.md "Rate limits"). Three rules, all
 * must allow a send:
 *
 * 1. A token bucket per unit (events, customer updates, merges, and requests when configured) refills
 *    at the limit per 60.5 s. What it may hold depends on why tokens were not used:
 *    - idle (nothing was due): half a second's worth. Tokens saved while idle would go out as a
 *      burst, and the window below takes a burst back later as a stall (a 10 s burst measurably
 *      cost a whole minute 15 % of the cap, 50 s later), so bursts after a quiet spell stay small;
 *    - busy (a backlog waits): ten seconds' worth, so a late or slow flush catches up instead of
 *      losing the tokens it had no time to use (catching up never overfills the window).
 *    The queue says which with `take` (busy) and `rest` (idle).
 * 2. A sliding window never lets more than `limit` units leave in ANY 60.5 s span, so the count in
 *    whatever minute MoEngage uses (fixed windows in the sandbox) never goes above the limit, even
 *    with arrival jitter (JITTER_GUARD_MS). Under sustained overload the bucket refills at exactly
 *    limit per 60.5 s, so delivery runs at 99.2 % of the cap.
 * 3. What MoEngage says wins, for up to a minute: `x-ratelimit-remaining`/`x-ratelimit-reset` cap
 *    the next sends (the workspace's quota may be shared with other senders), and a 429 blocks every
 *    send until the reset (`retry-after`, else `x-ratelimit-reset`, else a doubling backoff from 1 s
 *    to 60 s). No answer's word holds a send back longer than 60 s (serverWait.ts); after any such
 *    wait the next send is a single request, a probe, until an answer that is not a 429 arrives.
 *
 * Time is always passed in (`now`, epoch ms), so tests drive it.
 */

export const UNITS = ['events', 'customers', 'merges', 'requests'] as const;
export type Unit = (typeof UNITS)[number];

/** Per-minute limits; `requests` is optional (not every account has a request quota). */
export interface Limits {
  events: number;
  customers: number;
  merges: number;
  requests?: number;
}

export type Amounts = Record<Unit, number>;

export interface LimiterState {
  /** Bucket levels at `at`. */
  tokens: Amounts;
  at: number;
  /** Sends inside the last minute: [epoch ms, units…] in UNITS order, oldest first. */
  recent: [number, number, number, number, number][];
  /** No send before this time (after a 429). */
  blockedUntil: number;
  /** Which header imposed `blockedUntil` (for /healthz and the debugger). */
  blockedBy?: ServerWait;
  /** 429s in a row that came without a reset time, for the doubling backoff. */
  strikes: number;
  /** MoEngage's own count: at most `remaining` more units of `unit` until `until` (≤ 60 s ahead). */
  server: { unit: Unit; remaining: number; until: number; said?: ServerWait }[];
  /** A server-imposed wait just ended: one request at a time until an answer that is not a 429. */
  probe?: boolean;
  /** Nothing waits since the last `rest`: the bucket holds only the small idle burst. */
  idle: boolean;
}

/**
 * MoEngage counts a request when it arrives, we when we send it; arrival times can shift by the
 * network's jitter. Holding the limit over 60.5 s instead of 60 s keeps MoEngage's count of any
 * minute at or under the limit for jitter up to 0.5 s, for 0.8 % of throughput (99.2 % of the cap).
 */
export const WINDOW_MS = 60_000;
export const JITTER_GUARD_MS = 500;
const SPAN_MS = WINDOW_MS + JITTER_GUARD_MS;
export const IDLE_BURST_SECONDS = 0.5;
export const BUSY_BURST_SECONDS = 10;
export const RATE_BACKOFF_MS = { first: 1_000, max: 60_000 };

const limitOf = (limits: Limits, unit: Unit): number => (unit === 'requests' ? (limits.requests ?? Infinity) : limits[unit]);
/** At least one whole unit, or a small limit (100 requests/min) could never send anything. */
const capacityOf = (limits: Limits, unit: Unit, idle = true) =>
  Math.max(1, (limitOf(limits, unit) * (idle ? IDLE_BURST_SECONDS : BUSY_BURST_SECONDS) * 1000) / SPAN_MS);

/** Half a second of a unit: what the queue waits to have before sending under a backlog. */
export function quantum(limits: Limits, unit: Exclude<Unit, 'requests'>): number {
  return Math.floor(capacityOf(limits, unit));
}
const ratePerMs = (limits: Limits, unit: Unit) => limitOf(limits, unit) / SPAN_MS;

const zero = (): Amounts => ({ events: 0, customers: 0, merges: 0, requests: 0 });

export function createLimiter(limits: Limits, now: number): LimiterState {
  const tokens = zero();
  for (const unit of UNITS) tokens[unit] = capacityOf(limits, unit);
  return { tokens, at: now, recent: [], blockedUntil: 0, strikes: 0, server: [], idle: true };
}

/** Refills the buckets to `now` and forgets sends older than the window. */
function advance(state: LimiterState, limits: Limits, now: number): LimiterState {
  const elapsed = Math.max(0, now - state.at);
  const tokens = zero();
  for (const unit of UNITS) {
    const capacity = capacityOf(limits, unit, state.idle);
    // An unlimited unit (no request quota) is always full; Infinity arithmetic would give NaN.
    tokens[unit] = Number.isFinite(capacity) ? Math.min(capacity, state.tokens[unit] + elapsed * ratePerMs(limits, unit)) : Infinity;
  }
  const recent = state.recent.filter(([at]) => at > now - SPAN_MS);
  // Tokens never pile up beyond what the window allows: otherwise a full bucket waiting behind a
  // full window would go out as one burst when the window frees, and the burst would come back
  // every 60.5 s as the previous one leaves it (a minute without one falls ~17 % short).
  for (const unit of UNITS) {
    const limit = limitOf(limits, unit);
    if (Number.isFinite(limit)) tokens[unit] = Math.min(tokens[unit], Math.max(0, limit - use(recent, unit)));
  }
  return { ...state, tokens, at: Math.max(state.at, now), recent, server: state.server.filter((s) => s.until > now) };
}

function use(recent: LimiterState['recent'], unit: Unit): number {
  const i = UNITS.indexOf(unit) + 1;
  return recent.reduce((sum, entry) => sum + (entry[i] as number), 0);
}

function windowUse(state: LimiterState, unit: Unit): number {
  return use(state.recent, unit);
}

/** Whole units of each kind that may be sent at `now` (0 for all while blocked). */
export function available(state: LimiterState, limits: Limits, now: number): Amounts {
  const s = advance(state, limits, now);
  const out = zero();
  if (now < s.blockedUntil) return out;
  for (const unit of UNITS) {
    let room = Math.min(Math.floor(s.tokens[unit] + 1e-9), limitOf(limits, unit) - windowUse(s, unit));
    for (const cap of s.server) if (cap.unit === unit) room = Math.min(room, cap.remaining);
    out[unit] = Math.max(0, room);
  }
  if (s.probe) out.requests = Math.min(out.requests, 1);
  return out;
}

/** Records a send of `cost` at `now` (the caller checked `available`). */
export function take(state: LimiterState, limits: Limits, cost: Partial<Amounts>, now: number): LimiterState {
  const s = advance(state, limits, now);
  const tokens = { ...s.tokens };
  const entry: [number, number, number, number, number] = [now, 0, 0, 0, 0];
  UNITS.forEach((unit, i) => {
    const n = cost[unit] ?? 0;
    tokens[unit] -= n;
    entry[i + 1] = n;
  });
  const server = s.server.map((cap) => ({ ...cap, remaining: cap.remaining - (cost[cap.unit] ?? 0) }));
  return { ...s, tokens, recent: [...s.recent, entry], server, idle: false };
}

/** Nothing is due any more: from now on the bucket only saves up the small idle burst. */
export function rest(state: LimiterState, limits: Limits, now: number): LimiterState {
  const s = advance(state, limits, now);
  const tokens = { ...s.tokens };
  for (const unit of UNITS) tokens[unit] = Math.min(tokens[unit], capacityOf(limits, unit, true));
  return { ...s, tokens, idle: true };
}

/**
 * Earliest time at which `want` units could all be sent (`now` if they can already). Used to set
 * the next alarm instead of polling.
 */
export function nextAvailableAt(state: LimiterState, limits: Limits, want: Partial<Amounts>, now: number): number {
  const s = advance(state, limits, now);
  let at = Math.max(now, s.blockedUntil);
  for (const unit of UNITS) {
    // Never wait for more than the bucket can hold.
    const n = Math.min(want[unit] ?? 0, Math.floor(capacityOf(limits, unit, s.idle)));
    if (n <= 0) continue;
    const missing = n - s.tokens[unit];
    if (missing > 0) at = Math.max(at, now + Math.ceil(missing / ratePerMs(limits, unit)));
    // The window frees up as old sends age out of it.
    let over = windowUse(s, unit) + n - limitOf(limits, unit);
    const i = UNITS.indexOf(unit) + 1;
    for (const entry of s.recent) {
      if (over <= 0) break;
      over -= entry[i] as number;
      at = Math.max(at, entry[0] + SPAN_MS);
    }
    for (const cap of s.server) if (cap.unit === unit && cap.remaining < n) at = Math.max(at, cap.until);
  }
  return at;
}

/** What MoEngage said about a request, as far as rate limiting goes. */
export interface RateSignal {
  status: number;
  /** The unit this request mostly spent (events for /v1/event and bulk, customers for /v1/customer…). */
  unit: Unit;
  /** The answer's rate headers, as moengage/rateHeaders.ts read them (absolute times, unbounded). */
  rate?: RateHeaders;
}

/** Which of our units a `x-ratelimit-limit` value describes (the one configured with that limit). */
function unitOfLimit(limits: Limits, limit: number | undefined, fallback: Unit): Unit {
  if (limit === undefined) return fallback;
  const matches = UNITS.filter((u) => limitOf(limits, u) === limit);
  return matches.length === 1 ? (matches[0] as Unit) : fallback;
}

export function observe(state: LimiterState, limits: Limits, signal: RateSignal, now: number): LimiterState {
  let s = advance(state, limits, now);
  const { rate } = signal;
  const unit = unitOfLimit(limits, rate?.limit, signal.unit);
  const reset = rate?.reset ? waitFrom(rate.reset, 'x-ratelimit-reset', now) : undefined;
  if (rate?.remaining !== undefined && reset) {
    const said: ServerWait = { ...reset, header: 'x-ratelimit-remaining', value: `${rate.remaining}; x-ratelimit-reset: ${reset.value}` };
    s = { ...s, server: [...s.server.filter((c) => c.unit !== unit), { unit, remaining: rate.remaining, until: reset.until, said }] };
  }
  if (signal.status === 429) {
    // A time in the past (or now) names no wait: such a 429 backs off like one without any.
    const known = (rate?.retryAfter ? waitFrom(rate.retryAfter, 'retry-after', now) : undefined) ?? reset;
    const wait: ServerWait = known ?? {
      until: now + Math.min(RATE_BACKOFF_MS.max, RATE_BACKOFF_MS.first * 2 ** s.strikes),
      header: 'backoff',
      value: '',
    };
    const later = wait.until >= s.blockedUntil;
    return {
      ...s,
      tokens: { ...s.tokens, [unit]: Math.min(0, s.tokens[unit]) },
      blockedUntil: later ? wait.until : s.blockedUntil,
      blockedBy: later ? wait : s.blockedBy,
      strikes: known === undefined ? s.strikes + 1 : 0,
      probe: true,
    };
  }
  if (signal.status >= 200 && signal.status < 300) {
    // A success that says the quota is spent is a wait too: the first send after it probes.
    return { ...s, strikes: 0, probe: s.server.some((c) => c.remaining <= 0) };
  }
  return { ...s, probe: false };
}

/**
 * The server-imposed wait holding sends back at `now` (a 429's block, or a quota MoEngage said is
 * spent), the one that ends last; null when none.
 */
export function serverWait(state: LimiterState, now: number): ServerWait | null {
  const waits: ServerWait[] = [];
  if (state.blockedUntil > now) waits.push(state.blockedBy ?? { until: state.blockedUntil, header: 'backoff', value: '' });
  for (const cap of state.server) {
    if (cap.remaining <= 0 && cap.until > now) waits.push(cap.said ?? { until: cap.until, header: 'x-ratelimit-remaining', value: '0' });
  }
  return waits.reduce<ServerWait | null>((last, w) => (last === null || w.until > last.until ? w : last), null);
}

/** An operator's resume: every server-imposed wait is lifted; the next send is a single probe. */
export function liftServerWaits(state: LimiterState): LimiterState {
  const { blockedBy: _lifted, ...rest } = state;
  return { ...rest, blockedUntil: 0, strikes: 0, server: [], probe: true };
}

/** A state read back from storage; anything unusable (older shape, config change) starts fresh. */
export function restoreLimiter(raw: unknown, limits: Limits, now: number): LimiterState {
  const fresh = createLimiter(limits, now);
  if (!raw || typeof raw !== 'object') return fresh;
  const r = raw as Partial<LimiterState>;
  if (typeof r.at !== 'number' || !Array.isArray(r.recent) || typeof r.tokens !== 'object' || r.tokens === null) return fresh;
  const tokens = zero();
  for (const unit of UNITS) {
    const t = (r.tokens as Partial<Amounts>)[unit];
    // Infinity (no request quota) is stored as null by JSON.
    tokens[unit] = typeof t === 'number' && Number.isFinite(t) ? t : capacityOf(limits, unit);
  }
  // A wait stored by an older version may reach decades ahead: none is kept beyond a minute.
  const latest = now + MAX_SERVER_WAIT_MS;
  const blockedBy = restoreWait(r.blockedBy, now);
  return {
    tokens,
    at: r.at,
    recent: r.recent.filter((e): e is LimiterState['recent'][number] => Array.isArray(e) && e.length === 5 && e.every((n) => typeof n === 'number')),
    blockedUntil: typeof r.blockedUntil === 'number' ? Math.min(r.blockedUntil, latest) : 0,
    ...(blockedBy ? { blockedBy } : {}),
    strikes: typeof r.strikes === 'number' ? r.strikes : 0,
    server: Array.isArray(r.server)
      ? r.server
          .filter((c) => c && UNITS.includes(c.unit) && typeof c.remaining === 'number' && typeof c.until === 'number')
          .map((c) => {
            const said = restoreWait(c.said, now);
            return { unit: c.unit, remaining: c.remaining, until: Math.min(c.until, latest), ...(said ? { said } : {}) };
          })
      : [],
    probe: r.probe === true,
    idle: r.idle !== false,
  };
}
