import type { DeliveryConnection } from '../config/connections';
import type { QueueHealth } from './queueHealth';
import type { ServerWait } from './serverWait';
import type { QueueStats } from './store/queueStore';
import type { Counter, OutageGate, PauseInfo } from './store/meta';

export type { QueueHealth } from './queueHealth';

/** What a queue knows about itself, read by the DeliveryQueue for /healthz and the debugger. */
export interface HealthFacts {
  connection: string;
  /** Its delivery settings, why they cannot be read, or undefined when it is not configured (any more). */
  settings: DeliveryConnection | { setting: string; problems: string[] } | undefined;
  pause: PauseInfo | null;
  stats: QueueStats;
  log: { events: number; oldestReceivedAt: number | null };
  outage: OutageGate | undefined;
  /** The wait MoEngage imposed (a 429, or a quota it said is spent: limiter.ts `serverWait`), null when none. */
  rateLimited: ServerWait | null;
  refused: Counter | undefined;
  expired: Counter | undefined;
  now: number;
}

/** Pure: one queue's health, worst state first. Nothing secret goes in (the pause's fingerprint stays out). */
export function queueHealth(f: HealthFacts): QueueHealth {
  const { now, stats } = f;
  const settings = f.settings && 'delivery' in f.settings ? f.settings.delivery : undefined;
  const misconfigured = f.settings && !('delivery' in f.settings) ? f.settings : undefined;
  const backlogFull = Boolean(settings && stats.waiting >= settings.maxBacklogEvents);
  const rateLimited = f.rateLimited && f.rateLimited.until > now ? f.rateLimited : null;
  const retryingUntil = f.outage && f.outage.until > now ? f.outage.until : null;
  // A wait that holds nothing back (no event waiting) is no state of the connection.
  const holdsBack = rateLimited !== null && stats.waiting > 0;
  const status: QueueHealth['status'] = misconfigured
    ? 'misconfigured'
    : f.pause
      ? 'paused'
      : backlogFull
        ? 'backlog_full'
        : retryingUntil
          ? 'retrying'
          : holdsBack
            ? 'rate_limited'
            : 'ok';
  return {
    connection: f.connection,
    status,
    mode: settings?.mode ?? null,
    packing: settings?.packing ?? null,
    queueDepth: stats.waiting,
    inFlight: stats.inFlight,
    deadLettered: stats.dead,
    oldestAgeSeconds: stats.oldestQueuedAt === null ? null : Math.max(0, Math.round((now - stats.oldestQueuedAt) / 1000)),
    nextAttemptAt: stats.nextAttemptAt,
    paused: f.pause ? { reason: f.pause.reason, detail: f.pause.detail, since: f.pause.since } : null,
    retryingUntil,
    rateLimitedUntil: rateLimited?.until ?? null,
    rateLimited,
    bounds: {
      maxBacklogEvents: settings?.maxBacklogEvents ?? null,
      maxEventAgeHours: settings?.maxEventAgeHours ?? null,
      backlogFull,
      refusedBatches: f.refused ?? { total: 0, lastAt: null },
      expiredEvents: f.expired ?? { total: 0, lastAt: null },
    },
    log: {
      events: f.log.events,
      // The dedupe window in effect: DEBUGGER_RETENTION_HOURS, or less once MAX_LOG_EVENTS trims it.
      oldestAgeHours: f.log.oldestReceivedAt === null ? null : hoursSince(f.log.oldestReceivedAt, now),
      retentionHours: settings?.logRetentionHours ?? null,
      maxEvents: settings?.maxLogEvents ?? null,
    },
    deadLetters: {
      count: stats.dead,
      oldestAgeHours: stats.oldestDeadAt === null ? null : hoursSince(stats.oldestDeadAt, now),
      retentionDays: settings?.deadLetterRetentionDays ?? null,
    },
    storageBytes: stats.storageBytes,
    ...(misconfigured ? { misconfigured: { setting: misconfigured.setting, problems: misconfigured.problems } } : {}),
  };
}

/** Hours from `at` to `now`, to a tenth. */
function hoursSince(at: number, now: number): number {
  return Math.round(((now - at) / 3_600_000) * 10) / 10;
}
