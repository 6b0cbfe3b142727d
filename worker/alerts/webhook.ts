/**
 * Alert webhooks: one POST (never throws), the retry plan, and how a webhook is named where it may
 * be seen. A webhook URL is a secret (whoever has a Slack URL can post to the channel): it is read
 * from the settings when sending and nowhere else; storage keeps a fingerprint, the debugger and the
 * API show the host only.
 */

import { boundedPost } from '../http/boundedPost';

export interface WebhookResult {
  /** 0 when no HTTP answer came (network error, timeout). */
  status: number;
  durationMs: number;
  /** Why it failed, in our words or the receiver's (first 200 characters of its answer). */
  error: string | null;
  retryAfterMs?: number;
}

export const WEBHOOK_TIMEOUT_MS = 10_000;

export async function postAlert(url: string, body: unknown): Promise<WebhookResult> {
  const started = Date.now();
  try {
    // No redirects, one deadline, a bounded body: a receiver's answer cannot hold or flood us.
    const response = await boundedPost(url, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }, { timeoutMs: WEBHOOK_TIMEOUT_MS, keepBytes: 1024 });
    const text = response.text.slice(0, 200);
    const ok = response.status >= 200 && response.status < 300;
    const retryAfter = Number(response.headers.get('retry-after'));
    return {
      status: response.status,
      durationMs: Date.now() - started,
      error: ok ? null : `HTTP ${response.status}${text ? ` ${text}` : ''}`,
      ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
    };
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    return { status: 0, durationMs: Date.now() - started, error: name === 'TimeoutError' ? `no answer within ${WEBHOOK_TIMEOUT_MS / 1000} s` : `${name}: the webhook could not be reached` };
  }
}

/** Waits before attempts 2, 3, …: a webhook that is down for an hour still gets the alert. */
export const WEBHOOK_BACKOFF_MS = [10_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_200_000, 1_800_000] as const;

/**
 * After a failed attempt (`attempts` made so far): when to try again, or null to give up. A 4xx
 * other than 408/429 will not change by retrying (a revoked Slack hook answers 404 `no_service`,
 * an archived channel 410), so it is final at once; so is a redirect, which is never followed (the
 * alert would go to a host nobody configured).
 */
export function nextAttemptAt(result: WebhookResult, attempts: number, now: number): number | null {
  const final = result.status >= 300 && result.status < 500 && result.status !== 408 && result.status !== 429;
  if (final || attempts > WEBHOOK_BACKOFF_MS.length) return null;
  const wait: number = WEBHOOK_BACKOFF_MS[Math.min(attempts, WEBHOOK_BACKOFF_MS.length) - 1] ?? 0;
  return now + Math.min(3_600_000, Math.max(wait, result.retryAfterMs ?? 0));
}

/** What may be shown of a webhook: its host. */
export function webhookHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid URL)';
  }
}

/** A stable name for a webhook that reveals nothing of it (truncated SHA-256). */
export async function webhookFingerprint(url: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(url));
  return [...new Uint8Array(digest)]
    .slice(0, 12)
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('');
}
