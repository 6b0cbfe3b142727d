import type { PackedRecord } from '../packedRecord';
import { firstStatus, type StagedRow } from './logStaging';
import type { PauseInfo } from './meta';

/**
 * Pure: what a batch writes once its messageIds are claimed (messageKeys.ts), table by table: the
 * log rows to stage, the outbox items (a message and one item's JSON text each), the holds, and
 * the messageIds already stored.
 */
export interface InsertPlan {
  duplicates: string[];
  rows: StagedRow[];
  items: [messageId: string, item: string][];
  holds: [messageId: string, anonymousId: string, holdUntil: number][];
  /** The held records, as stored (for the release of visitors identified before). */
  held: PackedRecord[];
  /** The earliest end of a hold in the batch, or null. */
  holdUntil: number | null;
}

/** `logIds[i]`: the id record i's log row takes, or null when its sender already stored it. */
export function planInsert(records: readonly PackedRecord[], logIds: readonly (string | null)[], pause: PauseInfo | null, dueAt: number): InsertPlan {
  const plan: InsertPlan = { duplicates: [], rows: [], items: [], holds: [], held: [], holdUntil: null };
  records.forEach((sent, i) => {
    const logId = logIds[i] ?? null;
    if (logId === null) {
      plan.duplicates.push(sent.messageId);
      return;
    }
    // Another sender's message with the same id is logged under an id of its own; its row keeps the one claimed.
    const r = logId === sent.messageId ? sent : { ...sent, messageId: logId };
    plan.rows.push({ r, first: firstStatus(r, pause, dueAt), claimedId: logId === sent.messageId ? null : sent.messageId });
    if (r.status === 'queued') for (const item of r.items ?? []) plan.items.push([r.messageId, item]);
    if (r.status === 'held' && r.anonymousId != null && r.holdUntil !== null) {
      plan.holds.push([r.messageId, r.anonymousId, r.holdUntil]);
      plan.held.push(r);
      plan.holdUntil = plan.holdUntil === null ? r.holdUntil : Math.min(plan.holdUntil, r.holdUntil);
    }
  });
  return plan;
}
