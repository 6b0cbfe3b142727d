import { type Answer, classify } from './classify';

/**
 * MoEngage's Delete User API (`POST /v1/customer/delete?app_id={ws}`, Basic auth, URL from
 * endpoints.ts `deleteUserUrl`): one user per request, by `customer_id`, at most 5,000 requests a
 * minute. MoEngage hard-deletes the user after a 24-hour buffer; a later event with the same id
 * creates a new user. Its answers have their own shapes (docs/moengage.md "Delete User").
 */
export const DELETE_USER_LIMITS = {
  requestsPerMinute: 5_000,
  usersPerRequest: 1,
} as const;

export interface DeleteUserPayload {
  identity_type: 'customer_id';
  identity_value: string;
}

/** The Delete User body for one of our users: edgetag's `userId` is MoEngage's `customer_id`. */
export function deleteUserPayload(customerId: string): DeleteUserPayload {
  if (customerId.trim() === '') throw new RangeError('deleteUserPayload needs a customer_id');
  return { identity_type: 'customer_id', identity_value: customerId };
}

/**
 * MoEngage answers a user it does not have with a 400 whose error type is "Not Found" ("User
 * doesn't exists with customer id …"). For an erasure that is the wanted end state, not a refusal.
 */
export function isUnknownUserAnswer(status: number, body: unknown): boolean {
  if (status !== 400 || typeof body !== 'object' || body === null) return false;
  const error = (body as { error?: { type?: unknown } }).error;
  return typeof error?.type === 'string' && error.type.toLowerCase() === 'not found';
}

/** What one Delete User answer means for the request (classify.ts's statuses, with Delete User's own "Not Found"). */
export type DeleteOutcome =
  | { kind: 'deleted'; note: string }
  | { kind: 'rate_limited'; detail: string }
  | { kind: 'retry'; reason: string; detail: string }
  | { kind: 'dead'; reason: string; detail: string };

/**
 * Pure: 2xx, or MoEngage's "Not Found" (the user is already gone), ends the request; 429 waits
 * without counting as a failure; 5xx, timeouts and network errors retry with backoff; any other
 * answer (4xx, 3xx) dead-letters it with MoEngage's words, as other requests are. Delete User
 * never pauses the connection: events keep their own verdicts (classify.ts).
 */
export function deleteOutcome(exchange: Answer & { retryAfterMs?: number }): DeleteOutcome {
  if (isUnknownUserAnswer(exchange.status, exchange.responseBody)) return { kind: 'deleted', note: 'MoEngage has no such user (already deleted, or never sent)' };
  const verdict = classify(exchange);
  switch (verdict.kind) {
    case 'delivered':
      return { kind: 'deleted', note: 'accepted: MoEngage deletes the user after its 24-hour buffer' };
    case 'rate_limited':
      return { kind: 'rate_limited', detail: verdict.detail };
    case 'retry':
      return { kind: 'retry', reason: verdict.reason, detail: verdict.detail };
    case 'pause':
    case 'reject':
      return { kind: 'dead', reason: verdict.reason, detail: verdict.detail };
  }
}
