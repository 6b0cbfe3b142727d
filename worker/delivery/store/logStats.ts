import { EVENT_STATUSES } from '../eventFilter';
import type { EventStatus, LogStats, MinuteStats } from '../logViews';

/**
 * Counts over one queue's log for the debugger's stats (runs inside the Durable Object). Every
 * query is a range on an index of schema.ts: counts per status read events_by_status_received
 * alone; per-minute outcomes read events_by_update; MoEngage throughput reads attempts_by_time.
 */

export const MINUTE_MS = 60_000;

const REASON_STATUSES = ['dropped', 'dead', 'paused', 'retrying'] as const;

export function logStats(sql: SqlStorage, since: number, seriesSince: number, now: number): LogStats {
  const byStatus = Object.fromEntries(
    EVENT_STATUSES.map((status) => [status, sql.exec<{ n: number }>('SELECT count(*) AS n FROM events WHERE status = ? AND received_at >= ?', status, since).one().n]),
  ) as Record<EventStatus, number>;

  const byReason = REASON_STATUSES.flatMap((status) =>
    sql
      .exec<{ reason: string | null; n: number }>('SELECT reason, count(*) AS n FROM events WHERE status = ? AND received_at >= ? GROUP BY reason', status, since)
      .toArray()
      .map((r) => ({ status, reason: r.reason ?? '(none)', count: r.n })),
  ).sort((a, b) => b.count - a.count);

  const first = Math.floor(seriesSince / MINUTE_MS) * MINUTE_MS;
  const minutes = new Map<number, MinuteStats>();
  for (let m = first; m <= now; m += MINUTE_MS) {
    minutes.set(m, { minute: m, received: 0, delivered: 0, dropped: 0, dead: 0, moengage: { events: 0, customers: 0, merges: 0, requests: 0, failedRequests: 0 } });
  }
  const at = (epochMinute: number) => minutes.get(epochMinute * MINUTE_MS);

  for (const r of sql.exec<{ m: number; n: number }>('SELECT received_at / 60000 AS m, count(*) AS n FROM events WHERE received_at >= ? GROUP BY m', first)) {
    const slot = at(r.m);
    if (slot) slot.received = r.n;
  }
  for (const status of ['delivered', 'dropped', 'dead'] as const) {
    for (const r of sql.exec<{ m: number; n: number }>('SELECT updated_at / 60000 AS m, count(*) AS n FROM events WHERE status = ? AND updated_at >= ? GROUP BY m', status, first)) {
      const slot = at(r.m);
      if (slot) slot[status] = r.n;
    }
  }
  for (const r of sql.exec<{ m: number; ok: number; e: number; c: number; g: number; n: number }>(
    `SELECT at / 60000 AS m, sum(status BETWEEN 200 AND 299) AS ok,
       sum(CASE WHEN status BETWEEN 200 AND 299 THEN unit_events ELSE 0 END) AS e,
       sum(CASE WHEN status BETWEEN 200 AND 299 THEN unit_customers ELSE 0 END) AS c,
       sum(CASE WHEN status BETWEEN 200 AND 299 THEN unit_merges ELSE 0 END) AS g,
       count(*) AS n
     FROM attempts WHERE at >= ? AND error IS NOT 'in flight' GROUP BY m`,
    first,
  )) {
    const slot = at(r.m);
    if (slot) slot.moengage = { events: r.e, customers: r.c, merges: r.g, requests: r.ok, failedRequests: r.n - r.ok };
  }
  return { byStatus, byReason, perMinute: [...minutes.values()] };
}
