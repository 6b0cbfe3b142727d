import { checkCustomerId } from '../../identity/customerId';
import type { PackedRecord } from '../packedRecord';

/**
 * ANONYMOUS=hold inside the queue: which events wait for their anonymous visitor (`held`, with the
 * end of their window) and which anonymousIds are known to belong to a userId (`identity_links`).
 * A message that carries both an anonymousId and a userId (identify, or any event after login;
 * alias links previousId too) releases the visitor's held events as that user; past the window
 * they end `dropped` (anonymous_not_identified). Links are remembered for a while, so an anonymous
 * event arriving just after its visitor was identified (another tab, a late beacon) goes out at once.
 * The events' own rows and items are the log's and the outbox's (queueStore.ts joins them).
 */

/**
 * Links older than the longest hold window can no longer release anything. A link counts from when
 * it was first seen (a repeat is not written); once forgotten, the visitor's next identified message
 * links again.
 */
export const LINK_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** Links this object wrote or confirmed lately, kept in memory so a repeat costs no statement. */
const KNOWN_LINKS = 10_000;

export class Holds {
  private readonly known = new Map<string, string>();

  constructor(private readonly sql: SqlStorage) {}

  /** Holds a batch's anonymous events: each row a message, its anonymousId and the end of its window. */
  holdAll(rows: readonly [messageId: string, anonymousId: string, holdUntil: number][]): void {
    for (const [messageId, anonymousId, holdUntil] of rows) {
      this.sql.exec('INSERT OR IGNORE INTO held (message_id, anonymous_id, hold_until) VALUES (?, ?, ?)', messageId, anonymousId, holdUntil);
    }
  }

  anythingHeld(): boolean {
    return this.sql.exec('SELECT 1 FROM held LIMIT 1').toArray().length > 0;
  }

  /** Remembers a link; written only when it is new or changed (every message of a signed-in visitor repeats it). True when written. */
  link(anonymousId: string, userId: string, now: number): boolean {
    if (this.known.get(anonymousId) === userId) return false;
    if (this.known.size >= KNOWN_LINKS) this.known.clear();
    this.known.set(anonymousId, userId);
    return this.sql.exec(
      `INSERT INTO identity_links (anonymous_id, user_id, linked_at) VALUES (?, ?, ?)
       ON CONFLICT (anonymous_id) DO UPDATE SET user_id = excluded.user_id, linked_at = excluded.linked_at WHERE user_id IS NOT excluded.user_id`,
      anonymousId,
      userId,
      now,
    ).rowsWritten > 0;
  }

  /** The userId an anonymousId is known as, if any. */
  linkOf(anonymousId: string): string | undefined {
    return this.sql.exec<{ user_id: string }>('SELECT user_id FROM identity_links WHERE anonymous_id = ?', anonymousId).toArray()[0]?.user_id;
  }

  /** Ends the holds of one visitor; returns the messages that were held. */
  take(anonymousId: string): string[] {
    return this.sql
      .exec<{ message_id: string }>('DELETE FROM held WHERE anonymous_id = ? RETURNING message_id', anonymousId)
      .toArray()
      .map((r) => r.message_id);
  }

  /** Ends every hold whose window has passed (and forgets links too old to matter); returns them. */
  expire(now: number): { messageId: string; anonymousId: string }[] {
    const expired = this.sql
      .exec<{ message_id: string; anonymous_id: string }>('DELETE FROM held WHERE hold_until <= ? RETURNING message_id, anonymous_id', now)
      .toArray()
      .map((r) => ({ messageId: r.message_id, anonymousId: r.anonymous_id }));
    if (this.sql.exec('DELETE FROM identity_links WHERE linked_at <= ?', now - LINK_TTL_MS).rowsWritten > 0) this.known.clear();
    return expired;
  }

  /** A transaction that wrote links rolled back: what is stored is no longer known here. */
  forgetKnownLinks(): void {
    this.known.clear();
  }

  /** When the next hold ends (for the alarm), or null. */
  nextDeadline(): number | null {
    return this.sql.exec<{ at: number | null }>('SELECT min(hold_until) AS at FROM held').one().at;
  }
}

/** (anonymousId, userId) pairs a record proves belong together. */
export function linksOf(record: Pick<PackedRecord, 'type' | 'userId' | 'anonymousId' | 'previousId'>): [anonymousId: string, userId: string][] {
  const user = checkCustomerId(record.userId);
  if (!user.ok) return [];
  const links: [string, string][] = [];
  if (record.anonymousId != null && record.anonymousId !== user.id) links.push([record.anonymousId, user.id]);
  if (record.type === 'alias' && record.previousId !== null && record.previousId !== user.id) links.push([record.previousId, user.id]);
  return links;
}
