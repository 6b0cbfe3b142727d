/* Cursors and stream ids as clients see them: opaque text over the queues' positions (delivery/logOrder.ts). */
import type { ListPosition } from '../delivery/logOrder';
import { HttpError } from '../http/HttpError';

/** Opaque to clients: base64url of a small JSON array (any Unicode messageId survives). */
export function encodePosition(p: ListPosition): string {
  // A shard other than 0 adds its queue's name; cursors of unsharded connections read as before.
  return toBase64Url(JSON.stringify(p.queue ? [p.receivedAt, p.connection, p.messageId, p.queue] : [p.receivedAt, p.connection, p.messageId]));
}

export function decodePosition(cursor: string): ListPosition {
  const bad = () => new HttpError(400, 'invalid_cursor', 'cursor must be a "nextCursor" (or an event\'s "cursor") from an earlier answer');
  let parsed: unknown;
  try {
    parsed = JSON.parse(fromBase64Url(cursor));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || (parsed.length !== 3 && parsed.length !== 4)) throw bad();
  const [receivedAt, connection, messageId, queue] = parsed as unknown[];
  if (!Number.isSafeInteger(receivedAt) || typeof connection !== 'string' || typeof messageId !== 'string') throw bad();
  if (queue !== undefined && typeof queue !== 'string') throw bad();
  return { receivedAt: receivedAt as number, connection, messageId, ...(queue !== undefined ? { queue } : {}) };
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
