/**
 * Dedupe, scoped to the sender: one `message_keys` row per (messageId, sender) a queue stored,
 * naming the log row it went to. A retry from the same sender is a duplicate; the same messageId
 * from another sender (another write key) is a message of its own, logged as `<messageId>#<sender>`
 * so the two never share a row, an outbox item or a hold. Keys live as long as their log row
 * (retention is the dedupe window): the log forgets both together (eventLog.ts).
 */

/** The sender of keys adopted from releases before dedupe was scoped: unknown, so it matches every sender. */
export const ANY_SENDER = '';

export class MessageKeys {
  constructor(private readonly sql: SqlStorage) {}

  /**
   * Claims `messageId` for `sender`: the id its log row takes, or null when the sender already
   * stored it (or an earlier release did, sender unknown). A record without a sender (an invalid
   * message, or a Worker of an earlier release during a deploy) claims as any sender.
   */
  claim(messageId: string, sender: string = ANY_SENDER): string | null {
    // Nearly always the id is new: one statement claims it when no sender has it yet.
    const fresh = this.sql.exec(
      'INSERT INTO message_keys (message_id, sender, log_id) SELECT ?1, ?2, ?1 WHERE NOT EXISTS (SELECT 1 FROM message_keys WHERE message_id = ?1)',
      messageId,
      sender,
    ).rowsWritten;
    if (fresh > 0) return messageId;
    const others = this.sql.exec<{ sender: string }>('SELECT sender FROM message_keys WHERE message_id = ?', messageId).toArray();
    let logId = messageId;
    if (others.length) {
      if (sender === ANY_SENDER || others.some((o) => o.sender === sender || o.sender === ANY_SENDER)) return null;
      logId = `${messageId}#${sender}`;
    }
    this.sql.exec('INSERT INTO message_keys (message_id, sender, log_id) VALUES (?, ?, ?)', messageId, sender, logId);
    return logId;
  }

  /**
   * Claims a batch's messageIds: for each record, what `claim` answers. The common case, ids no
   * sender stored yet, is one statement for the whole batch; the rest (and a batch repeating an id,
   * where order decides) go one by one.
   */
  claimAll(records: readonly { messageId: string; sender?: string }[]): (string | null)[] {
    const ids = new Set(records.map((r) => r.messageId));
    if (records.length < 2 || ids.size !== records.length) return records.map((r) => this.claim(r.messageId, r.sender));
    const fresh = new Set(
      this.sql
        .exec<{ message_id: string }>(
          `INSERT INTO message_keys (message_id, sender, log_id)
           SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[0]') FROM json_each(?) AS batch
           WHERE NOT EXISTS (SELECT 1 FROM message_keys WHERE message_id = json_extract(batch.value, '$[0]'))
           RETURNING message_id`,
          JSON.stringify(records.map((r) => [r.messageId, r.sender ?? ANY_SENDER])),
        )
        .toArray()
        .map((r) => r.message_id),
    );
    return records.map((r) => (fresh.has(r.messageId) ? r.messageId : this.claim(r.messageId, r.sender)));
  }
}

/**
 * Forgets the keys of log rows about to be deleted (retention, erasure): a forgotten message's id is
 * new again. Reads the rows' claimed ids, so call it before deleting them.
 */
export function forgetKeysOf(sql: SqlStorage, logIds: readonly string[]): void {
  if (!logIds.length) return;
  const ids = JSON.stringify(logIds);
  // A key names its log row (`log_id` decides); the claimed ids only let SQLite find keys by their primary key.
  sql.exec(
    `DELETE FROM message_keys WHERE message_id IN (SELECT coalesce(claimed_id, message_id) FROM events WHERE message_id IN (SELECT value FROM json_each(?1)))
       AND log_id IN (SELECT value FROM json_each(?1))`,
    ids,
  );
}

/**
 * The table, and keys for the log rows an earlier release stored (sender unknown). A log row
 * stored under another id than the one its sender claimed keeps the claimed one (`claimed_id`), so
 * retention finds its key.
 */
export function messageKeysSchema(sql: SqlStorage): void {
  sql.exec('ALTER TABLE events ADD COLUMN claimed_id TEXT');
  sql.exec(`CREATE TABLE IF NOT EXISTS message_keys (
  message_id TEXT NOT NULL,
  sender TEXT NOT NULL,
  log_id TEXT NOT NULL,
  PRIMARY KEY (message_id, sender)
) WITHOUT ROWID`);
  sql.exec(
    `INSERT OR IGNORE INTO message_keys (message_id, sender, log_id) SELECT message_id, ?, message_id FROM events WHERE message_id NOT LIKE 'rejected-%'`,
    ANY_SENDER,
  );
}
