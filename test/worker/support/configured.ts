import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import worker from '../../../worker/index';
import type { Env } from '../../../worker/env';
import { basic, WRITE_KEY } from './ingest';
import { assertNoSecrets } from './secrets';

const envs = new Map<string, Env>();

/**
 * The collector's own fetch handler with some settings changed (as `--var` would), for behaviour that
 * depends on configuration: BOT_POLICY, ALLOWED_ORIGINS, rate limits. Same bindings, same storage.
 */
export async function fetchWith(settings: Record<string, unknown>, request: Request): Promise<Response> {
  const id = JSON.stringify(Object.keys(settings).sort().map((k) => [k, typeof settings[k] === 'string' ? settings[k] : k]));
  let configured = envs.get(id);
  if (!configured) envs.set(id, (configured = { ...env, ...settings } as Env));
  const ctx = createExecutionContext();
  const response = await worker.fetch(request as Request<unknown, IncomingRequestCfProperties>, configured, ctx);
  await waitOnExecutionContext(ctx);
  await assertNoSecrets(response, `${request.method} ${new URL(request.url).pathname}`);
  return response;
}

/**
 * wrangler.toml binds Cloudflare's rate limiting bindings (on by default); settings spread with this
 * unbind them, for tests of the RateLimiter Durable Object, the fallback where none is bound.
 */
export const WITHOUT_RATE_BINDINGS = { INGEST_IP_RATE_LIMIT: undefined, INGEST_WRITE_KEY_RATE_LIMIT: undefined, INGEST_SHARE_RATE_LIMIT: undefined };

export function ingestRequest(path: string, body: unknown, headers: Record<string, string> = {}): Request {
  return new Request(`http://collector.test${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: basic(WRITE_KEY), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
