/**
 * Sharded queues (delivery/queues.ts, shardRouting.ts): a connection's events spread over N queue
 * Durable Objects by visitor, the debugger and /healthz see them as one, a batch spanning shards is
 * answered 200 only when every shard stored its part, and the queue of today's naming keeps draining.
 */
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queueName } from '../../worker/delivery/shardRouting';
import { fetchWith, ingestRequest } from '../worker/support/configured';
import { cleanup, DEBUGGER_TOKEN, deliveredIds, drain, enqueue, installSandbox, queue, startClock, T0, trackRecord } from './support/harness';

const SHARDS = 4;
const shardNames = (connection: string, n = 8) => Array.from({ length: n }, (_, i) => queueName(connection, i));

/** The test connections with some of them sharded (as a deploy with `shards` set would read them). */
function sharded(counts: Record<string, number>): Record<string, string> {
  const entries = JSON.parse(env.MOENGAGE_CONNECTIONS as string) as { id: string }[];
  return { MOENGAGE_CONNECTIONS: JSON.stringify(entries.map((e) => (counts[e.id] ? { ...e, shards: counts[e.id] } : e))) };
}

const track = (messageId: string, anonymousId: string) => ({
  type: 'track',
  messageId,
  anonymousId,
  userId: `u-${anonymousId}`,
  event: 'Product Viewed',
  properties: { sku: messageId },
  timestamp: new Date(T0).toISOString(),
});

/** The messageIds a queue shard stored, as its log lists them (the read writes staged rows first). */
async function messageIdsIn(name: string): Promise<string[]> {
  const events = (await queue(name).listEvents(name, {}, null, 1_000)) as { messageId: string }[];
  return events.map((e) => e.messageId).sort();
}

function debuggerGet(settings: Record<string, string>, path: string): Promise<Response> {
  return fetchWith(settings, new Request(`http://collector.test${path}`, { headers: { authorization: `Bearer ${DEBUGGER_TOKEN}` } }));
}

beforeEach(() => startClock());
afterEach(async () => {
  for (const name of [...shardNames('main'), ...shardNames('tiny')].filter((n) => n.includes('#'))) {
    await runInDurableObject(queue(name), async (_i, state) => {
      await state.storage.deleteAlarm();
      await state.storage.deleteAll();
    });
  }
  await cleanup();
});

