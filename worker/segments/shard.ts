/**
 * Membership is spread over a fixed number of SegmentStore shards by a hash of the user id, so the
 * site's read (`GET /v1/segments`, one per identified page view) touches exactly one Durable Object,
 * and a 10,000-user page is written by SHARD_COUNT objects in parallel. docs/segments.md "Sharding".
 *
 * Changing SHARD_COUNT moves users to other shards: it is a data migration (every segment needs a
 * "Resync All Users" afterwards), which is why it is a constant and not a setting.
 */
export const SHARD_COUNT = 16;

/** FNV-1a (32-bit) over UTF-16 code units: fast, dependency-free and stable across releases. */
export function shardOf(userId: string, shards = SHARD_COUNT): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < userId.length; i++) {
    hash ^= userId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

/** The Durable Object name of a shard. */
export function shardName(shard: number): string {
  return `shard-${String(shard).padStart(2, '0')}`;
}

/** Splits user ids by shard; every shard gets an entry (possibly empty) so callers can address all. */
export function partition(userIds: readonly string[], shards = SHARD_COUNT): string[][] {
  const parts: string[][] = Array.from({ length: shards }, () => []);
  for (const id of userIds) parts[shardOf(id, shards)]!.push(id);
  return parts;
}
