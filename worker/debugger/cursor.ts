import { HttpError } from '../http/HttpError';

/**
 * Where a newest-first listing stands. Events of every connection are ordered by
 * (receivedAt, connection, messageId), descending: a total order that each connection's queue can
 * resume on its own index, so a page boundary means the same thing in every queue. Events stored
 * after a cursor was handed out are newer than it and never shift a later page (no duplicates, no
 * gaps); a status change does not move an event either.
 */
export interface ListPosition {
  receivedAt: number;
  connection: string;
  messageId: string;
}

/** The rows of one connection that come after `position`, as SQL over events (received_at, message_id). */
export type Bound =
  | { kind: 'all' }
  | { kind: 'received_at <='; receivedAt: number }
  | { kind: 'received_at <'; receivedAt: number }
  | { kind: '(received_at, message_id) <'; receivedAt: number; messageId: string };

export function boundFor(connection: string, position: ListPosition | null): Bound {
  if (!position) return { kind: 'all' };
  // At the same receivedAt, connections sort descending: a "smaller" connection comes later.
  if (connection < position.connection) return { kind: 'received_at <=', receivedAt: position.receivedAt };
  if (connection > position.connection) return { kind: 'received_at <', receivedAt: position.receivedAt };
  return { kind: '(received_at, message_id) <', receivedAt: position.receivedAt, messageId: position.messageId };
}

/** Newest first; ties broken by connection, then messageId, both descending. */
export function compareNewestFirst(a: ListPosition, b: ListPosition): number {
  if (a.receivedAt !== b.receivedAt) return b.receivedAt - a.receivedAt;
  if (a.connection !== b.connection) return a.connection < b.connection ? 1 : -1;
  if (a.messageId !== b.messageId) return a.messageId < b.messageId ? 1 : -1;
  return 0;
}

/** Opaque to clients: base64url of a small JSON array (any Unicode messageId survives). */
export function encodePosition(p: ListPosition): string {
  return toBase64Url(JSON.stringify([p.receivedAt, p.connection, p.messageId]));
}

export function decodePosition(cursor: string): ListPosition {
  const bad = () => new HttpError(400, 'invalid_cursor', 'cursor must be a "nextCursor" (or an event\'s "cursor") from an earlier answer');
  let parsed: unknown;
  try {
    parsed = JSON.parse(fromBase64Url(cursor));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw bad();
  const [receivedAt, connection, messageId] = parsed as unknown[];
  if (!Number.isSafeInteger(receivedAt) || typeof connection !== 'string' || typeof messageId !== 'string') throw bad();
  return { receivedAt: receivedAt as number, connection, messageId };
}

export function toBase64Url(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(encoded: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(encoded) || encoded.length > 4096) throw new TypeError('not base64url');
  const binary = atob(encoded.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}
