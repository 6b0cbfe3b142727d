import type { MoEngageAccount } from './account';
import { authorization } from './endpoints';

/** What one request to MoEngage looked like and how it ended; kept for the debugger (no secrets). */
export interface Exchange {
  url: string;
  body: unknown;
  bytes: number;
  startedAt: number;
  durationMs: number;
  /** 0 when no HTTP answer arrived (network error, timeout). */
  status: number;
  responseBody: unknown;
  requestId?: string;
  retryAfterMs?: number;
  rateLimit?: { limit?: number; remaining?: number; resetSeconds?: number };
  error?: string;
}

const TIMEOUT_MS = 15_000;

/** POSTs one JSON body to MoEngage and reports the exchange; never throws. */
export async function postToMoEngage(connection: MoEngageAccount, url: string, body: unknown): Promise<Exchange> {
  const text = JSON.stringify(body);
  const startedAt = Date.now();
  const base = { url, body, bytes: new TextEncoder().encode(text).byteLength, startedAt };
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: authorization(connection), 'content-type': 'application/json' },
      body: text,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const raw = await response.text();
    const responseBody = parseJson(raw);
    return {
      ...base,
      durationMs: Date.now() - startedAt,
      status: response.status,
      responseBody,
      requestId: requestIdOf(response, responseBody),
      retryAfterMs: retryAfterMs(response.headers.get('retry-after')),
      rateLimit: rateLimitOf(response.headers),
    };
  } catch (error) {
    return {
      ...base,
      durationMs: Date.now() - startedAt,
      status: 0,
      responseBody: null,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function requestIdOf(response: Response, body: unknown): string | undefined {
  const header = response.headers.get('x-request-id') ?? response.headers.get('request_id');
  if (header) return header;
  if (body && typeof body === 'object') {
    const b = body as { request_id?: unknown; error?: { request_id?: unknown } };
    const id = b.request_id ?? b.error?.request_id;
    if (typeof id === 'string') return id;
  }
  return undefined;
}

function retryAfterMs(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function rateLimitOf(headers: Headers): Exchange['rateLimit'] {
  const num = (name: string) => {
    const v = headers.get(name);
    return v == null || v === '' || !Number.isFinite(Number(v)) ? undefined : Number(v);
  };
  const limit = num('x-ratelimit-limit');
  const remaining = num('x-ratelimit-remaining');
  const resetSeconds = num('x-ratelimit-reset');
  return limit === undefined && remaining === undefined && resetSeconds === undefined
    ? undefined
    : { limit, remaining, resetSeconds };
}
