import { identifiedAs } from '../../identity/heldCustomer';
import type { PackedRecord } from '../packedRecord';
import type { EventLog } from './eventLog';
import type { LogStaging } from './logStaging';
import { type Holds, linksOf } from './holds';
import type { PauseInfo } from './meta';
import type { Outbox } from './outbox';

/** The parts of a queue's storage a release touches (QueueStore has them all). */
interface Parts {
  holds: Holds;
  staging: LogStaging;
  log: EventLog;
  outbox: Outbox;
}

/**
 * Remembers the links a batch carries and releases what they unlock: held events of visitors
 * this batch identifies, and this batch's held events of visitors identified before. Returns
 * the items queued.
 */
export function admitLinks(store: Parts, records: readonly PackedRecord[], held: readonly PackedRecord[], now: number, dueAt: number, pause: PauseInfo | null): number {
  let queued = 0;
  // A batch usually repeats one visitor's link on every message: a link already written in this
  // batch changes nothing. A link already known released its visitor's held events when it was
  // written (and later anonymous events of a linked visitor are released as they come, below), so
  // only a new or changed link can release anything; and with nothing held, nothing is released.
  const written = new Map<string, string>();
  let anythingHeld: boolean | undefined;
  let previous = '';
  for (const r of records) {
    // Consecutive messages of one visitor carry the same ids: their links are the previous one's.
    const ids = r.type === 'alias' ? '' : `${r.anonymousId}\u0000${r.userId}`;
    if (ids && ids === previous) continue;
    previous = ids;
    for (const [anonymousId, userId] of linksOf(r)) {
      if (written.get(anonymousId) === userId) continue;
      written.set(anonymousId, userId);
      if (!store.holds.link(anonymousId, userId, now)) continue;
      anythingHeld ??= store.holds.anythingHeld();
      if (anythingHeld) queued += releaseHeld(store, anonymousId, userId, now, dueAt, pause);
    }
  }
  // A visitor's first release takes all their held events, this batch's too: the tag's batch is one
  // visitor's, so one lookup serves all of its held events.
  for (const anonymousId of new Set(held.map((r) => r.anonymousId as string))) {
    const userId = store.holds.linkOf(anonymousId);
    if (userId !== undefined) queued += releaseHeld(store, anonymousId, userId, now, dueAt, pause);
  }
  return queued;
}

/** Queues every held event of `anonymousId` as `userId` (shown paused if the connection is); returns the items queued. */
function releaseHeld(store: Parts, anonymousId: string, userId: string, now: number, dueAt: number, pause: PauseInfo | null): number {
  let queued = 0;
  const taken = store.holds.take(anonymousId);
  // The held rows may still be staged (written behind): they must be in the log to be released.
  if (taken.length) store.staging.drain();
  for (const messageId of taken) {
    const stored = store.log.heldItems(messageId);
    if (!stored) continue; // no longer held (dropped at the end of its window)
    const items = identifiedAs(stored, userId);
    store.log.released(messageId, items, `held while anonymous; released when anonymousId "${anonymousId}" was identified as "${userId}"`, dueAt, now);
    if (pause) store.log.paused(messageId, pause);
    queued += store.outbox.add(messageId, items, now, dueAt);
  }
  return queued;
}
