import type { MoEngageAccount } from '../moengage/account';

/**
 * A 401/403/404 pauses the connection (docs/delivery.md "Pause"): nothing is sent until an operator
 * resumes it or its settings change. The pause remembers a fingerprint of the settings it happened
 * with; when the queue later runs with different ones (a new key after `wrangler secret put`
 * redeploys the Worker), it resumes by itself. The fingerprint is a truncated SHA-256 of the
 * settings: it identifies a configuration without revealing the key, and is never shown anyway.
 */
export async function settingsFingerprint(account: MoEngageAccount): Promise<string> {
  const text = JSON.stringify([account.workspaceId, account.dataApiKey, account.dataCenter, account.apiBase ?? '']);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)]
    .slice(0, 16)
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('');
}
