import { withoutIds } from '../withoutIds';
import { forgetKeysOf } from './messageKeys';

/**
 * Erasure inside one queue (POST /debugger/api/users/erase, docs/debugger.md "Erasure"): the
 * subject's events leave the log, the outbox and the hold, with their identity links, and the
 * requests that carried them are forgotten or, when they carried other users too, kept without the
 * subject (withoutIds.ts). With the rows gone, the messageIds are no longer duplicates: a later
 * event is new. One transaction: a reader sees the subject's data whole or not at all.
 *
 * How far the link graph goes (one hop, never on to other users):
 * - by userId: the user's events, and the anonymous visitors linked to that user (an identity link,
 *   or an event carrying both ids): their events without a userId, held ones included, and their links.
 *   Events another userId sent from the same visitor (a shared device) stay: they are that user's.
 * - by anonymousId: every event carrying that anonymousId (also those sent after login) and its
 *   links; the userId it was linked to is not erased (erase it by userId).
 */

export type ErasureSubject = { userId: string } | { anonymousId: string };

export interface ErasedInQueue {
  /** Events forgotten from the log (with their outbox items, delivered or not). */
  events: number;
  /** Of those, events that were held while anonymous. */
  held: number;
  /** Identity links (anonymousId → userId) forgotten. */
  links: number;
  /** Requests that carried other users too, kept without the subject. */
  requestsRedacted: number;
}

const json = (values: readonly (string | number)[]) => JSON.stringify(values);

export function eraseSubject(storage: DurableObjectStorage, subject: ErasureSubject, _now: number): ErasedInQueue {
  const sql = storage.sql;
  return storage.transactionSync(() => {
    const userId = 'userId' in subject ? subject.userId : null;
    const anonymous = userId === null ? [(subject as { anonymousId: string }).anonymousId] : linkedVisitors(sql, userId);
    const messages = sql
      .exec<{ message_id: string }>(
        userId === null
          ? 'SELECT message_id FROM events WHERE anonymous_id IN (SELECT value FROM json_each(?2))'
          : 'SELECT message_id FROM events WHERE user_id = ?1 OR (user_id IS NULL AND anonymous_id IN (SELECT value FROM json_each(?2)))',
        ...(userId === null ? [null, json(anonymous)] : [userId, json(anonymous)]),
      )
      .toArray()
      .map((r) => r.message_id);
    const ids = json(messages);
    const held = sql.exec('DELETE FROM held WHERE message_id IN (SELECT value FROM json_each(?1)) OR anonymous_id IN (SELECT value FROM json_each(?2)) RETURNING 1', ids, json(anonymous)).toArray().length;
    const links = sql.exec('DELETE FROM identity_links WHERE user_id = ?1 OR anonymous_id IN (SELECT value FROM json_each(?2)) RETURNING 1', userId, json(anonymous)).toArray().length;
    sql.exec('DELETE FROM outbox WHERE message_id IN (SELECT value FROM json_each(?))', ids);
    const requestsRedacted = forgetAttempts(sql, ids, new Set([...(userId === null ? [] : [userId]), ...anonymous]));
    forgetKeysOf(sql, messages); // their ids are new again (messageKeys.ts: dedupe per sender)
    const events = sql.exec('DELETE FROM events WHERE message_id IN (SELECT value FROM json_each(?)) RETURNING 1', ids).toArray().length;
    return { events, held, links, requestsRedacted };
  });
}

/** The anonymousIds known to belong to `userId`: identity links, and events that carried both. */
function linkedVisitors(sql: SqlStorage, userId: string): string[] {
  const rows = sql
    .exec<{ id: string }>(
      `SELECT anonymous_id AS id FROM identity_links WHERE user_id = ?1
       UNION SELECT DISTINCT anonymous_id AS id FROM events WHERE user_id = ?1 AND anonymous_id IS NOT NULL`,
      userId,
    )
    .toArray();
  return rows.map((r) => r.id).filter((id) => id !== userId);
}

/** Attempts that carried only these messages go; those shared with other messages keep a body without the subject. */
function forgetAttempts(sql: SqlStorage, messageIds: string, subjectIds: ReadonlySet<string>): number {
  const attempts = sql
    .exec<{ attempt_id: number }>('SELECT DISTINCT attempt_id FROM attempt_events WHERE message_id IN (SELECT value FROM json_each(?))', messageIds)
    .toArray()
    .map((r) => r.attempt_id);
  if (!attempts.length) return 0;
  sql.exec('DELETE FROM attempt_events WHERE message_id IN (SELECT value FROM json_each(?))', messageIds);
  sql.exec('DELETE FROM attempts WHERE id IN (SELECT value FROM json_each(?)) AND NOT EXISTS (SELECT 1 FROM attempt_events e WHERE e.attempt_id = attempts.id)', json(attempts));
  let redacted = 0;
  const shared = sql
    .exec<{ id: number; request: string; response: string | null }>('SELECT id, request, response FROM attempts WHERE id IN (SELECT value FROM json_each(?))', json(attempts))
    .toArray();
  for (const row of shared) {
    const request = JSON.stringify(withoutIds(JSON.parse(row.request), subjectIds));
    const response = row.response === null ? null : JSON.stringify(withoutIds(JSON.parse(row.response), subjectIds));
    sql.exec('UPDATE attempts SET request = ?, response = ? WHERE id = ?', request, response, row.id);
    redacted++;
  }
  return redacted;
}
