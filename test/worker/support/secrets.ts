import { env } from 'cloudflare:workers';

const settings = env as unknown as Record<string, unknown>;

/**
 * Secret values of the worker tests — every string setting whose name says KEY, TOKEN, SECRET or
 * PASSWORD (so secrets added later are covered too), raw and Basic-encoded as MoEngage gets the Data
 * API key, and the alert webhook URLs. No response, header or console line may ever contain one (SECURITY.md). Write keys are
 * semi-public (they ship in the page's snippet) but are still never echoed back by the API.
 */
export const SECRETS: readonly string[] = [
  ...Object.entries(settings)
    .filter(([name, value]) => /KEY|TOKEN|SECRET|PASSWORD/.test(name) && name !== 'WRITE_KEYS' && typeof value === 'string' && value.length >= 8)
    .map(([, value]) => value as string),
  btoa(`${String(settings.MOENGAGE_WORKSPACE_ID)}:${String(settings.MOENGAGE_DATA_API_KEY)}`),
  // Alert webhooks (a comma list): each URL, and its path, which is what makes it a secret (the host is shown).
  ...String(settings.ALERT_WEBHOOK_URL ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean)
    .flatMap((u) => [u, new URL(u).pathname]),
];
export const WRITE_KEYS: readonly string[] = String(settings.WRITE_KEYS ?? '')
  .split(',')
  .map((k) => k.trim())
  .filter(Boolean);

export function secretsIn(text: string, alsoWriteKeys = false): string[] {
  return [...SECRETS, ...(alsoWriteKeys ? WRITE_KEYS : [])].filter((s) => text.includes(s));
}

/** Throws when a response's status line, headers or body carries a secret (streams are not read). */
export async function assertNoSecrets(response: Response, where: string, alsoWriteKeys = true): Promise<void> {
  const headers = [...response.headers].map(([k, v]) => `${k}: ${v}`).join('\n');
  const streaming = response.headers.get('content-type')?.includes('text/event-stream');
  const body = streaming ? '' : await response.clone().text();
  const found = secretsIn(`${headers}\n${body}`, alsoWriteKeys && !where.startsWith('GET /demo'));
  if (found.length) throw new Error(`${where} answered ${response.status} carrying a secret (${found.map((s) => `${s.slice(0, 3)}…`).join(', ')})`);
}
