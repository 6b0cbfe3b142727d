import type { Message } from '../../shared/message';
import type { Omission } from '../identity/identifiers';

/** Events dated before this are refused: a zeroed or corrupt clock, not real history. */
export const EARLIEST_EVENT_MS = Date.UTC(2000, 0, 1);

export interface Enriched {
  message: Message;
  /** What the collector changed, shown in the debugger with the event. */
  notes: Omission[];
  /** Set when the message cannot be delivered as dated (it is logged as dropped with this reason). */
  drop?: { reason: string; detail: string };
}

/**
 * Server-side facts added to a valid message: a messageId when the client sent none, and a
 * timestamp corrected for the client's clock skew the way Segment does it:
 * timestamp = receivedAt − (sentAt − originalTimestamp).
 *
 * Time policy (MoEngage refuses events dated in the future): a timestamp after the moment the
 * collector received the message cannot be true, so it is clamped to that moment and noted; one
 * before 2000-01-01 is dropped with reason `timestamp_out_of_range`.
 */
export function enrich(message: Message, receivedAt: number, batchSentAt?: string): Enriched {
  const notes: Omission[] = [];
  const sentAt = message.sentAt ?? batchSentAt;
  const original = message.timestamp ?? message.originalTimestamp;
  let at = receivedAt;
  let drop: Enriched['drop'];
  if (original) {
    const originalMs = Date.parse(original);
    const skew = sentAt ? Date.parse(sentAt) - originalMs : NaN;
    const corrected = receivedAt - Math.max(0, skew);
    // A nonsense sentAt (far ahead of the event) would push the corrected time into the past; trust the event's own time then.
    at = Number.isFinite(skew) && corrected >= EARLIEST_EVENT_MS ? corrected : originalMs;
    if (at > receivedAt) {
      notes.push({
        reason: 'timestamp_clamped',
        detail: `timestamp ${original} is later than the collector received the message; MoEngage refuses future-dated events, so it is sent as ${new Date(receivedAt).toISOString()}`,
      });
      at = receivedAt;
    }
    if (at < EARLIEST_EVENT_MS) {
      drop = { reason: 'timestamp_out_of_range', detail: `timestamp ${original} is before 2000-01-01` };
    }
  }
  return {
    message: {
      ...message,
      messageId: message.messageId ?? crypto.randomUUID(),
      timestamp: new Date(at).toISOString(),
      ...(original ? { originalTimestamp: original } : {}),
    } as Message,
    notes,
    ...(drop ? { drop } : {}),
  };
}
