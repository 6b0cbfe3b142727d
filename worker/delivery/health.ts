import type { Config } from '../config/config';
import type { Env } from '../env';

/** One connection's queue as /healthz shows it: counts, times and settings, never a secret. */
export interface QueueHealth {
  connection: string;
  /** Worst first: paused > backlog_full > retrying (MoEngage failing) > rate_limited > ok. */
  status: 'ok' | 'paused' | 'backlog_full' | 'retrying' | 'rate_limited';
  mode: 'realtime' | 'batch' | null;
  packing: 'auto' | 'event' | 'bulk' | null;
  /** Events waiting for delivery (queued, retrying, paused, in flight). */
  queueDepth: number;
  inFlight: number;
  deadLettered: number;
  oldestAgeSeconds: number | null;
  nextAttemptAt: number | null;
  paused: { reason: string; detail: string; since: number } | null;
  retryingUntil: number | null;
  rateLimitedUntil: number | null;
  bounds: {
    maxBacklogEvents: number | null;
    maxEventAgeHours: number | null;
    backlogFull: boolean;
    /** Batches answered 503 backlog_full (the client kept and retried them). */
    refusedBatches: { total: number; lastAt: number | null; detail?: string };
    /** Events dead-lettered for waiting longer than maxEventAgeHours. */
    expiredEvents: { total: number; lastAt: number | null };
  };
  /** The event log (debugger history and dedupe window): rows, age of the oldest, bounds. */
  log: { events: number; oldestAgeHours: number | null; retentionDays: number | null; maxEvents: number | null };
  storageBytes: number;
}

export interface Healthz {
  ok: true;
  /** `degraded` when any connection is not `ok`: the collector still accepts and stores events. */
  status: 'ok' | 'degraded';
  connections: QueueHealth[];
}

/**
 * GET /healthz: the collector answers (200) as long as it can store events; each connection's
 * queue says whether delivery is healthy. A load balancer should look at the HTTP status, an
 * operator at `status` and `connections[]`.
 */
export async function healthz(env: Env, config: Config): Promise<Healthz> {
  const connections = await Promise.all(config.connections.map((c) => env.DELIVERY_QUEUE.getByName(c.id).health(c.id)));
  return { ok: true, status: connections.every((c) => c.status === 'ok') ? 'ok' : 'degraded', connections };
}
