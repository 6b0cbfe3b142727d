/** UTF-8 size of a string (the limits are bytes on the wire). */
export const bytes = (s: string): number => new TextEncoder().encode(s).length;

/**
 * How many of the leading messages make one request of at most `maxCount` messages and
 * `maxBytes` bytes (the envelope and each message's sentAt get a fixed allowance). Always at least
 * one: a single message is never larger than the collector's 32 KB message limit.
 */
export function fits(messages: string[], maxBytes: number, maxCount: number): number {
  let n = 0;
  for (let size = 256; n < messages.length && n < maxCount && (size += bytes(messages[n] as string) + 48) <= maxBytes; ) n++;
  return n || 1;
}
