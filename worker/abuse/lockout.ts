/**
 * Debugger token guessing: the first few failures are free (typos), then each further failure from
 * the same address doubles the wait before the next attempt is even compared, up to 15 minutes.
 * At 15 minutes per guess a 128-bit token is out of reach; a legitimate user waits seconds.
 */
export const FREE_FAILURES = 5;
export const MAX_LOCKOUT_MS = 15 * 60_000;
/** Failures older than this are forgotten. */
export const FAILURE_MEMORY_MS = 60 * 60_000;

export interface FailureState {
  failures: number;
  lastAt: number;
  lockedUntil: number;
}

export function lockoutMs(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(MAX_LOCKOUT_MS, 1000 * 2 ** (failures - FREE_FAILURES));
}

export function afterFailure(state: FailureState | undefined, now: number): FailureState {
  const failures = state && now - state.lastAt < FAILURE_MEMORY_MS ? state.failures + 1 : 1;
  return { failures, lastAt: now, lockedUntil: now + lockoutMs(failures) };
}
