import type { Message } from '../../shared/message';

/**
 * Server-side facts added to a valid message: a messageId when the client sent none, and a
 * timestamp corrected for the client's clock skew the way Segment does it:
 * timestamp = receivedAt − (sentAt − originalTimestamp).
 */
export function enrich(message: Message, receivedAt: number, batchSentAt?: string): Message {
  const sentAt = message.sentAt ?? batchSentAt;
  const original = message.timestamp ?? message.originalTimestamp;
  let timestamp = new Date(receivedAt).toISOString();
  if (original) {
    const skew = sentAt ? Date.parse(sentAt) - Date.parse(original) : NaN;
    timestamp = Number.isFinite(skew) ? new Date(receivedAt - Math.max(0, skew)).toISOString() : new Date(original).toISOString();
  }
  return {
    ...message,
    messageId: message.messageId ?? crypto.randomUUID(),
    timestamp,
    ...(original ? { originalTimestamp: original } : {}),
  } as Message;
}
