import type { DeliveryConnection } from '../config/connections';
import { postToMoEngage } from '../moengage/client';
import { DELETE_USER_LIMITS, deleteOutcome, deleteUserPayload } from '../moengage/deleteUser';
import { deleteUserUrl } from '../moengage/endpoints';
import { afterFailure } from './retryPolicy';
import { deadLetterRetentionMs, retentionMs } from './upkeep';
import type { DeleteRequests } from './store/deleteRequests';

/** Delete User requests one alarm sends at most (the event sending keeps the rest of the subrequests). */
const MAX_PER_PASS = 20;
/** A 429 waits this long at most before the next try (like the event limiter's one-answer cap). */
const RATE_WAIT_MS = 60_000;

/**
 * The sending pass's Delete User step: waiting requests that are due go out one by one through the
 * MoEngage client, within MoEngage's 5,000 requests a minute, and are settled by the answer
 * (moengage/deleteUser.ts `deleteOutcome`): done, waiting again with the event retry ladder
 * (retryPolicy.ts, counted toward MAX_ATTEMPTS), or dead. Every request is recorded with its answer
 * (never the key). Returns when the next request is due (null: none waits).
 */
export async function sendDeletions(requests: DeleteRequests, connection: DeliveryConnection): Promise<number | null> {
  const started = Date.now();
  const room = Math.min(MAX_PER_PASS, DELETE_USER_LIMITS.requestsPerMinute - requests.sentSince(started - 60_000));
  for (const due of room > 0 ? requests.due(started, room) : []) {
    const url = deleteUserUrl(connection);
    const body = deleteUserPayload(due.customerId);
    const exchange = await postToMoEngage(connection, url, body);
    const now = Date.now();
    requests.recordAttempt(due.id, { at: exchange.startedAt, url, body, status: exchange.status, response: exchange.responseBody, durationMs: exchange.durationMs, error: exchange.error ?? null });
    const outcome = deleteOutcome(exchange);
    switch (outcome.kind) {
      case 'deleted':
        requests.settle(due.id, { state: 'done', reason: null, detail: outcome.note }, now);
        break;
      case 'rate_limited':
        requests.settle(due.id, { state: 'waiting', nextAttemptAt: now + Math.min(RATE_WAIT_MS, exchange.retryAfterMs ?? RATE_WAIT_MS), reason: 'rate_limited', detail: outcome.detail }, now);
        return requests.nextDue();
      case 'retry': {
        const failures = due.failures + 1;
        const next = afterFailure(failures, connection.delivery.maxAttempts, now, Math.random());
        requests.settle(
          due.id,
          next.retry
            ? { state: 'waiting', nextAttemptAt: next.at, failures, reason: outcome.reason, detail: outcome.detail }
            : { state: 'dead', failures, reason: outcome.reason, detail: `${outcome.detail} (gave up after ${failures} failed attempts)` },
          now,
        );
        break;
      }
      case 'dead':
        requests.settle(due.id, { state: 'dead', reason: outcome.reason, detail: outcome.detail }, now);
        break;
    }
  }
  return requests.nextDue();
}

/**
 * The hook in the sending pass: forgets settled requests (done ones with the log's retention, dead
 * ones with the dead letters'), then sends what is due. Returns when the next request is due.
 */
export function deletionPass(requests: DeleteRequests, connection: DeliveryConnection): Promise<number | null> {
  const now = Date.now();
  requests.forgetOld(now - retentionMs(connection), now - deadLetterRetentionMs(connection));
  return sendDeletions(requests, connection);
}
