/**
 * What a page of a segment sync says, as a digest: SHA-256 over its sorted add and remove lists.
 * A page is applied once per (sync, execution, page number, content): MoEngage's retry of a page is
 * the same content and a no-op, while a page that reuses a number with other users (MoEngage has
 * been seen repeating `page_count` within an execution) is applied, not silently lost.
 */
export async function pageContentHash(add: readonly string[], remove: readonly string[]): Promise<string> {
  // Order-insensitive: the same users listed in another order are the same page.
  const canonical = JSON.stringify([[...add].sort(), [...remove].sort()]);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
