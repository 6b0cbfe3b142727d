import { DEAD_LETTER_WINDOW_MS } from '../config/alerts';
import { BACKLOG_ALERT_RATIO, type QueueSignal } from '../delivery/alertSignal';

/**
 * Pure: which alert conditions hold for a connection, from the latest signal of each of its queues
 * (a connection may have several queues; they are judged together). docs/operations.md "Alerts".
 */

export const ALERT_KINDS = ['paused', 'dead_letters', 'backlog_age', 'backlog_size', 'rate_limited'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** What an alert says about its cause: a few named values, shown and sent as they are. */
export type Facts = Record<string, string | number | null>;
/** The conditions that hold now, each with its facts; an absent kind does not hold. */
export type Conditions = Partial<Record<AlertKind, Facts>>;

export interface Thresholds {
  deadLetters: number;
  backlogMinutes: number;
}

/** The connection's queues seen together. */
export interface Observation {
  at: number;
  /** The earliest pause of any queue. */
  paused: QueueSignal['paused'];
  /** The latest end of a wait MoEngage imposed on any queue, if one is in force. */
  rateLimitedUntil: number | null;
  depth: number;
  /** The fullest queue: each queue refuses new events at its own bound. */
  fullest: { depth: number; maxBacklogEvents: number } | null;
  oldestQueuedAt: number | null;
  deadInWindow: number;
  batchCadenceMinutes: number | null;
}

export function observe(signals: readonly QueueSignal[], deadInWindow: number, at: number): Observation {
  let paused: QueueSignal['paused'] = null;
  let rateLimitedUntil: number | null = null;
  let depth = 0;
  let fullest: Observation['fullest'] = null;
  let oldestQueuedAt: number | null = null;
  let batchCadenceMinutes: number | null = null;
  for (const s of signals) {
    if (s.paused && (!paused || s.paused.since < paused.since)) paused = s.paused;
    if (s.rateLimited && s.rateLimited.until > at) rateLimitedUntil = Math.max(rateLimitedUntil ?? 0, s.rateLimited.until);
    depth += s.depth;
    if (!fullest || s.depth / s.maxBacklogEvents > fullest.depth / fullest.maxBacklogEvents) fullest = { depth: s.depth, maxBacklogEvents: s.maxBacklogEvents };
    if (s.depth > 0 && s.oldestQueuedAt !== null) oldestQueuedAt = Math.min(oldestQueuedAt ?? Infinity, s.oldestQueuedAt);
    if (s.batchCadenceMinutes !== null) batchCadenceMinutes = Math.max(batchCadenceMinutes ?? 0, s.batchCadenceMinutes);
  }
  return { at, paused, rateLimitedUntil, depth, fullest, oldestQueuedAt, deadInWindow, batchCadenceMinutes };
}

/** Minutes an event may wait before the backlog-age alert: batch mode adds its cadence (waiting for it is normal). */
export function backlogAgeLimitMs(o: Pick<Observation, 'batchCadenceMinutes'>, t: Thresholds): number {
  return (t.backlogMinutes + (o.batchCadenceMinutes ?? 0)) * 60_000;
}

export function conditionsOf(o: Observation, t: Thresholds): Conditions {
  const out: Conditions = {};
  if (o.paused) out.paused = { reason: o.paused.reason, detail: o.paused.detail, since: new Date(o.paused.since).toISOString(), waiting: o.depth };
  if (o.deadInWindow >= t.deadLetters) {
    out.dead_letters = { count: o.deadInWindow, threshold: t.deadLetters, windowMinutes: DEAD_LETTER_WINDOW_MS / 60_000 };
  }
  const limit = backlogAgeLimitMs(o, t);
  if (o.oldestQueuedAt !== null && o.at - o.oldestQueuedAt > limit) {
    out.backlog_age = { oldestAgeMinutes: Math.floor((o.at - o.oldestQueuedAt) / 60_000), thresholdMinutes: limit / 60_000, waiting: o.depth };
  }
  if (o.fullest && o.fullest.depth > BACKLOG_ALERT_RATIO * o.fullest.maxBacklogEvents) {
    out.backlog_size = {
      waiting: o.fullest.depth,
      maxBacklogEvents: o.fullest.maxBacklogEvents,
      percent: Math.floor((100 * o.fullest.depth) / o.fullest.maxBacklogEvents),
    };
  }
  if (o.rateLimitedUntil !== null && o.rateLimitedUntil > o.at) out.rate_limited = { until: new Date(o.rateLimitedUntil).toISOString(), waiting: o.depth };
  return out;
}

/**
 * When a condition could next change with no news from the queues: the backlog reaching the age
 * limit, a dead letter leaving the window, a rate-limit wait ending. Null: only news can change it.
 */
export function nextChangeAt(o: Observation, t: Thresholds, deadArrivals: readonly number[]): number | null {
  const times: number[] = [];
  if (o.oldestQueuedAt !== null) {
    const crossing = o.oldestQueuedAt + backlogAgeLimitMs(o, t) + 1;
    if (crossing > o.at) times.push(crossing);
  }
  for (const arrival of deadArrivals) if (arrival + DEAD_LETTER_WINDOW_MS > o.at) times.push(arrival + DEAD_LETTER_WINDOW_MS);
  if (o.rateLimitedUntil !== null && o.rateLimitedUntil > o.at) times.push(o.rateLimitedUntil);
  return times.length ? Math.min(...times) : null;
}
