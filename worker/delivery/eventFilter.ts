import type { EventStatus } from './record';

export const EVENT_STATUSES = ['dropped', 'held', 'queued', 'retrying', 'delivered', 'dead', 'paused'] as const satisfies readonly EventStatus[];

/** Which events a listing, a live tail or the stats look at. Every field narrows; none means all. */
export interface EventFilter {
  statuses?: EventStatus[];
  /** Event name as received (track event, page name). */
  event?: string;
  /** Matches the userId or the anonymousId. */
  userId?: string;
  reason?: string;
  /** receivedAt ≥ since (epoch ms). */
  since?: number;
  connection?: string;
}
