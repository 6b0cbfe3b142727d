import type { EventStatus } from './record';

/** One outbox row of a message, as far as its status goes: `ready` waits (or is in flight), `dead` waits for a replay. */
export interface ItemState {
  state: 'ready' | 'dead';
  failures: number;
  nextAttemptAt: number;
  reason: string | null;
  detail: string | null;
}

/** What the event log shows for a message that has entered the outbox. */
export interface DerivedStatus {
  status: Extract<EventStatus, 'queued' | 'retrying' | 'paused' | 'dead' | 'delivered'>;
  reason: string | null;
  detail: string | null;
  /** The earliest time one of its waiting items may go (null when none waits). */
  nextAttemptAt: number | null;
}

/**
 * Pure: a message's status from its outbox rows (in row order), and the connection's pause.
 * A message is as far as its least advanced item: dead if any item is dead (with that item's
 * reason), else paused while the connection is, else retrying if a waiting item failed before
 * (with the first such item's reason), else queued while any item waits, else delivered.
 */
export function statusOf(items: readonly ItemState[], pause: { reason: string; detail: string } | null): DerivedStatus {
  const dead = items.find((i) => i.state === 'dead');
  if (dead) return { status: 'dead', reason: dead.reason, detail: dead.detail, nextAttemptAt: null };
  const waiting = items.filter((i) => i.state === 'ready');
  if (!waiting.length) return { status: 'delivered', reason: null, detail: null, nextAttemptAt: null };
  const nextAttemptAt = Math.min(...waiting.map((i) => i.nextAttemptAt));
  if (pause) return { status: 'paused', reason: pause.reason, detail: pause.detail, nextAttemptAt };
  const failed = waiting.find((i) => i.failures > 0);
  if (failed) return { status: 'retrying', reason: failed.reason, detail: failed.detail, nextAttemptAt };
  return { status: 'queued', reason: null, detail: null, nextAttemptAt };
}
