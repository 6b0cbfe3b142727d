import type { IngestRecord } from './record';

/**
 * Pure: an IngestRecord as it crosses from the Worker to its queue. The queue stores the raw
 * message and the items as JSON text and never reads inside them on the way in, so the Worker
 * serialises them once (JSON.stringify, native) and the RPC carries a few flat strings instead of
 * structured-cloning deep objects into the object, where they were stringified again.
 */
export interface PackedRecord {
  messageId: string;
  sender?: string;
  type: string;
  name: string | null;
  userId: string | null;
  anonymousId: string | null;
  /** An alias's previousId as a string (what identity links read), else null. */
  previousId: string | null;
  receivedAt: number;
  status: 'queued' | 'held' | 'dropped';
  /** A dropped record's reason and detail. */
  reason: string | null;
  detail: string | null;
  /** A held record's end of window. */
  holdUntil: number | null;
  /** JSON text of the message as received (the log's `raw`). */
  raw: string;
  /** Each delivery item's JSON text, in order (queued and held records; dropped ones have none). */
  items: string[] | null;
  /** JSON text of the omissions, or null when there are none. */
  omissions: string | null;
}

export function packRecord(r: IngestRecord): PackedRecord {
  const { outcome } = r;
  const previousId = r.type === 'alias' ? (r.raw as { previousId?: unknown } | null)?.previousId : undefined;
  return {
    messageId: r.messageId,
    ...(r.sender !== undefined ? { sender: r.sender } : {}),
    type: r.type,
    name: r.name,
    userId: r.userId,
    anonymousId: r.anonymousId,
    previousId: typeof previousId === 'string' || typeof previousId === 'number' ? String(previousId) : null,
    receivedAt: r.receivedAt,
    status: outcome.status,
    reason: outcome.status === 'dropped' ? outcome.reason : null,
    detail: outcome.status === 'dropped' ? outcome.detail : null,
    holdUntil: outcome.status === 'held' ? outcome.holdUntil : null,
    raw: JSON.stringify(r.raw),
    items: outcome.status === 'dropped' ? null : outcome.items.map((item) => JSON.stringify(item)),
    omissions: outcome.omissions.length ? JSON.stringify(outcome.omissions) : null,
  };
}

/** Records as the queue takes them: the Worker sends them packed; tests and a Worker of an earlier release (during a deploy) send them as they are. */
export function packed(records: readonly (IngestRecord | PackedRecord)[]): PackedRecord[] {
  return records.map((r) => ('outcome' in r ? packRecord(r) : r));
}

/** The log's `items` column: the same text JSON.stringify(items) gives. */
export function itemsText(items: readonly string[]): string {
  return `[${items.join(',')}]`;
}
