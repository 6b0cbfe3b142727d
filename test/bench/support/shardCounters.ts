/**
 * Per-shard counters from the collector's `GET /healthz`, for the bench's per-shard request rates.
 * Expected once queues are sharded: each connection lists its shards,
 *   connections[].shards[] = { shard: string | number, eventsReceived: number, requestsReceived?: number, … }
 * (`requestsReceived`: enqueue calls the shard took; without it the bench reports events only).
 * Returns null while /healthz lists no shards: then the bench says so, and reports no per-shard numbers.
 */
export interface ShardCounter {
  connection: string;
  shard: string;
  eventsReceived: number;
  requestsReceived: number | null;
}

type Json = Record<string, unknown>;
const count = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function shardCountersOf(healthz: unknown): ShardCounter[] | null {
  const connections = (healthz as { connections?: unknown } | null)?.connections;
  if (!Array.isArray(connections)) return null;
  const counters: ShardCounter[] = [];
  let listed = false;
  for (const c of connections as Json[]) {
    if (!Array.isArray(c.shards)) continue;
    listed = true;
    (c.shards as Json[]).forEach((s, i) => {
      const events = count(s.eventsReceived);
      if (events === null) throw new Error(`/healthz lists shards without a numeric eventsReceived (${JSON.stringify(s).slice(0, 200)}): update test/bench/support/shardCounters.ts to the shape it has`);
      counters.push({ connection: String(c.connection), shard: String(s.shard ?? s.id ?? i), eventsReceived: events, requestsReceived: count(s.requestsReceived) });
    });
  }
  return listed ? counters : null;
}

export async function readShardCounters(url: string): Promise<ShardCounter[] | null> {
  const res = await fetch(`${url}/healthz`);
  if (!res.ok) throw new Error(`/healthz answered ${res.status}`);
  return shardCountersOf(await res.json());
}

/** Per-shard rates between two readings `seconds` apart. */
export function shardRates(before: ShardCounter[], after: ShardCounter[], seconds: number): { connection: string; shard: string; eventsPerSecond: number; requestsPerSecond: number | null }[] {
  return after.map((a) => {
    const b = before.find((x) => x.connection === a.connection && x.shard === a.shard);
    const requests = a.requestsReceived === null ? null : (a.requestsReceived - (b?.requestsReceived ?? 0)) / seconds;
    return { connection: a.connection, shard: a.shard, eventsPerSecond: (a.eventsReceived - (b?.eventsReceived ?? 0)) / seconds, requestsPerSecond: requests };
  });
}
