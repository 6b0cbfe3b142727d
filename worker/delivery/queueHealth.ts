/* A plain shape (no runtime imports), so the debugger page can type what /healthz and the stats show. */

/** One connection's queue as /healthz shows it: counts, times and settings, never a secret. */
export interface QueueHealth {
  connection: string;
  /** The queue shard that answered, when it is not shard 0 (named `<connection>#<i>`). */
  queue?: string;
  /** Each of the connection's queue shards, in /healthz and the stats (the fields above are their sum). */
  shards?: ShardHealth[];
  /** What this queue object took since it started (in memory: a restart or deploy starts it again). */
  received?: { events: number; requests: number; since: number };
  /** Worst first: misconfigured > paused > backlog_full > retrying (MoEngage failing) > rate_limited > ok. */
  status: 'ok' | 'misconfigured' | 'paused' | 'backlog_full' | 'retrying' | 'rate_limited';
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
  /** The end of the wait MoEngage imposed (a 429, or a quota it said is spent; never more than 60 s ahead). */
  rateLimitedUntil: number | null;
  /**
   * That wait and which header imposed it (`retry-after`, `x-ratelimit-reset`, `x-ratelimit-remaining`,
   * or `backoff` for a 429 that named no usable time), its value as sent, and what it asked for when
   * that was longer than edgetag waits on one answer's word (delivery/serverWait.ts).
   */
  rateLimited: { until: number; header: string; value: string; claimedUntil?: number } | null;
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
  log: { events: number; oldestAgeHours: number | null; retentionHours: number | null; maxEvents: number | null };
  /** Dead letters: kept until replayed or purged, at most DEAD_LETTER_RETENTION_DAYS after they died. */
  deadLetters: { count: number; oldestAgeHours: number | null; retentionDays: number | null };
  storageBytes: number;
  /** This connection's own settings are malformed (named, never their values): its events wait, stored, until they are fixed. */
  misconfigured?: { setting: string; problems: string[] };
}

/** One queue shard of a connection, as /healthz and the stats list it. */
export interface ShardHealth {
  shard: number;
  /** The Durable Object's name: the connection's id for shard 0, `<id>#<i>` for the others. */
  queue: string;
  status: QueueHealth['status'];
  queueDepth: number;
  oldestAgeSeconds: number | null;
  /** Events in its log (received within the log's retention). */
  events: number;
  /** Events and enqueue calls the shard took since its object started (`receivedSince`): for rates. */
  eventsReceived: number;
  requestsReceived: number;
  receivedSince: number | null;
  inFlight: number;
  deadLettered: number;
}
