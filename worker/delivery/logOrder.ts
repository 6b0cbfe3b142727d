/**
 * Pure: the one order events are listed in across queues, and where a listing or the live tail
 * stands in one queue. Events of every queue are ordered by (receivedAt, queue, messageId),
 * descending: a total order that each queue can resume on its own index, so a page boundary means
 * the same thing in every queue. Events stored after a position was handed out are newer than it
 * and never shift a later page (no duplicates, no gaps); a status change does not move an event.
 */

/** Where a newest-first listing stands: in the queue `queue` (a shard of `connection`), else in shard 0, named `connection`. */
export interface ListPosition {
  receivedAt: number;
  connection: string;
  queue?: string;
  messageId: string;
}

/** The name of the queue a position is in, which orders ties. */
export const queueOfPosition = (p: ListPosition): string => p.queue ?? p.connection;

/** Where the live tail stands in one queue: the last change it has passed on. */
export interface ChangePosition {
  updatedAt: number;
  messageId: string;
}

/** The rows of one queue that come after a position, as a condition on (received_at, message_id). */
export type Bound =
  | { kind: 'all' }
  | { kind: 'received_at <='; receivedAt: number }
  | { kind: 'received_at <'; receivedAt: number }
  | { kind: '(received_at, message_id) <'; receivedAt: number; messageId: string };

export function boundFor(queue: string, position: ListPosition | null): Bound {
  if (!position) return { kind: 'all' };
  // At the same receivedAt, queues sort descending: a "smaller" queue comes later.
  const at = queueOfPosition(position);
  if (queue < at) return { kind: 'received_at <=', receivedAt: position.receivedAt };
  if (queue > at) return { kind: 'received_at <', receivedAt: position.receivedAt };
  return { kind: '(received_at, message_id) <', receivedAt: position.receivedAt, messageId: position.messageId };
}

/** Newest first; ties broken by queue, then messageId, both descending. */
export function compareNewestFirst(a: ListPosition, b: ListPosition): number {
  if (a.receivedAt !== b.receivedAt) return b.receivedAt - a.receivedAt;
  const qa = queueOfPosition(a);
  const qb = queueOfPosition(b);
  if (qa !== qb) return qa < qb ? 1 : -1;
  if (a.messageId !== b.messageId) return a.messageId < b.messageId ? 1 : -1;
  return 0;
}
