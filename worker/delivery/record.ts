import type { Message, MessageType } from '../../shared/message';
import type { Omission } from '../moengage/omission';
import type { DeliveryItem } from '../moengage/payloads';

/** Lifecycle states an event can be in; the debugger shows them. */
export type EventStatus = 'dropped' | 'held' | 'queued' | 'retrying' | 'delivered' | 'dead' | 'paused';

/**
 * What the ingest Worker hands a connection's DeliveryQueue for one message: the raw message and
 * what the blueprint made of it. This is the contract between mapping (pure, in the Worker) and
 * delivery (the Durable Object).
 */
export interface IngestRecord {
  messageId: string;
  /**
   * Who sent it (ingest/sender.ts: a digest of the write key): the queue deduplicates a messageId
   * per sender. Absent on invalid messages, which are logged under an id of their own and claim none.
   */
  sender?: string;
  /** Message type, or what an invalid message claimed to be. */
  type: MessageType | string;
  /** Event name (track), page name, or null. */
  name: string | null;
  userId: string | null;
  anonymousId: string | null;
  receivedAt: number;
  /** The message as received (after enrichment), or the invalid input as sent. */
  raw: Message | unknown;
  outcome:
    /** Ready to deliver. */
    | { status: 'queued'; items: DeliveryItem[]; omissions: Omission[] }
    /**
     * ANONYMOUS=hold: an anonymous visitor's event, mapped with `customer_id` left empty. The queue
     * keeps it until a message links `anonymousId` to a `userId` (then it is released with that
     * customer_id) or until `holdUntil` passes (then it ends `dropped`, reason `anonymous_not_identified`).
     */
    | { status: 'held'; items: DeliveryItem[]; holdUntil: number; omissions: Omission[] }
    | { status: 'dropped'; reason: string; detail: string; omissions: Omission[] };
}

export interface EnqueueResult {
  /** messageIds already stored (dedupe at enqueue): not queued again. */
  duplicates: string[];
  /** The connection's backlog is full: nothing of the batch was stored; the Worker answers 503. */
  refused?: { error: 'backlog_full'; detail: string };
}
