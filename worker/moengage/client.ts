import type { Connection } from '../config/connections';
import { authorization } from './endpoints';
import { type RateHeaders, readRateHeaders, shorten } from './rateHeaders';

/**
 * The one MoEngage client: every request edgetag makes to MoEngage (events, Track User, bulk,
 * merge, and any endpoint added later, such as Delete User) goes through `postToMoEngage`, so
 * each gets the same guarantees against whatever answers at the configured URL:
 *
 * - **A deadline for the whole exchange** (TIMEOUT_MS): headers and body. An answer whose headers
 *   never come is a `TimeoutError`; a body that never ends is cut at the deadline, and the status
 *   that did arrive decides.
 * - **A bounded body**: at most RESPONSE_KEEP_BYTES are read and kept, the rest is cancelled unread
 *   (`truncated` says so). A 20 MB answer costs 4 KB, and nothing from MoEngage can make the attempt
 *   too large to record. Header values kept (request id, rate headers, Location) are shortened too.
 * - **No redirects** (`redirect: 'manual'`): MoEngage's Data API does not redirect, and following one
 *   would send events and the Basic credentials to another host and count its 200 as MoEngage's.
 *   A 3xx comes back as it is, with its `Location`, and classify.ts pauses the connection.
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
  /** A 3xx answer's `Location` (shortened). */
  location?: string;
  error?: string;
}

export const TIMEOUT_MS = 15_000;
/** MoEngage's answers are a few hundred bytes of JSON; 4 KB keeps any real one whole. */
export const RESPONSE_KEEP_BYTES = 4 * 1024;
const MAX_LOCATION_CHARS = 300;

const TIMED_OUT = Symbol('timed out');

/** POSTs one JSON body to MoEngage and reports the exchange; never throws. */
export async function postToMoEngage(connection: Pick<Connection, 'workspaceId' | 'dataApiKey'>, url: string, body: unknown): Promise<Exchange> {
  const text = JSON.stringify(body);
  const startedAt = Date.now();
  const base = { url, body, bytes: new TextEncoder().encode(text).byteLength, startedAt };
  const abort = new AbortController();
  const deadline = deadlineAt(startedAt + TIMEOUT_MS);
  const timedOut = () => new DOMException(`no answer within ${TIMEOUT_MS / 1000} s`, 'TimeoutError');
  try {
    const response = await Promise.race([
      fetch(url, {
        method: 'POST',
        headers: { authorization: authorization(connection), 'content-type': 'application/json' },
        body: text,
        redirect: 'manual',
        signal: abort.signal,
      }),
      deadline.reached,
    ]);
    if (response === TIMED_OUT) {
      abort.abort(timedOut());
      throw timedOut();
    }
    const read = await readPrefix(response.body, deadline.reached);
    if (read.truncated === 'timeout') abort.abort(timedOut());
    const responseBody = read.truncated ? read.text : parseJson(read.text);
    const location = response.status >= 300 && response.status < 400 ? response.headers.get('location') : null;
    const rate = readRateHeaders(response.headers, Date.now());
    const requestId = requestIdOf(response, responseBody);
    return {
      ...base,
      durationMs: Date.now() - startedAt,
      status: response.status,
      responseBody,
      ...(read.truncated ? { truncated: { reason: read.truncated, keptBytes: read.keptBytes } } : {}),
      ...(requestId ? { requestId } : {}),
      ...(rate ? { rate } : {}),
      ...(location !== null ? { location: shorten(location, MAX_LOCATION_CHARS) } : {}),
      ...(read.truncated ? { error: truncationNote(read.truncated, read.keptBytes) } : {}),
    };
  } catch (error) {
    return {
      ...base,
      durationMs: Date.now() - startedAt,
      status: 0,
      responseBody: null,
      error: shorten(error instanceof Error ? `${error.name}: ${error.message}` : String(error), 500),
    };
  } finally {
    deadline.stop();
  }
}

/** How often the deadline looks at the clock. */
const DEADLINE_TICK_MS = 250;

/**
 * Our own deadline, raced against every read, so it holds even where an abort signal is not
 * honoured. It watches the clock rather than arming one long timer: the exchange ends once
 * `Date.now()` passes `at`, however the time passed (the delivery tests move a faked clock).
 */
function deadlineAt(at: number): { reached: Promise<typeof TIMED_OUT>; stop(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const reached = new Promise<typeof TIMED_OUT>((resolve) => {
    const check = () => {
      if (stopped) return;
      if (Date.now() >= at) resolve(TIMED_OUT);
      else timer = setTimeout(check, Math.min(DEADLINE_TICK_MS, Math.max(1, at - Date.now())));
    };
    timer = setTimeout(check, Math.min(DEADLINE_TICK_MS, Math.max(1, at - Date.now())));
  });
  return {
    reached,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/**
 * Reads at most RESPONSE_KEEP_BYTES of a body and cancels the rest: the bytes beyond are never
 * buffered, and a body still coming at the deadline is cut there.
 */
async function readPrefix(
  body: ReadableStream<Uint8Array> | null,
  deadline: Promise<typeof TIMED_OUT>,
): Promise<{ text: string; keptBytes: number; truncated?: 'too_large' | 'timeout' }> {
  if (!body) return { text: '', keptBytes: 0 };
  const reader = body.getReader();
  const kept = new Uint8Array(RESPONSE_KEEP_BYTES);
  let length = 0;
  let truncated: 'too_large' | 'timeout' | undefined;
  for (;;) {
    const next = await Promise.race([reader.read(), deadline]);
    if (next === TIMED_OUT) {
      truncated = 'timeout';
      break;
    }
    if (next.done) break;
    const room = RESPONSE_KEEP_BYTES - length;
    kept.set(next.value.subarray(0, room), length);
    length += Math.min(room, next.value.byteLength);
    if (next.value.byteLength > room) {
      truncated = 'too_large';
      break;
    }
  }
  // Not awaited: a hostile stream could make even the cancel hang.
  if (truncated) reader.cancel().catch(() => undefined);
  else reader.releaseLock();
  // `stream: true` drops a character cut in half at the boundary instead of inventing one.
  const text = new TextDecoder().decode(kept.subarray(0, length), { stream: Boolean(truncated) });
  return { text, keptBytes: length, ...(truncated ? { truncated } : {}) };
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

function requestIdOf(response: Response, body: unknown): string | undefined {
  const header = response.headers.get('x-request-id') ?? response.headers.get('request_id');
  if (header) return shorten(header);
  if (body && typeof body === 'object') {
    const b = body as { request_id?: unknown; error?: { request_id?: unknown } };
    const id = b.request_id ?? b.error?.request_id;
    if (typeof id === 'string') return shorten(id);
  }
  return undefined;
}
