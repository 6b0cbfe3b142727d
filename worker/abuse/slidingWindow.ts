/**
 * A sliding-window counter (the two-window approximation Cloudflare describes for its own limiter):
 * the previous fixed window's count weighs in by how much of it still overlaps the last `windowMs`.
 * Memory is a few numbers per key, and a burst at a window edge cannot double the allowed rate.
 */
export interface WindowState {
  /** Start of the current fixed window (epoch ms, a multiple of windowMs). */
  start: number;
  current: number;
  previous: number;
  /** A request was refused in the current window already. */
  refused: boolean;
}

export interface RateDecision {
  allowed: boolean;
  /** Seconds until a request would be allowed again (0 when allowed). */
  retryAfterSeconds: number;
  /** The first refusal of this window for this key: worth one line in the debugger, the rest are not. */
  firstRefusal: boolean;
}

export function hit(state: WindowState | undefined, now: number, limit: number, windowMs: number): { state: WindowState; decision: RateDecision } {
  const start = now - (now % windowMs);
  let s: WindowState;
  if (!state || start - state.start >= 2 * windowMs) s = { start, current: 0, previous: 0, refused: false };
  else if (start !== state.start) s = { start, current: 0, previous: state.current, refused: false };
  else s = { ...state };

  const elapsed = now - start;
  const estimate = s.previous * (1 - elapsed / windowMs) + s.current;
  if (estimate + 1 <= limit) {
    s.current++;
    return { state: s, decision: { allowed: true, retryAfterSeconds: 0, firstRefusal: false } };
  }
  // Until the previous window's weight has decayed enough for one more request, or the window turns.
  let waitMs = windowMs - elapsed;
  if (s.previous > 0 && s.current + 1 <= limit) {
    const overlapAllowed = (limit - s.current - 1) / s.previous;
    waitMs = Math.min(waitMs, Math.max(0, (1 - overlapAllowed) * windowMs - elapsed));
  }
  const firstRefusal = !s.refused;
  s.refused = true;
  return { state: s, decision: { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)), firstRefusal } };
}
