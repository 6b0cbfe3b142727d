import { HttpError } from './HttpError';

/** A 429 that is not worth another debugger line (the key was already refused in this window). */
export class QuietHttpError extends HttpError {}

/** 429 with Retry-After (seconds), as Segment's clients honour it. */
export function rateLimited(what: string, retryAfterSeconds: number, firstRefusal: boolean): HttpError {
  const Err = firstRefusal ? HttpError : QuietHttpError;
  return new Err(429, 'rate_limited', `too many requests for this ${what}; retry after ${retryAfterSeconds} s`, undefined, {
    'retry-after': String(retryAfterSeconds),
  });
}
