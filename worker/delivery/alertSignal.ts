/**
 * Pure: what one queue tells its connection's alerts (worker/alerts/) about its state, and when a
 * change is worth telling. The queue reports only on a change of these few facts, never per event
 * or per flush, so alerting costs delivery nothing on a healthy day; the alerts object watches the
 * clock-driven conditions (age, recovery) itself while something is wrong.
 */

export interface QueueSignal {
  /** The connection this queue delivers for. */
  connection: string;
  /** The queue's own name (one connection may have several queues). */
  queue: string;
  at: number;
  paused: { reason: string; detail: string; since: number } | null;
  /** A wait MoEngage imposed (429 or its rate-limit headers), in force at `at`. */
  rateLimited: { until: number } | null;
  /** Events waiting for delivery. */
  depth: number;
  maxBacklogEvents: number;
  oldestQueuedAt: number | null;
  /** Events that ever entered `dead` (monotonic). */
  deadLettered: number;
  /** Batch mode holds events up to its cadence by design; backlog age allows for that. */
  batchCadenceMinutes: number | null;
}

/** What a connection's alerts object answers to (worker/alerts/ConnectionAlerts.ts), as the queue sees it. */
export interface AlertsInbox extends Rpc.DurableObjectBranded {
  report(signal: QueueSignal): Promise<void>;
}

/** What a queue answers to when the alerts object asks (DeliveryQueue.alertSignal). */
export interface SignalSource extends Rpc.DurableObjectBranded {
  alertSignal(): Promise<QueueSignal | null>;
}

/** Something has waited this long: the alerts object starts watching the backlog's age. */
export const STALL_MS = 60_000;
/** The backlog share the alert fires above (of MAX_BACKLOG_EVENTS). */
export const BACKLOG_ALERT_RATIO = 0.8;

function facts(s: QueueSignal) {
  return {
    paused: s.paused?.reason ?? null,
    rateLimited: s.rateLimited !== null,
    deadLettered: s.deadLettered,
    high: s.depth > BACKLOG_ALERT_RATIO * s.maxBacklogEvents,
    stalled: s.depth > 0 && s.oldestQueuedAt !== null && s.at - s.oldestQueuedAt >= STALL_MS,
  };
}

/** Something an alert could be about: the alerts object keeps watching while a queue says so. */
export function amiss(s: QueueSignal): boolean {
  const f = facts(s);
  return f.paused !== null || f.rateLimited || f.high || f.stalled;
}

/** Enqueue's whole check (it runs per request): did this batch take the backlog over the alert line? */
export function crossedBacklogLine(last: QueueSignal | null, depth: number, maxBacklogEvents: number): boolean {
  return depth > BACKLOG_ALERT_RATIO * maxBacklogEvents && !(last && facts(last).high);
}

/**
 * True when `next` differs from what was last reported in a way an alert could depend on. A queue
 * that starts a new life (last = null) reports only if something is amiss or ever was: the alerts
 * object may know an older state of it.
 */
export function worthReporting(last: QueueSignal | null, next: QueueSignal): boolean {
  const b = facts(next);
  if (!last) return amiss(next) || b.deadLettered > 0;
  const a = facts(last);
  return (Object.keys(a) as (keyof typeof a)[]).some((k) => a[k] !== b[k]);
}
