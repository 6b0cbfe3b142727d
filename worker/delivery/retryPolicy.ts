/**
 * Pure: when to try again after a failed attempt (5xx, timeout, network error).
 *
 * Schedule (docs/delivery.md "Retries"): 10 s, 30 s, then 1 → 2 → 4 → 8 → 10 min, 10 min from then
 * on. The two quick steps are for real-time delivery, where most failures are blips that pass in
 * seconds; the rest borrows seed 000's rate-limit back-off sequence (the seed gives no timing for
 * server errors), long enough to ride out an outage. Every
 * wait gets ±20 % jitter so that retries of many connections do not hit MoEngage in lockstep.
 * With the default MAX_ATTEMPTS = 8 an event is dead-lettered after about 26 minutes of failures.
 *
 * The same ladder paces the whole connection during an outage: after a failed request nothing else
 * is sent until the wait is over, and then one request probes MoEngage (no retry storm from a
 * large backlog, and waiting events do not use up their attempts).
 */

export const RETRY_SCHEDULE_MS = [10_000, 30_000, 60_000, 120_000, 240_000, 480_000, 600_000] as const;
export const JITTER = 0.2;

/** Wait before the next attempt after `failures` failed ones (≥ 1); `random` ∈ [0, 1). */
export function backoffMs(failures: number, random: number): number {
  const i = Math.min(Math.max(failures, 1), RETRY_SCHEDULE_MS.length) - 1;
  const base = RETRY_SCHEDULE_MS[i] as number;
  return Math.round(base * (1 - JITTER + 2 * JITTER * random));
}

/** After a failed attempt: try again at `at`, or give up (dead-letter) when attempts are used up. */
export type AfterFailure = { retry: true; at: number } | { retry: false };

export function afterFailure(failures: number, maxAttempts: number, now: number, random: number): AfterFailure {
  return failures >= maxAttempts ? { retry: false } : { retry: true, at: now + backoffMs(failures, random) };
}
