/**
 * MoEngage accepts `current_time` / `user_time` as epoch **seconds** (number or numeric string) or
 * as an ISO 8601 string. Milliseconds are not a documented format: read as seconds they land
 * thousands of years ahead, which the future-date check then rejects — the classic `Date.now()` bug.
 */
export function parseEventTime(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value * 1000 : null;
  if (typeof value !== 'string') return null;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  if (!/^\d{4}-\d{2}-\d{2}/.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/** MoEngage documents `user_timezone_offset` as seconds within ±15 h. */
export const MAX_TIMEZONE_OFFSET_SECONDS = 54_000;

/**
 * How far ahead of "now" an event may be dated. `current_time` is UTC, so only clock skew is
 * tolerated. `user_time` is the user's *local* wall-clock time, so it may legitimately run ahead of
 * UTC by the user's timezone offset — by the declared `user_timezone_offset`, or by up to 15 h when
 * none is given.
 */
export function allowedLeadMs(field: 'current_time' | 'user_time', toleranceMs: number, timezoneOffsetSeconds: number | undefined): number {
  if (field === 'current_time') return toleranceMs;
  const lead = timezoneOffsetSeconds === undefined ? MAX_TIMEZONE_OFFSET_SECONDS : Math.max(0, timezoneOffsetSeconds);
  return toleranceMs + lead * 1000;
}
