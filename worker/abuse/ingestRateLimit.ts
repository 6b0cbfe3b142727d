import type { Config } from '../config/config';
import type { Env } from '../env';
import type { RateDecision } from './slidingWindow';

export type RateDimension = 'ip' | 'writeKey';

const WINDOW_MS = 60_000;
/** Counters are spread over this many RateLimiter instances per dimension. */
const SHARDS = 16;
const ALLOWED: RateDecision = { allowed: true, retryAfterSeconds: 0, firstRefusal: false };

/**
 * Ingest rate limits (requests per minute, per client address and per write key). Where a Cloudflare
 * rate limiting binding is bound (`INGEST_IP_RATE_LIMIT`, `INGEST_WRITE_KEY_RATE_LIMIT` in
 * wrangler.toml `[[ratelimits]]`), it decides: no extra round trip, counted per Cloudflare location,
 * limit and period from wrangler.toml. Otherwise the RateLimiter Durable Object counts exactly, with
 * the limits INGEST_RATE_PER_IP / INGEST_RATE_PER_WRITE_KEY (0 turns a dimension off).
 */
export async function limitIngest(dimension: RateDimension, key: string, env: Env, config: Config): Promise<RateDecision> {
  const binding = dimension === 'ip' ? env.INGEST_IP_RATE_LIMIT : env.INGEST_WRITE_KEY_RATE_LIMIT;
  if (binding) {
    const { success } = await binding.limit({ key });
    // The binding does not say when its window turns; its longest period is 60 s.
    return success ? ALLOWED : { allowed: false, retryAfterSeconds: 60, firstRefusal: firstRefusalHere(`${dimension}:${key}`) };
  }
  const limit = dimension === 'ip' ? config.ingestRatePerIp : config.ingestRatePerWriteKey;
  if (!limit || !env.RATE_LIMITER) return ALLOWED;
  const name = `${dimension}:${shardOf(key)}`;
  return env.RATE_LIMITER.getByName(name).hit(`${dimension}:${key}`, limit, WINDOW_MS);
}

/** Keys the binding refused this minute in this isolate: only the first refusal is logged. */
const refused = new Map<string, number>();
function firstRefusalHere(key: string): boolean {
  const minute = Math.floor(Date.now() / WINDOW_MS);
  if (refused.get(key) === minute) return false;
  if (refused.size > 10_000) refused.clear();
  refused.set(key, minute);
  return true;
}

/** FNV-1a: cheap, stable, and spreads similar keys (neighbouring addresses) over shards. */
export function shardOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % SHARDS;
}
