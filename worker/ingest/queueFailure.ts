import { HttpError } from '../http/HttpError';

/**
 * A connection's queue (a Durable Object) could not take a batch: Cloudflare answered that the object
 * is overloaded (`.overloaded`: too many requests to one object, or too much queued I/O), could not
 * reach it (an infrastructure error, often `.retryable`), or the object itself threw (`.remote`).
 * None of these is the client's fault and none stored the batch for sure, so the answer is a
 * refusal the tag retries — `503` with `Retry-After` — never a 500. The retry is deduplicated by
 * messageId wherever a part was stored. Pure: the route counts the refusal in the collector's own
 * objects (observeRefusal.ts, the rejection log), never with another call into the failing queue.
 */

/** Cloudflare's documented error properties for calls into a Durable Object. */
export interface QueueCallFailure {
  overloaded: boolean;
  retryable: boolean;
  remote: boolean;
}

/** What Cloudflare's error says (missing properties read false; anything thrown, not only Errors). */
export function failureOf(error: unknown): QueueCallFailure {
  const flags = error && typeof error === 'object' ? (error as Record<string, unknown>) : {};
  return { overloaded: flags.overloaded === true, retryable: flags.retryable === true, remote: flags.remote === true };
}

/** Seconds a client should wait: longer for an overloaded object (retrying at once worsens the overload). */
export const RETRY_AFTER_OVERLOADED_S = 10;
export const RETRY_AFTER_UNAVAILABLE_S = 5;

export function queueRefusal(connection: string, failure: QueueCallFailure): HttpError {
  if (failure.overloaded) {
    return new HttpError(
      503,
      'overloaded',
      `connection "${connection}"'s queue is overloaded (more requests than one Durable Object takes); nothing is lost: retry after ${RETRY_AFTER_OVERLOADED_S} s`,
      undefined,
      { 'retry-after': String(RETRY_AFTER_OVERLOADED_S) },
    );
  }
  const why = failure.remote ? 'failed while storing the batch' : failure.retryable ? 'could not be reached (a transient Cloudflare error)' : 'could not be reached';
  return new HttpError(503, 'queue_unavailable', `connection "${connection}"'s queue ${why}; retry after ${RETRY_AFTER_UNAVAILABLE_S} s`, undefined, {
    'retry-after': String(RETRY_AFTER_UNAVAILABLE_S),
  });
}
