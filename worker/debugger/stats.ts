import { z } from 'zod';
import type { Config } from '../config/config';
import type { Connection } from '../config/connections';
import { EVENT_STATUSES } from '../delivery/eventFilter';
import * as queues from '../delivery/queues';
import { MINUTE_MS } from '../delivery/store/logStats';
import type { Env } from '../env';
import { HttpError } from '../http/HttpError';
import { connectionIds } from './operator';
import type { ConnectionStats, DebuggerStats, EventStatus, LogStats, MinuteStats, QueueHealth } from './views';

type Query = Record<string, string | string[] | undefined>;

const StatsQuery = z.object({
  /** Window of the counts, in minutes back from now (default 1 hour, at most 7 days). */
  minutes: z.coerce.number().int().min(1).max(10_080).default(60),
  /** Minutes of the per-minute series (default 30, at most 3 hours). */
  series: z.coerce.number().int().min(1).max(180).default(30),
  connection: z.string().min(1).optional(),
});

/** GET /debugger/api/stats: counts per status and reason, per-minute outcomes and throughput vs the limit, queue state. */
export async function debuggerStats(env: Env, config: Config, query: Query): Promise<DebuggerStats> {
  const parsed = StatsQuery.safeParse(Object.fromEntries(Object.entries(query).map(([k, v]) => [k, Array.isArray(v) ? v[v.length - 1] : v])));
  if (!parsed.success) {
    throw new HttpError(400, 'invalid_query', 'minutes: 1–10080, series: 1–180, connection: a connection id', parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  }
  const { minutes, series, connection } = parsed.data;
  const now = Date.now();
  const since = now - minutes * MINUTE_MS;
  const seriesSince = now - (series - 1) * MINUTE_MS;
  const ids = connectionIds(config, connection);
  const connections = await Promise.all(
    config.connections
      .filter((c) => ids.includes(c.id))
      .map(async (c) => {
        const { log, health } = await queues.statsOf(env, c, since, seriesSince);
        return connectionStats(c, log, health, now);
      }),
  );
  const misconfigured = config.problems.map((p) => ({ setting: p.setting, problems: p.problems }));
  return {
    window: { minutes, since, until: now },
    byStatus: Object.fromEntries(EVENT_STATUSES.map((s) => [s, connections.reduce((n, c) => n + c.byStatus[s], 0)])) as Record<EventStatus, number>,
    byReason: sumReasons(connections.flatMap((c) => c.byReason)),
    perMinute: sumMinutes(connections.map((c) => c.perMinute)),
    queue: {
      depth: connections.reduce((n, c) => n + c.health.queueDepth, 0),
      inFlight: connections.reduce((n, c) => n + c.health.inFlight, 0),
      deadLettered: connections.reduce((n, c) => n + c.health.deadLettered, 0),
      oldestDeadAgeHours: connections.reduce<number | null>((max, c) => (c.health.deadLetters.oldestAgeHours === null ? max : Math.max(max ?? 0, c.health.deadLetters.oldestAgeHours)), null),
      oldestAgeSeconds: connections.reduce<number | null>((max, c) => (c.health.oldestAgeSeconds === null ? max : Math.max(max ?? 0, c.health.oldestAgeSeconds)), null),
    },
    paused: connections.flatMap((c) => (c.health.paused ? [{ connection: c.connection, ...c.health.paused }] : [])),
    connections,
    ...(misconfigured.length ? { misconfigured } : {}),
  };
}

function connectionStats(c: Connection, log: LogStats, health: QueueHealth, now: number): ConnectionStats {
  // The last 60 s straddle two minute buckets: the current one and a share of the one before.
  const current = log.perMinute[log.perMinute.length - 1];
  const previous = log.perMinute[log.perMinute.length - 2];
  const share = 1 - (now % MINUTE_MS) / MINUTE_MS;
  const lastMinute = (pick: (m: MinuteStats) => number) => Math.round((current ? pick(current) : 0) + (previous ? pick(previous) * share : 0));
  const eventsLastMinute = lastMinute((m) => m.moengage.events);
  return {
    connection: c.id,
    ...log,
    limits: {
      eventsPerMinute: c.eventsPerMinute,
      customerUpdatesPerMinute: c.delivery.customerUpdatesPerMinute,
      mergesPerMinute: c.delivery.mergesPerMinute,
      requestsPerMinute: c.delivery.requestsPerMinute ?? null,
    },
    rate: {
      eventsLastMinute,
      customersLastMinute: lastMinute((m) => m.moengage.customers),
      percentOfEventsLimit: Math.round((eventsLastMinute / c.eventsPerMinute) * 1000) / 10,
    },
    health,
  };
}

function sumReasons(rows: { status: EventStatus; reason: string; count: number }[]) {
  const total = new Map<string, { status: EventStatus; reason: string; count: number }>();
  for (const r of rows) {
    const key = `${r.status}\u0000${r.reason}`;
    const t = total.get(key);
    if (t) t.count += r.count;
    else total.set(key, { ...r });
  }
  return [...total.values()].sort((a, b) => b.count - a.count);
}

function sumMinutes(series: MinuteStats[][]): MinuteStats[] {
  const total = new Map<number, MinuteStats>();
  for (const list of series) {
    for (const m of list) {
      const t = total.get(m.minute);
      if (!t) {
        total.set(m.minute, structuredClone(m));
        continue;
      }
      t.received += m.received;
      t.delivered += m.delivered;
      t.dropped += m.dropped;
      t.dead += m.dead;
      for (const k of ['events', 'customers', 'merges', 'requests', 'failedRequests'] as const) t.moengage[k] += m.moengage[k];
    }
  }
  return [...total.values()].sort((a, b) => a.minute - b.minute);
}
