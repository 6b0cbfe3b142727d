import type { HeaderTime } from '../moengage/rateHeaders';

/**
 * Pure: a wait the server imposed, bounded. MoEngage's limits are per minute, so no single answer
 * is trusted for longer than a minute: a `Retry-After: 31536000` or an epoch read as seconds would
 * otherwise stall a connection for a year (or until 2087). After the bounded wait one request
 * probes again; if the server still means it, it says so again and costs at most one request a
 * minute. A time in the past names no wait at all.
 */

export const MAX_SERVER_WAIT_MS = 60_000;

/** Which header imposed a wait; `backoff` is a 429 that named no usable time (1 s doubling to 60 s). */
export type WaitSource = 'retry-after' | 'x-ratelimit-reset' | 'x-ratelimit-remaining' | 'backoff';

export interface ServerWait {
  /** Nothing of the connection is sent before this (epoch ms). */
  until: number;
  header: WaitSource;
  /** The header's value as sent, shortened (for `x-ratelimit-remaining`: `0; x-ratelimit-reset: …`). */
  value: string;
  /** What the header asked for, when that was later than we wait on one answer's word. */
  claimedUntil?: number;
}

/** The wait a header names, capped at MAX_SERVER_WAIT_MS from `now`; undefined if not in the future. */
export function waitFrom(time: HeaderTime, header: WaitSource, now: number): ServerWait | undefined {
  if (!(time.at > now)) return undefined;
  const until = Math.min(time.at, now + MAX_SERVER_WAIT_MS);
  return { until, header, value: time.value, ...(time.at > until ? { claimedUntil: time.at } : {}) };
}

/** A stored wait, if it is one; its end pulled in to at most a minute from `now` (older versions had no cap). */
export function restoreWait(raw: unknown, now: number): ServerWait | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const w = raw as Partial<ServerWait>;
  if (typeof w.until !== 'number' || typeof w.header !== 'string' || typeof w.value !== 'string') return undefined;
  return { until: Math.min(w.until, now + MAX_SERVER_WAIT_MS), header: w.header, value: w.value, ...(typeof w.claimedUntil === 'number' ? { claimedUntil: w.claimedUntil } : {}) };
}

/** `retry-after: 31536000 asked for 365 d; waiting 60 s at most, then one request probes` — for the journey. */
export function describeWait(wait: ServerWait, now: number): string {
  const said = wait.header === 'backoff' ? 'no usable retry time in the answer (backing off)' : `${wait.header}: ${wait.value}`;
  const asked = wait.claimedUntil !== undefined ? ` asked for ${span(wait.claimedUntil - now)}; waiting ${span(wait.until - now)} at most, then one request probes` : '';
  return `${said}${asked}`;
}

function span(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7_200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3_600)} h`;
  return `${Math.round(s / 86_400).toLocaleString('en-GB')} days`;
}
