/**
 * The retry rules as pure functions (no DOM), so they read — and are tested — as a table.
 * Caps keep a long outage from filling the site's localStorage (shared with the site, ~5 M chars).
 */
export const RETRY = {
  /** First retry after ~1 s, doubling, never more than a minute apart. */
  baseMs: 1000,
  maxDelayMs: 60_000,
  /** A message older than this is dropped instead of retried. */
  maxAgeMs: 24 * 3600_000,
  /** At most this many messages / characters wait in the queue; the oldest go first. */
  maxMessages: 1000,
  maxChars: 1_000_000,
  /** How long a page may hold the queue before another page may take it over. */
  leaseMs: 30_000,
} as const;

/**
 * Network error (0), 408, 429 and 5xx are retried. Anything else is final: 2xx acknowledged, and
 * other 4xx could never succeed (bad write key, refused origin): sending again would not help.
 */
export const retryable = (status: number): boolean => !status || status == 408 || status == 429 || status > 499;

/** Exponential backoff with "equal jitter": half the delay fixed, half random, so tabs spread out. */
export const backoff = (attempt: number, random = Math.random()): number =>
  Math.min(RETRY.maxDelayMs, RETRY.baseMs * 2 ** (attempt - 1)) * (0.5 + random / 2);

/** One stored batch: a = first failed at, n = attempts so far, t = next attempt at, b = messages. */
export interface Entry {
  k: string;
  a: number;
  n: number;
  t: number;
  b: string[];
}

/** [keep oldest first, drop]: what is over the age, count or size caps, counting from the newest. */
export function prune(entries: Entry[], now: number): Entry[][] {
  let count = 0;
  let chars = 0;
  const over = (e: Entry) => (count += e.b.length) > RETRY.maxMessages || (chars += e.b.join().length) > RETRY.maxChars || now - e.a > RETRY.maxAgeMs;
  const newestFirst = entries.sort((x, y) => y.a - x.a);
  // Once over a cap, everything older is over too: the counts only grow.
  const cut = newestFirst.findIndex(over);
  const drop = cut < 0 ? [] : newestFirst.splice(cut);
  return [newestFirst.reverse(), drop];
}
