/** MoEngage answers → what happens to the events they carried, by HTTP status alone. */
import { describe, expect, it } from 'vitest';
import { classify } from '../../../worker/moengage/classify';

const fail = (type: string, message: string) => ({ status: 'fail', error: { type, message, request_id: 'r-1' } });

describe('classify', () => {
  it.each([
    { status: 200, body: { status: 'success' }, kind: 'delivered' },
    { status: 202, body: '', kind: 'delivered' },
    // A 2xx is accepted even if the body looks like a failure: MoEngage's status is the contract.
    { status: 200, body: fail('Whatever', 'odd'), kind: 'delivered' },
    { status: 429, body: fail('RateLimitExceededError', 'slow down'), kind: 'rate_limited' },
    { status: 500, body: fail('InternalServerError', 'boom'), kind: 'retry', reason: 'moengage_unavailable' },
    { status: 502, body: '<html>bad gateway</html>', kind: 'retry', reason: 'moengage_unavailable' },
    { status: 503, body: fail('ServiceUnavailableError', 'later'), kind: 'retry', reason: 'moengage_unavailable' },
    { status: 504, body: null, kind: 'retry', reason: 'moengage_unavailable' },
    { status: 408, body: null, kind: 'retry', reason: 'moengage_unavailable' },
    { status: 401, body: fail('AuthenticationError', 'bad key'), kind: 'pause', reason: 'moengage_unauthorized' },
    { status: 403, body: fail('Forbidden', 'suspended'), kind: 'pause', reason: 'moengage_forbidden' },
    { status: 404, body: fail('NotFoundError', 'no such'), kind: 'pause', reason: 'moengage_endpoint_not_found' },
    { status: 415, body: null, kind: 'pause', reason: 'moengage_request_refused' },
    { status: 301, body: null, kind: 'pause', reason: 'moengage_request_refused' },
    { status: 400, body: fail('MissingAttributeError', "Missing required attribute 'customer_id'."), kind: 'reject', reason: 'rejected_by_moengage' },
    { status: 422, body: fail('InvalidAttributeError', 'nope'), kind: 'reject', reason: 'rejected_by_moengage' },
    { status: 413, body: fail('PayloadTooLargeError', 'too big'), kind: 'reject', reason: 'payload_too_large' },
    // Classified by status, whatever the error type claims.
    { status: 400, body: fail('RateLimitExceededError', 'mislabelled'), kind: 'reject', reason: 'rejected_by_moengage' },
  ])('HTTP $status → $kind $reason', ({ status, body, kind, reason }) => {
    const verdict = classify({ status, responseBody: body });
    expect(verdict.kind).toBe(kind);
    if (reason) expect(verdict).toMatchObject({ reason });
  });

  it.each([
    { error: 'TimeoutError: The operation was aborted due to timeout', reason: 'timeout' },
    { error: 'TypeError: Network connection lost.', reason: 'network_error' },
  ])('no answer ($reason) → retry', ({ error, reason }) => {
    expect(classify({ status: 0, responseBody: null, error })).toEqual({ kind: 'retry', reason, detail: error });
  });

  it('quotes MoEngage’s error type and message for the debugger', () => {
    expect(classify({ status: 400, responseBody: fail('MissingAttributeError', "Missing required attribute 'customer_id'.") })).toEqual({
      kind: 'reject',
      reason: 'rejected_by_moengage',
      detail: "HTTP 400 MissingAttributeError: Missing required attribute 'customer_id'.",
    });
  });

  it('tells the operator what to fix when it pauses', () => {
    const verdict = classify({ status: 401, responseBody: fail('AuthenticationError', 'Authentication failed.') });
    expect(verdict).toMatchObject({ kind: 'pause', detail: expect.stringMatching(/^HTTP 401 AuthenticationError: Authentication failed\. — check the workspace ID and Data API key/) });
  });
});
