import type { Config } from '../config/config';
import type { Env } from '../env';
import { corsHeaders } from '../http/cors';
import { HttpError } from '../http/HttpError';
import type { VisitorSegment } from './SegmentStore';
import { shardName, shardOf } from './shard';
import { verifyUserHash } from './userHash';

export interface VisitorSegments {
  segments: VisitorSegment[];
}

export const CACHE_NAME = 'edgetag-segments';

/** The edge copy of one visitor's answer: keyed by the verified hash (never the user id in clear); a rotated secret means new keys. */
export function segmentsCacheKey(hash: string, base: string): string {
  return new URL(`/v1/segments/cache/${hash.toLowerCase()}`, base).href;
}

/**
 * `GET /v1/segments?user_id=…&user_hash=…`: the segments of the signed-in visitor, for the site to
 * personalise. Only answers for a userId vouched for by the site's backend (userHash.ts); the
 * answer is `private` and the edge copy is keyed by the verified hash, so it is served only to a
 * holder of that proof. docs/segments.md "Read API" has the threat model.
 */
export async function readVisitorSegments(request: Request, env: Env, ctx: ExecutionContext, config: Config): Promise<Response> {
  const cors = corsHeaders(request, config);
  const settings = config.segments;
  try {
    if (!settings.identitySecret) {
      throw new HttpError(503, 'segments_read_disabled', 'set SEGMENTS_IDENTITY_SECRET (shared with your site backend) to serve segments to visitors');
    }
    const query = new URL(request.url).searchParams;
    const userId = query.get('user_id') ?? '';
    const hash = query.get('user_hash') ?? '';
    if (!userId || !hash) {
      throw new HttpError(400, 'missing_identity', 'send user_id and user_hash (hex HMAC-SHA256 of user_id with SEGMENTS_IDENTITY_SECRET, computed by your backend)');
    }
    if (!(await verifyUserHash(settings.identitySecret, userId, hash))) {
      throw new HttpError(403, 'invalid_user_hash', 'user_hash does not vouch for this user_id');
    }

    const headers = { ...cors, 'cache-control': settings.cacheSeconds ? `private, max-age=${settings.cacheSeconds}` : 'no-store' };
    const cache = settings.cacheSeconds ? await caches.open(CACHE_NAME) : undefined;
    const cacheKey = segmentsCacheKey(hash, request.url);
    const cached = await cache?.match(cacheKey);
    if (cached) return new Response(cached.body, { headers: { ...headers, 'content-type': 'application/json', 'x-edgetag-cache': 'hit' } });

    const all = await env.SEGMENT_STORE.getByName(shardName(shardOf(userId))).segmentsOf(userId);
    const visible = settings.visible;
    const body: VisitorSegments = { segments: visible ? all.filter((s) => visible.includes(s.name) || visible.includes(s.id)) : all };
    if (cache) {
      const copy = Response.json(body, { headers: { 'cache-control': `max-age=${settings.cacheSeconds}` } });
      ctx.waitUntil(cache.put(cacheKey, copy).catch(() => {}));
    }
    return Response.json(body, { headers: { ...headers, 'x-edgetag-cache': 'miss' } });
  } catch (error) {
    if (error instanceof HttpError) return error.toResponse({ ...cors, 'cache-control': 'no-store' });
    throw error;
  }
}