describe('sharded queues per connection', () => {
  it('spreads a batch over the shards by visitor: each visitor in one shard, every event delivered once', async () => {
    const { sandbox } = installSandbox();
    const settings = sharded({ main: SHARDS });
    // 18 events: the "tiny" connection, which gets them too, holds at most 20 waiting.
    const batch = Array.from({ length: 18 }, (_, i) => track(`s-${String(i).padStart(2, '0')}`, `anon-${i % 9}`));
    const res = await fetchWith(settings, ingestRequest('/v1/batch', { batch }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 18, duplicates: 0 });

    const stored = await Promise.all(shardNames('main', SHARDS).map(messageIdsIn));
    expect(stored.flat().sort()).toEqual(batch.map((m) => m.messageId).sort());
    expect(stored.filter((ids) => ids.length > 0).length).toBeGreaterThan(1);
    for (let v = 0; v < 9; v++) {
      const holding = stored.filter((ids) => ids.some((id) => Number(id.slice(2)) % 9 === v));
      expect(holding).toHaveLength(1);
    }
    // A retried batch lands where the first one did, so every shard deduplicates its part.
    expect(await (await fetchWith(settings, ingestRequest('/v1/batch', { batch }))).json()).toMatchObject({ accepted: 0, duplicates: 18 });

    await drain(shardNames('main', SHARDS));
    expect(deliveredIds(sandbox, 'main').sort()).toEqual(batch.map((m) => m.messageId).sort());
  });

  it('keeps draining the queue of the unsharded naming after the upgrade (it is shard 0)', async () => {
    const { sandbox } = installSandbox();
    // Stored by the release before shards: one DeliveryQueue named by the connection's id.
    await enqueue('main', ['old-1', 'old-2', 'old-3'].map((id) => trackRecord('u-old', { id })));
    const settings = sharded({ main: SHARDS });
    const fresh = Array.from({ length: 12 }, (_, i) => track(`new-${i}`, `anon-${i}`));
    expect((await fetchWith(settings, ingestRequest('/v1/batch', { batch: fresh }))).status).toBe(200);

    const health = (await (await fetchWith(settings, new Request('http://collector.test/healthz'))).json()) as {
      connections: { connection: string; queueDepth: number; shards?: { shard: number; queue: string; queueDepth: number; events: number; status: string; oldestAgeSeconds: number | null }[] }[];
    };
    const main = health.connections.find((c) => c.connection === 'main')!;
    expect(main.queueDepth).toBe(15);
    expect(main.shards?.map((s) => s.queue)).toEqual(shardNames('main', SHARDS));
    expect(main.shards?.reduce((n, s) => n + s.queueDepth, 0)).toBe(15);
    expect(main.shards?.[0]?.queueDepth).toBeGreaterThanOrEqual(3);
    expect(main.shards?.every((s) => s.status === 'ok' && s.events === s.queueDepth)).toBe(true);

    await drain(shardNames('main', SHARDS));
    expect(deliveredIds(sandbox, 'main').sort()).toEqual(['old-1', 'old-2', 'old-3', ...fresh.map((m) => m.messageId)].sort());
  });

  it('answers 503 when one shard refuses its part, and the retry delivers each event exactly once', async () => {
    const { sandbox } = installSandbox();
    const settings = sharded({ tiny: 2 });
    // tiny holds at most 20 waiting events per queue: fill shard 1 so that it refuses.
    await enqueue(queueName('tiny', 1), Array.from({ length: 20 }, (_, i) => trackRecord('u-full', { id: `full-${i}` })));
    const batch = Array.from({ length: 16 }, (_, i) => track(`b-${i}`, `visitor-${i}`));
    const res = await fetchWith(settings, ingestRequest('/v1/batch', { batch }));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('60');
    expect(((await res.json()) as { error: string }).error).toBe('backlog_full');
    const [first, second] = await Promise.all(shardNames('tiny', 2).map(messageIdsIn));
    expect(first!.length).toBeGreaterThan(0); // shard 0 stored its part
    expect(second!.filter((id) => id.startsWith('b-'))).toEqual([]);

    await drain(shardNames('tiny', 2));
    const retry = await fetchWith(settings, ingestRequest('/v1/batch', { batch }));
    expect(retry.status).toBe(200);
    // Shard 0 (and every unsharded connection) had its part: the retry stores only shard 1's.
    const stillThere = await messageIdsIn(queueName('tiny', 0));
    expect(stillThere.filter((id) => id.startsWith('b-')).sort()).toEqual(first!.filter((id) => id.startsWith('b-')).sort());
    expect((await messageIdsIn(queueName('tiny', 1))).filter((id) => id.startsWith('b-')).length).toBe(16 - first!.length);
    await drain(shardNames('tiny', 2));
    const delivered = deliveredIds(sandbox, 'tiny').filter((id) => id.startsWith('b-'));
    expect(delivered.sort()).toEqual(batch.map((m) => m.messageId).sort());
  });

  it('lists, pages, finds and counts events across shards with exact cursors', async () => {
    installSandbox();
    const settings = sharded({ main: SHARDS });
    const batch = Array.from({ length: 18 }, (_, i) => track(`p-${String(i).padStart(2, '0')}`, `anon-${i % 9}`));
    // Twelve at one received time, six later: ties are broken by queue, then messageId.
    expect((await fetchWith(settings, ingestRequest('/v1/batch', { batch: batch.slice(0, 12) }))).status).toBe(200);
    startClock(T0 + 5_000);
    expect((await fetchWith(settings, ingestRequest('/v1/batch', { batch: batch.slice(12) }))).status).toBe(200);

    const seen: { messageId: string; receivedAt: number }[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const res = await debuggerGet(settings, `/debugger/api/events?connection=main&limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { events: { messageId: string; receivedAt: number }[]; nextCursor: string | null };
      seen.push(...body.events);
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    expect(seen.map((e) => e.messageId).sort()).toEqual(batch.map((m) => m.messageId).sort());
    expect(new Set(seen.map((e) => e.messageId)).size).toBe(18);
    for (let i = 1; i < seen.length; i++) expect(seen[i - 1]!.receivedAt).toBeGreaterThanOrEqual(seen[i]!.receivedAt);

    for (const id of ['p-03', 'p-15']) {
      const journey = await debuggerGet(settings, `/debugger/api/events/${id}`);
      expect(journey.status).toBe(200);
      expect(((await journey.json()) as { messageId: string; connection: string }).connection).toBe('main');
    }
    const stats = (await (await debuggerGet(settings, '/debugger/api/stats?connection=main')).json()) as { byStatus: Record<string, number>; queue: { depth: number } };
    expect(stats.byStatus.queued).toBe(18);
    expect(stats.queue.depth).toBe(18);
  });

  it.each([
    { from: 4, to: 2 },
    { from: 2, to: 4 },
  ])('changing N from $from to $to loses nothing: every shard that held events stays listed, read and drained', async ({ from, to }) => {
    const { sandbox } = installSandbox();
    const before = Array.from({ length: 9 }, (_, i) => track(`n-${i}`, `visitor-${i}`));
    expect((await fetchWith(sharded({ main: from }), ingestRequest('/v1/batch', { batch: before }))).status).toBe(200);
    const after = Array.from({ length: 9 }, (_, i) => track(`n2-${i}`, `visitor-${i}`));
    const changed = sharded({ main: to });
    expect((await fetchWith(changed, ingestRequest('/v1/batch', { batch: after }))).status).toBe(200);

    const all = shardNames('main', Math.max(from, to));
    const health = (await (await fetchWith(changed, new Request('http://collector.test/healthz'))).json()) as { connections: { connection: string; queueDepth: number; shards?: { queue: string }[] }[] };
    const main = health.connections.find((c) => c.connection === 'main')!;
    expect(main.shards?.map((s) => s.queue)).toEqual(all);
    expect(main.queueDepth).toBe(18);
    const listed = (await (await debuggerGet(changed, '/debugger/api/events?connection=main&limit=50')).json()) as { events: { messageId: string }[] };
    expect(listed.events.map((e) => e.messageId).sort()).toEqual([...before, ...after].map((m) => m.messageId).sort());
    // New events go only to the shards of the new count.
    const stored = await Promise.all(all.map(messageIdsIn));
    for (let i = to; i < all.length; i++) expect(stored[i]!.filter((id) => id.startsWith('n2-'))).toEqual([]);

    await drain(all);
    expect(deliveredIds(sandbox, 'main').sort()).toEqual([...before, ...after].map((m) => m.messageId).sort());
  });
});
