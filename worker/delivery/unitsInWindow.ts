import { type Amounts, JITTER_GUARD_MS, type LimiterState, UNITS, WINDOW_MS } from './limiter';

/** Pure: units sent within the limiter's window (the last 60.5 s): what counts against each limit now. */
export function unitsInWindow(state: LimiterState, now: number): Amounts {
  const out: Amounts = { events: 0, customers: 0, merges: 0, requests: 0 };
  for (const [at, ...amounts] of state.recent) {
    if (at <= now - WINDOW_MS - JITTER_GUARD_MS) continue;
    UNITS.forEach((unit, i) => (out[unit] += amounts[i] ?? 0));
  }
  return out;
}
