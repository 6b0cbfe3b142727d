/**
 * One outbound POST with what every call out of the Worker needs, whatever answers at the URL:
 * - **no redirects** (`redirect: 'manual'`): a 3xx comes back as it is, never followed to a host
 *   nobody configured (with the body and its credentials);
 * - **one deadline** for headers and body together, watched on the clock and raced against every
 *   read, so it holds even where an abort signal is not honoured: headers that never come throw a
 *   `TimeoutError`; a body that never ends is cut there (`truncated: 'timeout'`);
 * - **a bounded body**: at most `keepBytes` are read, the rest is cancelled unread
 *   (`truncated: 'too_large'`), so a 20 MB or endless answer costs `keepBytes`.
 * The MoEngage client (moengage/client.ts) and the alert webhooks (alerts/webhook.ts) call out
 * through it; nothing else in the Worker calls fetch (test/delivery/upstream.test.ts holds that).
 */

export interface BoundedAnswer {
  status: number;
  headers: Headers;
  /** The body's first `keepBytes` at most, as text (a character cut at the boundary is dropped). */
  text: string;
  keptBytes: number;
  /** Why the body was not read to its end. */
  truncated?: 'too_large' | 'timeout';
}

export interface BoundedLimits {
  timeoutMs: number;
  keepBytes: number;
}

const TIMED_OUT = Symbol('timed out');
/** How often the deadline looks at the clock. */
const DEADLINE_TICK_MS = 250;

export async function boundedPost(url: string, request: { headers: Record<string, string>; body: string }, limits: BoundedLimits): Promise<BoundedAnswer> {
  const abort = new AbortController();
  const deadline = deadlineAt(Date.now() + limits.timeoutMs);
  const timedOut = () => new DOMException(`no answer within ${limits.timeoutMs / 1000} s`, 'TimeoutError');
  try {
    const response = await Promise.race([
      fetch(url, { method: 'POST', headers: request.headers, body: request.body, redirect: 'manual', signal: abort.signal }),
      deadline.reached,
    ]);
    if (response === TIMED_OUT) {
      abort.abort(timedOut());
      throw timedOut();
    }
    const read = await readPrefix(response.body, limits.keepBytes, deadline.reached);
    if (read.truncated === 'timeout') abort.abort(timedOut());
    return { status: response.status, headers: response.headers, ...read };
  } finally {
    deadline.stop();
  }
}

/**
 * Resolves once `Date.now()` passes `at`, however the time passed (the delivery tests move a faked
 * clock): it looks at the clock every DEADLINE_TICK_MS instead of arming one long timer.
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

async function readPrefix(
  body: ReadableStream<Uint8Array> | null,
  keepBytes: number,
  deadline: Promise<typeof TIMED_OUT>,
): Promise<{ text: string; keptBytes: number; truncated?: 'too_large' | 'timeout' }> {
  if (!body) return { text: '', keptBytes: 0 };
  const reader = body.getReader();
  const kept = new Uint8Array(keepBytes);
  let length = 0;
  let truncated: 'too_large' | 'timeout' | undefined;
  for (;;) {
    const next = await Promise.race([reader.read(), deadline]);
    if (next === TIMED_OUT) {
      truncated = 'timeout';
      break;
    }
    if (next.done) break;
    const room = keepBytes - length;
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
  const text = new TextDecoder().decode(kept.subarray(0, length), { stream: Boolean(truncated) });
  return { text, keptBytes: length, ...(truncated ? { truncated } : {}) };
}
