import type { Message } from '../../shared/message';
import { checkCustomerId } from './customerId';

/**
 * MoEngage's event API does not take anonymous users, yet most sessions start anonymous. Per
 * connection (ANONYMOUS):
 * - `hold` (default): the event waits in the DeliveryQueue (customer_id left empty) until a
 *   message links its anonymousId to a userId, then goes out as that user; unlinked after the
 *   hold window, it ends dropped (`anonymous_not_identified`).
 * - `customer`: the anonymousId is the customer_id; identify merges it into the real user.
 * - `drop`: anonymous events are dropped (`anonymous_dropped`).
 */
export const ANONYMOUS_POLICIES = ['hold', 'customer', 'drop'] as const;
export type AnonymousPolicy = (typeof ANONYMOUS_POLICIES)[number];

export type Customer =
  | { kind: 'known'; customerId: string }
  /** ANONYMOUS=customer: the anonymousId stands in for the user until identify merges it. */
  | { kind: 'anonymous'; customerId: string }
  /** ANONYMOUS=hold: delivered later, as whoever the anonymousId turns out to be. */
  | { kind: 'held'; anonymousId: string }
  | { kind: 'rejected'; reason: string; detail: string };

/** Who a message is about, as MoEngage's customer_id, under the connection's anonymous policy. */
export function resolveCustomer(message: Pick<Message, 'userId' | 'anonymousId'>, policy: AnonymousPolicy = 'hold'): Customer {
  if (message.userId != null) {
    const checked = checkCustomerId(message.userId);
    return checked.ok ? { kind: 'known', customerId: checked.id } : { kind: 'rejected', reason: checked.reason, detail: checked.detail };
  }
  if (message.anonymousId == null) return { kind: 'rejected', reason: 'missing_customer_id', detail: 'message has neither userId nor anonymousId' };
  switch (policy) {
    case 'drop':
      return { kind: 'rejected', reason: 'anonymous_dropped', detail: 'anonymous visitor (no userId) and ANONYMOUS=drop' };
    case 'customer': {
      const checked = checkCustomerId(message.anonymousId, 'anonymousId');
      return checked.ok ? { kind: 'anonymous', customerId: checked.id } : { kind: 'rejected', reason: checked.reason, detail: checked.detail };
    }
    case 'hold':
      return { kind: 'held', anonymousId: message.anonymousId };
  }
}
