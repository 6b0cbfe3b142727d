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
    { status: 301, body: null, kind: 'pause', reason: 'moengage_redirected' },
    { status: 302, body: '', kind: 'pause', reason: 'moengage_redirected' },
    { status: 303, body: null, kind: 'pause', reason: 'moengage_redirected' },
    { status: 307, body: { status: 'success' }, kind: 'pause', reason: 'moengage_redirected' },
    { status: 308, body: null, kind: 'pause', reason: 'moengage_redirected' },
    { status: 300, body: null, kind: 'pause', reason: 'moengage_redirected' },
    { status: 405, body: null, kind: 'pause', reason: 'moengage_request_refused' },
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

  it('a redirect shows where it pointed, and says it was not followed', () => {
    const verdict = classify({ status: 307, responseBody: '', location: 'https://elsewhere.example/v1/event/ws' });
    expect(verdict).toEqual({
      kind: 'pause',
      reason: 'moengage_redirected',
      detail: expect.stringMatching(/^HTTP 307 redirect to Location: https:\/\/elsewhere\.example\/v1\/event\/ws — MoEngage's Data API does not redirect, and edgetag does not follow redirects/),
    });
    expect(classify({ status: 302, responseBody: null })).toMatchObject({ detail: expect.stringMatching(/^HTTP 302 redirect without a Location — /) });
  });

  it('a cut answer is quoted as far as it was read, and says so', () => {
    const verdict = classify({ status: 400, responseBody: '{"status":"fail","error":{"type":"Invalid', truncated: { reason: 'too_large', keptBytes: 4096 } });
    expect(verdict).toEqual({
      kind: 'reject',
      reason: 'rejected_by_moengage',
      detail: 'HTTP 400 {"status":"fail","error":{"type":"Invalid (answer cut after 4096 bytes: too large)',
    });
    expect(classify({ status: 200, responseBody: '{"status":"succ', truncated: { reason: 'timeout', keptBytes: 15 } }).kind).toBe('delivered');
  });

  describe('wrong data center', () => {
    const target = { url: 'https://api-02.moengage.com/v1/event/ws-1', dataCenter: '02' };
    it.each([
      { status: 401, reason: 'moengage_unauthorized', said: 'AuthenticationError: Authentication failed.' },
      { status: 404, reason: 'moengage_endpoint_not_found', said: 'NotFoundError: No such workspace.' },
    ])('a $status names the data center and the URL, and says a wrong MOENGAGE_DATA_CENTER gives this answer', ({ status, reason, said }) => {
      const [type, message] = said.split(': ') as [string, string];
      const verdict = classify({ status, responseBody: fail(type, message) }, target);
      expect(verdict).toMatchObject({ kind: 'pause', reason });
      const { detail } = verdict as { detail: string };
      expect(detail.startsWith(`HTTP ${status} ${said} — POST https://api-02.moengage.com/v1/event/ws-1 (data center 02): `)).toBe(true);
      expect(detail).toContain('a wrong data center (MOENGAGE_DATA_CENTER, or dataCenter in MOENGAGE_CONNECTIONS) gives this answer too');
      expect(detail).toMatch(/then resume$/);
    });

    it('says when MOENGAGE_API_BASE replaces the data center’s URL', () => {
      const verdict = classify({ status: 404, responseBody: null }, { url: 'http://127.0.0.1:8788/v1/event/ws', dataCenter: '01', apiBase: 'http://127.0.0.1:8788' });
      expect(verdict).toMatchObject({ detail: expect.stringContaining('— POST http://127.0.0.1:8788/v1/event/ws (data center 01; MOENGAGE_API_BASE http://127.0.0.1:8788 replaces its URL): ') });
    });

    it('says when only MOENGAGE_API_BASE is set', () => {
      const verdict = classify({ status: 401, responseBody: null }, { url: 'http://127.0.0.1:8788/v1/event/ws', apiBase: 'http://127.0.0.1:8788' });
      expect(verdict).toMatchObject({ detail: expect.stringContaining('— POST http://127.0.0.1:8788/v1/event/ws (MOENGAGE_API_BASE http://127.0.0.1:8788; no data center set): ') });
    });

    it.each([403, 405, 307])('%i names where the request went too', (status) => {
      expect(classify({ status, responseBody: null, location: 'https://x.example/' }, target)).toMatchObject({ kind: 'pause', detail: expect.stringContaining('— POST https://api-02.moengage.com/v1/event/ws-1 (data center 02): ') });
    });
  });

  it('tells the operator what to fix when it pauses', () => {
    const verdict = classify({ status: 401, responseBody: fail('AuthenticationError', 'Authentication failed.') });
    expect(verdict).toMatchObject({ kind: 'pause', detail: expect.stringMatching(/^HTTP 401 AuthenticationError: Authentication failed\. — check the workspace ID and Data API key/) });
  });
});
