/**
 * Pure: the backlog bounds of a connection (docs/delivery.md "Backlog bounds"). Reaching one is
 * never silent: a full backlog refuses new events with 503 `backlog_full` (the client keeps them and
 * retries: nothing is accepted and then dropped), and an event that waited longer than
 * `maxEventAgeHours` is dead-lettered with reason `expired` (visible, replayable).
 */

export interface BacklogSettings {
  maxBacklogEvents: number;
  maxEventAgeHours: number;
}

export interface Refusal {
  error: 'backlog_full';
  detail: string;
}

/** Refuses a batch that would take the waiting events past the bound; accepts one that fits. */
export function admit(waiting: number, incoming: number, settings: BacklogSettings): Refusal | null {
  if (incoming === 0 || waiting + incoming <= settings.maxBacklogEvents) return null;
  return {
    error: 'backlog_full',
    detail: `${waiting} events are waiting for MoEngage (MAX_BACKLOG_EVENTS = ${settings.maxBacklogEvents}); retry later`,
  };
}

/** Events queued before this time have waited too long. */
export function expiryCutoff(now: number, settings: BacklogSettings): number {
  return now - settings.maxEventAgeHours * 3_600_000;
}
