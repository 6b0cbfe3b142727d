/**
 * Who sent a message, as the queue scopes dedupe: a short digest of the write key. A messageId is
 * unique only within its sender (another write key must not be able to pre-claim a key's ids and
 * have its real events answered as duplicates), and the digest keeps the key itself out of the
 * queue's storage and the debugger.
 */
const known = new Map<string, string>();

export async function senderOf(writeKey: string): Promise<string> {
  const cached = known.get(writeKey);
  if (cached) return cached;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`edgetag sender\n${writeKey}`)));
  const tag = [...digest.slice(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join('');
  if (known.size > 100) known.clear();
  known.set(writeKey, tag);
  return tag;
}
