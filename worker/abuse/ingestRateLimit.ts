import type { Config } from '../config/config';
import type { Env } from '../env';
import type { RateDecision } from './slidingWindow';

/**
 * The three ingest counters: requests per client address, per write key (the key's budget) and per
 * write key *and* address (each address's share once the key is over budget, see writeKeyBudget.ts).
 */
export type RateDimension = 'ip' | 'writeKey' | 'share';

const WINDOW_MS = 60_000;
/** Counters are spread over this many RateLimiter instances per dimension. */
const SHARDS = 16;
export const ALLOWED: RateDecision = { allowed: true, retryAfterSeconds: 0, firstRefusal: false };

const LIMITS: Record<RateDimension, (config: Config) => number> = {
  ip: (c) => c.ingestRatePerIp,
  writeKey: (c) => c.ingestRatePerWriteKey,
  share: (c) => c.ingestRateSharePerIp,
};

function bindingOf(dimension: RateDimension, env: Env): RateLimit | undefined {
  if (dimension === 'ip') return env.INGEST_IP_RATE_LIMIT;
  if (dimension === 'writeKey') return env.INGEST_WRITE_KEY_RATE_LIMIT;
  return env.INGEST_SHARE_RATE_LIMIT;
}

/**
 * Counts one request against a dimension's limit (requests per minute). `0` in the setting turns the
 * dimension off, bound or not (benchmarks rely on it). Otherwise a Cloudflare rate limiting binding
 * decides where one is bound (wrangler.toml `[[ratelimits]]`: no extra round trip, counted per
 * Cloudflare location, limit and period from wrangler.toml), and the RateLimiter Durable Object
 * counts exactly where none is.
 */
export async function limitIngest(dimension: RateDimension, key: string, env: Env, config: Config): Promise<RateDecision> {
  const limit = LIMITS[dimension](config);
  if (limit === 0) return ALLOWED;
  const binding = bindingOf(dimension, env);
  if (binding) {
    const { success } = await binding.limit({ key });
    // The binding does not say when its window turns; its longest period is 60 s.
    return success ? ALLOWED : { allowed: false, retryAfterSeconds: 60, firstRefusal: firstRefusalHere(`${dimension}:${key}`) };
  }
  if (!env.RATE_LIMITER) return ALLOWED;
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
