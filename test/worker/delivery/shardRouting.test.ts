import { describe, expect, it } from 'vitest';
import { parseQueueName, queueName, routingKey, shardOf, splitByShard } from '../../../worker/delivery/shardRouting';

const rec = (over: { type?: string; anonymousId?: string | null; userId?: string | null; messageId?: string; raw?: unknown }) => ({
  type: 'track',
  anonymousId: null,
  userId: null,
  messageId: 'm-1',
  raw: {},
  ...over,
});

describe('queue names', () => {
  it.each([
    ['main', 0, 'main'],
    ['main', 1, 'main#1'],
    ['shop-eu_2', 63, 'shop-eu_2#63'],
  ])('%s shard %i is %s, and reads back', (connection, shard, name) => {
    expect(queueName(connection, shard)).toBe(name);
    expect(parseQueueName(name)).toEqual({ connection, shard });
  });
});

describe('routing key', () => {
  it.each([
    ['the anonymousId first', rec({ anonymousId: 'a1', userId: 'u1' }), 'a1'],
    ['the userId without one', rec({ userId: 'u1' }), 'u1'],
    ['the messageId when neither', rec({ messageId: 'm9' }), 'm9'],
    ['an alias by previousId', rec({ type: 'alias', userId: 'u1', anonymousId: 'a2', raw: { previousId: 'a1' } }), 'a1'],
    ['an alias without previousId like any message', rec({ type: 'alias', userId: 'u1', raw: {} }), 'u1'],
  ])('%s', (_what, record, key) => expect(routingKey(record)).toBe(key));
});

describe('shardOf (jump consistent hash)', () => {
  const keys = Array.from({ length: 4_000 }, (_, i) => `anon-${i}`);
  it('is stable, in range, and one shard takes everything when N = 1', () => {
    for (const k of keys.slice(0, 50)) {
      expect(shardOf(k, 8)).toBe(shardOf(k, 8));
      expect(shardOf(k, 1)).toBe(0);
    }
    expect(keys.every((k) => shardOf(k, 64) >= 0 && shardOf(k, 64) < 64)).toBe(true);
  });
  it('spreads visitors evenly over 8 shards (each within 20 % of an eighth)', () => {
    const counts = new Array(8).fill(0);
    for (const k of keys) counts[shardOf(k, 8)]++;
    for (const c of counts) expect(Math.abs(c - 500)).toBeLessThan(100);
  });
  it('moves only the visitors the new shards take when N grows (4 → 8: about half, none between old shards)', () => {
    let moved = 0;
    for (const k of keys) {
      const before = shardOf(k, 4);
      const after = shardOf(k, 8);
      if (before !== after) {
        moved++;
        expect(after).toBeGreaterThanOrEqual(4);
      }
    }
    expect(moved / keys.length).toBeGreaterThan(0.4);
    expect(moved / keys.length).toBeLessThan(0.6);
  });
  it('splits a batch by shard, keeping each visitor together and the batch order within a shard', () => {
    const records = ['a', 'b', 'a', 'c', 'b', 'a'].map((anon, i) => rec({ anonymousId: anon, messageId: `m${i}` }));
    const parts = splitByShard(records, 4);
    expect([...parts.values()].flat()).toHaveLength(6);
    for (const part of parts.values()) {
      const anons = new Set(part.map((r) => r.anonymousId));
      for (const a of anons) expect(part.filter((r) => r.anonymousId === a).length).toBe(records.filter((r) => r.anonymousId === a).length);
      const order = part.map((r) => Number(r.messageId.slice(1)));
      expect(order).toEqual([...order].sort((x, y) => x - y));
    }
  });
});
