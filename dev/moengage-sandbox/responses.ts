/**
 * MoEngage's Data API answers in two envelopes:
 *   success: {"status":"success","message":"…","request_id":"…"}
 *   failure: {"status":"fail","error":{"type":"…","message":"…","request_id":"…"}}
 * Every rejection in the sandbox is a `MoEngageError` value; it becomes the failure envelope only in `failureBody()`,
 * so the pipeline stages can stay plain functions that throw or return.
 */

export type ErrorType =
  | 'AuthenticationError'
  | 'PayloadTooLargeError'
  | 'InvalidJSONError'
  | 'MissingAttributeError'
  | 'InvalidAttributeError'
  | 'RateLimitExceededError'
  | 'NotFoundError'
  | 'MethodNotAllowedError'
  | 'ParamsRequired'
  // Delete User's documented type for an unknown user.
  | 'Not Found';

export interface SuccessBody {
  status: 'success';
  message: string;
  request_id: string;
}

export interface FailureBody {
  status: 'fail';
  error: { type: string; message: string; request_id: string };
}

export class MoEngageError extends Error {
  constructor(
    readonly status: number,
    readonly type: ErrorType,
    message: string,
    readonly headers: Record<string, string> = {},
    /** An API whose failures have their own documented shape (Delete User's 429) answers this body instead. */
    readonly body?: unknown,
  ) {
    super(message);
  }
}

export const ACCEPTED_MESSAGE = 'Your request has been accepted and will be processed soon.';

export function successBody(requestId: string): SuccessBody {
  return { status: 'success', message: ACCEPTED_MESSAGE, request_id: requestId };
}

export function failureBody(type: string, message: string, requestId: string): FailureBody {
  return { status: 'fail', error: { type, message, request_id: requestId } };
}
