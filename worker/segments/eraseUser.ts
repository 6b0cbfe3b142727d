import type { Env } from '../env';
import { shardName, shardOf } from './shard';

/** Erasure: the user's memberships leave the one shard that holds them (shard.ts); returns how many went. */
export function eraseFromSegments(env: Pick<Env, 'SEGMENT_STORE'>, userId: string): Promise<{ memberships: number }> {
  return env.SEGMENT_STORE.getByName(shardName(shardOf(userId))).eraseUser(userId);
}
