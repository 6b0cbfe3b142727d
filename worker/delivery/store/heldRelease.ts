import { identifiedAs } from '../../identity/heldCustomer';
import type { IngestRecord } from '../record';
import type { EventLog } from './eventLog';
import { type Holds, linksOf } from './holds';
import type { PauseInfo } from './meta';
import type { Outbox } from './outbox';

/** The parts of a queue's storage a release touches (QueueStore has them all). */
interface Parts {
  holds: Holds;
  log: EventLog;
  outbox: Outbox;
}

/**
 * Remembers the links a batch carries and releases what they unlock: held events of visitors
 * this batch identifies, and this batch's held events of visitors identified before. Returns
 * the items queued.
 */
export function admitLinks(store: Parts, records: readonly IngestRecord[], held: readonly IngestRecord[], now: number, dueAt: number, pause: PauseInfo | null): number {
  let queued = 0;
  // A batch usually repeats one visitor's link on every message: a link already written in this
  // batch changes nothing, and with nothing held there is nothing to release.
  const written = new Map<string, string>();
  const anythingHeld = store.holds.anythingHeld();
  for (const r of records) {
    for (const [anonymousId, userId] of linksOf(r)) {
      if (written.get(anonymousId) === userId) continue;
      written.set(anonymousId, userId);
      store.holds.link(anonymousId, userId, now);
      if (anythingHeld) queued += releaseHeld(store, anonymousId, userId, now, dueAt, pause);
    }
  }
  for (const r of held) {
    const userId = store.holds.linkOf(r.anonymousId as string);
    if (userId !== undefined) queued += releaseHeld(store, r.anonymousId as string, userId, now, dueAt, pause);
  }
  return queued;
}

/** Queues every held event of `anonymousId` as `userId` (shown paused if the connection is); returns the items queued. */
function releaseHeld(store: Parts, anonymousId: string, userId: string, now: number, dueAt: number, pause: PauseInfo | null): number {
  let queued = 0;
  for (const messageId of store.holds.take(anonymousId)) {
    const stored = store.log.heldItems(messageId);
    if (!stored) continue; // no longer held (dropped at the end of its window)
    const items = identifiedAs(stored, userId);
    store.log.released(messageId, items, `held while anonymous; released when anonymousId "${anonymousId}" was identified as "${userId}"`, dueAt, now);
    if (pause) store.log.paused(messageId, pause);
    queued += store.outbox.add(messageId, items, now, dueAt);
  }
  return queued;
}
