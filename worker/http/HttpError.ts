import type { ErrorBody, Issue } from '../../shared/message';
import { ConfigError } from '../config/ConfigError';
import { logLine } from '../logs/logLine';
import { errorFacts } from './errorFacts';

/** An error answer as a value: status + machine-readable `error` + human `detail`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly detail: string,
    readonly issues?: Issue[],
    readonly headers?: Record<string, string>,
  ) {
    super(`${status} ${error}: ${detail}`);
    this.name = 'HttpError';
  }

  toResponse(extraHeaders?: HeadersInit): Response {
    const body: ErrorBody = { error: this.error, detail: this.detail, ...(this.issues ? { issues: this.issues } : {}) };
    const response = Response.json(body, { status: this.status, headers: this.headers });
    if (extraHeaders) new Headers(extraHeaders).forEach((v, k) => response.headers.set(k, v));
    return response;
  }
}

/** The one place thrown things become JSON answers; unknown errors never leak their message. */
export function errorResponse(error: unknown): Response {
  if (error instanceof HttpError) return error.toResponse();
  // A route read a section of the settings that is malformed: the answer names it, never its value.
  if (error instanceof ConfigError) return new HttpError(503, 'misconfigured', error.message).toResponse();
  // Its name and where it was thrown, never its message: a message can quote input (SECURITY.md "Logs").
  logLine('error', 'unhandled_error', errorFacts(error));
  return new HttpError(500, 'internal_error', 'the collector failed unexpectedly; the request was not stored').toResponse();
}
