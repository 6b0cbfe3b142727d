import type { IngestRecord } from './record';

/**
 * Pure: which queue shard of a connection a message goes to, and how shards are named.
 *
 * Shard 0 keeps the name queues had before sharding (the connection's id), so a deployment that
 * turns sharding on keeps draining the queue it already has. Shard i > 0 is `<id>#<i>`: connection
 * ids never contain `#` (config/connections.ts), so a name splits back without ambiguity.
 *
 * A message is routed by its visitor (`anonymousId ?? userId`; an `alias` by `previousId`), so a
 * visitor's held events, identity links and messageId dedupe stay in one shard and a retried batch
 * lands where the first one did. Jump consistent hashing (Lamping & Veach, 2014) moves as few
 * visitors as possible when the count changes: raising N from 4 to 8 moves half of them, not 7/8.
 */

export function queueName(connection: string, shard: number): string {
  return shard === 0 ? connection : `${connection}#${shard}`;
}

/** The connection and shard a queue name stands for (a name without `#` is shard 0). */
export function parseQueueName(name: string): { connection: string; shard: number } {
  const at = name.lastIndexOf('#');
  if (at === -1) return { connection: name, shard: 0 };
  const shard = Number(name.slice(at + 1));
  return Number.isSafeInteger(shard) && shard > 0 ? { connection: name.slice(0, at), shard } : { connection: name, shard: 0 };
}

/** The key a message is routed by: its visitor, or its messageId when it names none. */
export function routingKey(record: Pick<IngestRecord, 'type' | 'anonymousId' | 'userId' | 'messageId' | 'raw'>): string {
  if (record.type === 'alias') {
    const previousId = (record.raw as { previousId?: unknown } | null)?.previousId;
    if (typeof previousId === 'string' && previousId !== '') return previousId;
  }
  return record.anonymousId ?? record.userId ?? record.messageId;
}

/** Shard in [0, shards) for a key: FNV-1a 64 of its UTF-8, then jump consistent hashing. */
export function shardOf(key: string, shards: number): number {
  if (shards <= 1) return 0;
  let h = fnv1a64(key);
  let b = -1;
  let j = 0;
  while (j < shards) {
    b = j;
    h = (h * 2862933555777941757n + 1n) & MASK_64;
    j = Math.floor(((b + 1) * 2 ** 31) / (Number(h >> 33n) + 1));
  }
  return b;
}

const MASK_64 = (1n << 64n) - 1n;

function fnv1a64(key: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(key)) {
    h ^= BigInt(byte);
    h = (h * 0x100000001b3n) & MASK_64;
  }
  return h;
}

/** Records grouped by shard (only the shards that get some), each group in the batch's order. */
export function splitByShard<R extends Pick<IngestRecord, 'type' | 'anonymousId' | 'userId' | 'messageId' | 'raw'>>(records: readonly R[], shards: number): Map<number, R[]> {
  const parts = new Map<number, R[]>();
  for (const r of records) {
    const shard = shardOf(routingKey(r), shards);
    const part = parts.get(shard);
    if (part) part.push(r);
    else parts.set(shard, [r]);
  }
  return parts;
}
