import { boundedPost } from '../http/boundedPost';
import type { MoEngageAccount } from './account';
import { authorization } from './endpoints';
import { type RateHeaders, readRateHeaders, shorten } from './rateHeaders';

/**
 * The one MoEngage client: every request edgetag makes to MoEngage (events, Track User, bulk,
 * merge, and any endpoint added later, such as Delete User) goes through `postToMoEngage`, so
 * each gets the same guarantees against whatever answers at the configured URL (the mechanics
 * are http/boundedPost.ts; the settings and what they mean for MoEngage are here):
 *
 * - **A deadline for the whole exchange** (TIMEOUT_MS): headers and body. An answer whose headers
 *   never come is a `TimeoutError`; a body that never ends is cut at the deadline, and the status
 *   that did arrive decides.
 * - **A bounded body**: at most RESPONSE_KEEP_BYTES are read and kept, the rest is cancelled unread
 *   (`truncated` says so). A 20 MB answer costs 4 KB, and nothing from MoEngage can make the attempt
 *   too large to record. Header values kept (request id, rate headers, Location) are shortened too.
 * - **No redirects**: MoEngage's Data API does not redirect, and following one would send events
 *   and the Basic credentials to another host and count its 200 as MoEngage's. A 3xx comes back as
 *   it is, with its `Location`, and classify.ts pauses the connection.
 *
 * It never throws: a failure is an exchange with status 0 and an `error`.
 */

/** What one request to MoEngage looked like and how it ended; kept for the debugger (no secrets). */
export interface Exchange {
  url: string;
  body: unknown;
  bytes: number;
  startedAt: number;
  durationMs: number;
  /** 0 when no HTTP answer arrived (network error, timeout). */
  status: number;
  /** Parsed JSON, or the text; when `truncated`, the text of the prefix read. */
  responseBody: unknown;
  /** The answer's body was not read to its end: longer than RESPONSE_KEEP_BYTES, or still coming at the deadline. */
  truncated?: { reason: 'too_large' | 'timeout'; keptBytes: number };
  requestId?: string;
  /** The answer's rate-limit headers (moengage/rateHeaders.ts). */
  rate?: RateHeaders;
  /** How long `Retry-After` asked us to wait, as sent (uncapped; for logs: the limiter reads `rate`). */
  retryAfterMs?: number;
  /** A 3xx answer's `Location` (shortened). */
  location?: string;
  error?: string;
}

export const TIMEOUT_MS = 15_000;
/** MoEngage's answers are a few hundred bytes of JSON; 4 KB keeps any real one whole. */
export const RESPONSE_KEEP_BYTES = 4 * 1024;
const MAX_LOCATION_CHARS = 300;

/** POSTs one JSON body to MoEngage and reports the exchange; never throws. */
export async function postToMoEngage(connection: MoEngageAccount, url: string, body: unknown): Promise<Exchange> {
  const text = JSON.stringify(body);
  const startedAt = Date.now();
  const base = { url, body, bytes: new TextEncoder().encode(text).byteLength, startedAt };
  try {
    const answer = await boundedPost(
      url,
      { headers: { authorization: authorization(connection), 'content-type': 'application/json' }, body: text },
      { timeoutMs: TIMEOUT_MS, keepBytes: RESPONSE_KEEP_BYTES },
    );
    const responseBody = answer.truncated ? answer.text : parseJson(answer.text);
    const location = answer.status >= 300 && answer.status < 400 ? answer.headers.get('location') : null;
    const answeredAt = Date.now();
    const rate = readRateHeaders(answer.headers, answeredAt);
    const requestId = requestIdOf(answer.headers, responseBody);
    return {
      ...base,
      durationMs: answeredAt - startedAt,
      status: answer.status,
      responseBody,
      ...(answer.truncated ? { truncated: { reason: answer.truncated, keptBytes: answer.keptBytes } } : {}),
      ...(requestId ? { requestId } : {}),
      ...(rate ? { rate } : {}),
      ...(rate?.retryAfter ? { retryAfterMs: Math.max(0, rate.retryAfter.at - answeredAt) } : {}),
      ...(location !== null ? { location: shorten(location, MAX_LOCATION_CHARS) } : {}),
      ...(answer.truncated ? { error: truncationNote(answer.truncated, answer.keptBytes) } : {}),
    };
  } catch (error) {
    return {
      ...base,
      durationMs: Date.now() - startedAt,
      status: 0,
      responseBody: null,
      error: shorten(error instanceof Error ? `${error.name}: ${error.message}` : String(error), 500),
    };
  }
}

/** Shown on the attempt in the journey: the answer kept is not the whole answer. */
function truncationNote(reason: 'too_large' | 'timeout', kept: number): string {
  return reason === 'too_large'
    ? `the answer's body was longer than ${RESPONSE_KEEP_BYTES} bytes: the first ${kept} are kept, the rest was not read`
    : `the answer's body did not end within ${TIMEOUT_MS / 1000} s: the first ${kept} bytes are kept`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function requestIdOf(headers: Headers, body: unknown): string | undefined {
  const header = headers.get('x-request-id') ?? headers.get('request_id');
  if (header) return shorten(header);
  if (body && typeof body === 'object') {
    const b = body as { request_id?: unknown; error?: { request_id?: unknown } };
    const id = b.request_id ?? b.error?.request_id;
    if (typeof id === 'string') return shorten(id);
  }
  return undefined;
}
