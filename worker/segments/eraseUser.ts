import type { Env } from '../env';
import { CACHE_NAME, segmentsCacheKey } from './readSegments';
import { shardName, shardOf } from './shard';
import { userHash } from './userHash';

/** Erasure: the user's memberships leave the one shard that holds them (shard.ts); returns how many went. */
export function eraseFromSegments(env: Pick<Env, 'SEGMENT_STORE'>, userId: string): Promise<{ memberships: number }> {
  return env.SEGMENT_STORE.getByName(shardName(shardOf(userId))).eraseUser(userId);
}

/**
 * Erasure: this data center's edge copy of the user's `GET /v1/segments` answer goes too (the Cache
 * API is per data center: copies elsewhere expire within SEGMENTS_CACHE_SECONDS, 30 s by default).
 */
export async function forgetCachedSegments(identitySecret: string | undefined, userId: string, base: string): Promise<void> {
  if (!identitySecret) return;
  await (await caches.open(CACHE_NAME)).delete(segmentsCacheKey(await userHash(identitySecret, userId), base));
}
