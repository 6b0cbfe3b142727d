import type { LogStats, MinuteStats } from './logViews';
import type { QueueHealth, ShardHealth } from './queueHealth';
import type { ReplayResult } from './store/queueStore';

/**
 * Pure: a connection's view from its queue shards' answers. Counts add up, ages take the oldest,
 * times the latest wait, the state the worst; a connection with one shard reads exactly as before.
 */

const WORST_FIRST: QueueHealth['status'][] = ['misconfigured', 'paused', 'backlog_full', 'retrying', 'rate_limited', 'ok'];

export function mergeHealth(shards: readonly QueueHealth[]): QueueHealth {
  const [first, ...rest] = shards as [QueueHealth, ...QueueHealth[]];
  if (!rest.length) return { ...withoutReceived(first), shards: [shardOf(first, 0)] };
  const sum = (pick: (h: QueueHealth) => number) => shards.reduce((n, h) => n + pick(h), 0);
  const max = (pick: (h: QueueHealth) => number | null) => shards.reduce<number | null>((m, h) => (pick(h) === null ? m : Math.max(m ?? -Infinity, pick(h) as number)), null);
  const min = (pick: (h: QueueHealth) => number | null) => shards.reduce<number | null>((m, h) => (pick(h) === null ? m : Math.min(m ?? Infinity, pick(h) as number)), null);
  const status = WORST_FIRST.find((s) => shards.some((h) => h.status === s)) ?? 'ok';
  const rateLimited = shards.reduce<QueueHealth['rateLimited']>((w, h) => (h.rateLimited && (!w || h.rateLimited.until > w.until) ? h.rateLimited : w), null);
  const oldestLog = max((h) => h.log.oldestAgeHours);
  const refusedLast = max((h) => h.bounds.refusedBatches.lastAt);
  const refusedDetail = shards.find((h) => h.bounds.refusedBatches.lastAt === refusedLast && h.bounds.refusedBatches.detail)?.bounds.refusedBatches.detail;
  return {
    ...withoutReceived(first),
    status,
    queueDepth: sum((h) => h.queueDepth),
    inFlight: sum((h) => h.inFlight),
    deadLettered: sum((h) => h.deadLettered),
    oldestAgeSeconds: max((h) => h.oldestAgeSeconds),
    nextAttemptAt: min((h) => h.nextAttemptAt),
    paused: shards.find((h) => h.paused)?.paused ?? null,
    retryingUntil: max((h) => h.retryingUntil),
    rateLimitedUntil: rateLimited?.until ?? null,
    rateLimited,
    bounds: {
      ...first.bounds,
      backlogFull: shards.some((h) => h.bounds.backlogFull),
      refusedBatches: { total: sum((h) => h.bounds.refusedBatches.total), lastAt: refusedLast, ...(refusedDetail ? { detail: refusedDetail } : {}) },
      expiredEvents: { total: sum((h) => h.bounds.expiredEvents.total), lastAt: max((h) => h.bounds.expiredEvents.lastAt) },
    },
    log: { ...first.log, events: sum((h) => h.log.events), oldestAgeHours: oldestLog },
    deadLetters: { ...first.deadLetters, count: sum((h) => h.deadLetters.count), oldestAgeHours: max((h) => h.deadLetters.oldestAgeHours) },
    storageBytes: sum((h) => h.storageBytes),
    ...(shards.find((h) => h.misconfigured)?.misconfigured ? { misconfigured: shards.find((h) => h.misconfigured)!.misconfigured! } : {}),
    shards: shards.map(shardOf),
  };
}

function withoutReceived(h: QueueHealth): QueueHealth {
  const { received: _shardOnly, queue: _shard0, ...rest } = h;
  return rest;
}

function shardOf(h: QueueHealth, i: number): ShardHealth {
  return {
    shard: i,
    queue: h.queue ?? h.connection,
    status: h.status,
    queueDepth: h.queueDepth,
    oldestAgeSeconds: h.oldestAgeSeconds,
    events: h.log.events,
    eventsReceived: h.received?.events ?? 0,
    requestsReceived: h.received?.requests ?? 0,
    receivedSince: h.received?.since ?? null,
    inFlight: h.inFlight,
    deadLettered: h.deadLettered,
  };
}

export function mergeLogStats(shards: readonly LogStats[]): LogStats {
  const [first, ...rest] = shards as [LogStats, ...LogStats[]];
  if (!rest.length) return first;
  const byStatus = { ...first.byStatus };
  for (const s of rest) for (const [k, v] of Object.entries(s.byStatus)) byStatus[k as keyof typeof byStatus] = (byStatus[k as keyof typeof byStatus] ?? 0) + v;
  const reasons = new Map<string, LogStats['byReason'][number]>();
  for (const r of shards.flatMap((s) => s.byReason)) {
    const key = `${r.status}\u0000${r.reason}`;
    const seen = reasons.get(key);
    reasons.set(key, seen ? { ...seen, count: seen.count + r.count } : { ...r });
  }
  const minutes = new Map<number, MinuteStats>();
  for (const m of shards.flatMap((s) => s.perMinute)) {
    const seen = minutes.get(m.minute);
    minutes.set(m.minute, seen ? addMinutes(seen, m) : structuredClone(m));
  }
  return {
    byStatus,
    byReason: [...reasons.values()].sort((a, b) => b.count - a.count),
    perMinute: [...minutes.values()].sort((a, b) => a.minute - b.minute),
  };
}

function addMinutes(a: MinuteStats, b: MinuteStats): MinuteStats {
  const m = a.moengage;
  const n = b.moengage;
  return {
    minute: a.minute,
    received: a.received + b.received,
    delivered: a.delivered + b.delivered,
    dropped: a.dropped + b.dropped,
    dead: a.dead + b.dead,
    moengage: { events: m.events + n.events, customers: m.customers + n.customers, merges: m.merges + n.merges, requests: m.requests + n.requests, failedRequests: m.failedRequests + n.failedRequests },
  };
}

/** A message lives in one shard: it is skipped only when no shard could replay it. */
export function mergeReplays(shards: readonly (ReplayResult & { resumed: boolean })[]): ReplayResult & { resumed: boolean } {
  const [first, ...rest] = shards as [ReplayResult & { resumed: boolean }, ...(ReplayResult & { resumed: boolean })[]];
  if (!rest.length) return first;
  const skippedEverywhere = first.skipped
    .filter((s) => rest.every((r) => r.skipped.some((t) => t.messageId === s.messageId)))
    .map((s) => ({ messageId: s.messageId, status: shards.map((r) => r.skipped.find((t) => t.messageId === s.messageId)?.status ?? null).find((x) => x !== null) ?? null }));
  return {
    replayed: shards.reduce((n, r) => n + r.replayed, 0),
    paused: shards.reduce((n, r) => n + r.paused, 0),
    skipped: skippedEverywhere,
    resumed: shards.some((r) => r.resumed),
  };
}
