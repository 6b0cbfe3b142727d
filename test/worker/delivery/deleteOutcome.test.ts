/** What a Delete User answer means for the request: done, wait, retry or dead (moengage/deleteUser.ts). */
import { describe, expect, it } from 'vitest';
import { deleteOutcome } from '../../../worker/moengage/deleteUser';

const notFound = { status: 'fail', error: { message: "User doesn't exists with customer id u1", type: 'Not Found', request_id: 'r' } };

describe('deleteOutcome', () => {
  it.each<[string, { status: number; responseBody: unknown; error?: string }, string, string?]>([
    ['200 accepted', { status: 200, responseBody: { status: 'success' } }, 'deleted'],
    ['400 Not Found: the user is already gone', { status: 400, responseBody: notFound }, 'deleted'],
    ['429', { status: 429, responseBody: { status: 'fail', title: 'Rate limit exceeded' } }, 'rate_limited'],
    ['500', { status: 500, responseBody: { status: 'fail', title: 'Internal Error' } }, 'retry', 'moengage_unavailable'],
    ['a timeout', { status: 0, responseBody: null, error: 'TimeoutError: timed out' }, 'retry', 'timeout'],
    ['400 another error', { status: 400, responseBody: { status: 'fail', error: { type: 'InvalidAttributeError', message: 'bad' } } }, 'dead', 'rejected_by_moengage'],
    ['401', { status: 401, responseBody: { status: 'fail' } }, 'dead', 'moengage_unauthorized'],
    ['a redirect', { status: 307, responseBody: '' }, 'dead', 'moengage_redirected'],
  ])('%s → %s', (_, answer, kind, reason) => {
    const outcome = deleteOutcome(answer);
    expect(outcome.kind).toBe(kind);
    if (reason) expect(outcome).toMatchObject({ reason });
  });
});
