/**
 * Pure: what an answer's rate-limit headers say, as absolute times. Servers disagree on the form:
 * `x-ratelimit-reset` is seconds until the reset on some APIs and the reset's epoch (seconds, or
 * milliseconds) on others; `Retry-After` is seconds or an HTTP date (RFC 9110 §10.2.3), and some
 * servers send an epoch there too. Read as the wrong form, an epoch becomes a 60-year wait, so every
 * form is recognised here and anything else is ignored, never guessed. How long we actually wait
 * on these words (at most a minute) is the limiter's decision (delivery/limiter.ts).
 *
 * | value                                   | read as                 |
 * |-----------------------------------------|-------------------------|
 * | digits (and a fraction) below 10^9      | seconds from now        |
 * | 10^9 … below 10^12                      | epoch seconds (≥ 2001)  |
 * | 10^12 and above                         | epoch milliseconds      |
 * | an HTTP date (IMF-fixdate, RFC 850, asctime) | that instant (Retry-After only) |
 * | anything else (signs, hex, words, empty, several values) | ignored |
 */

/** 10^9 s is 31.7 years: no server means that as a delay, and as an epoch it is September 2001. */
const EPOCH_SECONDS_FROM = 1e9;
/** 10^12 as seconds would be the year 33,658; as milliseconds it is September 2001. */
const EPOCH_MS_FROM = 1e12;
/** Raw header values are kept for the debugger, this long at most (a hostile header can be megabytes). */
export const MAX_HEADER_VALUE_CHARS = 120;

const NUMBER = /^\d+(\.\d+)?$/;
const HTTP_DATE = [
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/, // IMF-fixdate
  /^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \d{2}-(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)-\d{2} \d{2}:\d{2}:\d{2} GMT$/, // RFC 850
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/, // asctime
];

export type TimeForm = 'seconds' | 'epoch-seconds' | 'epoch-ms' | 'http-date';

/** A time a header names: `at` (epoch ms), how it was written, and the value as sent (shortened). */
export interface HeaderTime {
  at: number;
  form: TimeForm;
  value: string;
}

/** MoEngage's rate-limit headers as read from one answer; absent when the answer had none usable. */
export interface RateHeaders {
  limit?: number;
  remaining?: number;
  /** `x-ratelimit-reset`: when the server's window resets. */
  reset?: HeaderTime;
  /** `Retry-After`: when the server asks to hear from us again. */
  retryAfter?: HeaderTime;
  /** Every rate header as sent (shortened), usable or not: the debugger shows what the server said. */
  raw: Record<string, string>;
}

const RATE_HEADERS = ['retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'] as const;

export function shorten(value: string, max = MAX_HEADER_VALUE_CHARS): string {
  // Control characters would garble a log line or the debugger; a hostile value can be any length.
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}… (${clean.length} characters)` : clean;
}

/** A number of seconds or an epoch, per the table above; undefined for anything else. */
export function readNumericTime(value: string, now: number): HeaderTime | undefined {
  const text = value.trim();
  if (!NUMBER.test(text)) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n)) return undefined;
  const shown = shorten(text);
  if (n >= EPOCH_MS_FROM) return { at: Math.round(n), form: 'epoch-ms', value: shown };
  if (n >= EPOCH_SECONDS_FROM) return { at: Math.round(n * 1000), form: 'epoch-seconds', value: shown };
  return { at: now + Math.round(n * 1000), form: 'seconds', value: shown };
}

/** `Retry-After`: seconds (or an epoch, read as above) or an HTTP date. */
export function readRetryAfter(value: string, now: number): HeaderTime | undefined {
  const numeric = readNumericTime(value, now);
  if (numeric) return numeric;
  const text = value.trim();
  if (!HTTP_DATE.some((form) => form.test(text))) return undefined;
  const at = Date.parse(text.includes('-') ? text.replace(/-/g, ' ') : text);
  return Number.isNaN(at) ? undefined : { at, form: 'http-date', value: shorten(text) };
}

/** A count (`x-ratelimit-limit`, `x-ratelimit-remaining`): a non-negative integer, else undefined. */
export function readCount(value: string): number | undefined {
  const text = value.trim();
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

export function readRateHeaders(headers: Headers, now: number): RateHeaders | undefined {
  const raw: Record<string, string> = {};
  for (const name of RATE_HEADERS) {
    const value = headers.get(name);
    if (value !== null) raw[name] = shorten(value);
  }
  if (!Object.keys(raw).length) return undefined;
  const read = <T>(name: (typeof RATE_HEADERS)[number], parse: (v: string) => T | undefined): T | undefined => {
    const value = headers.get(name);
    return value === null ? undefined : parse(value);
  };
  const out: RateHeaders = { raw };
  const limit = read('x-ratelimit-limit', readCount);
  const remaining = read('x-ratelimit-remaining', readCount);
  const reset = read('x-ratelimit-reset', (v) => readNumericTime(v, now));
  const retryAfter = read('retry-after', (v) => readRetryAfter(v, now));
  if (limit !== undefined && limit > 0) out.limit = limit;
  if (remaining !== undefined) out.remaining = remaining;
  if (reset) out.reset = reset;
  if (retryAfter) out.retryAfter = retryAfter;
  return out;
}
