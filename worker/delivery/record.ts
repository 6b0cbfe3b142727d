import type { Message, MessageType } from '../../shared/message';
import type { Omission } from '../identity/identifiers';
import type { DeliveryItem } from '../moengage/payloads';

/** Lifecycle states an event can be in; the debugger shows them. */
export type EventStatus = 'dropped' | 'held' | 'queued' | 'retrying' | 'delivered' | 'dead' | 'paused';

/** What the ingest Worker hands the DeliveryQueue for one message: the raw message and its mapping. */
export interface IngestRecord {
  messageId: string;
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
    | { status: 'queued'; items: DeliveryItem[]; omissions: Omission[] }
    | { status: 'dropped'; reason: string; detail: string; omissions: Omission[] };
}

export interface EnqueueResult {
  /** messageIds already stored (dedupe at enqueue): not queued again. */
  duplicates: string[];
}
