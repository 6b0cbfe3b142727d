import { z } from 'zod';
import type { Config } from '../config/config';
import type { Connection } from '../config/connections';
import * as queues from '../delivery/queues';
import type { Env } from '../env';
import { HttpError } from '../http/HttpError';
import { readJsonBodyAs } from '../http/jsonBody';

/**
 * Operator actions on the queues, behind the debugger's bearer token (debugger/api.ts): replay
 * dead-lettered/paused events, and resume a paused connection (which also lifts a wait MoEngage's
 * rate headers imposed). docs/delivery.md "Replay".
 */

const ReplayRequest = z
  .object({
    /** Limit to one connection (default: every connection). */
    connection: z.string().min(1).max(200).optional(),
    messageIds: z.array(z.string().min(1).max(512)).min(1).max(1_000).optional(),
    /** A reason code (`server_error`, `payload_too_large`…), not free text. */
    reason: z.string().min(1).max(200).optional(),
    all: z.literal(true).optional(),
  })
  .strict()
  .refine((r) => [r.messageIds, r.reason, r.all].filter((x) => x !== undefined).length === 1, {
    message: 'give exactly one of "messageIds" (array), "reason" (string) or "all": true',
  });

/** The configured connections' ids, or the one named (404 unknown_connection when it is not configured). */
export function connectionIds(config: Config, id: string | undefined): string[] {
  return connectionsNamed(config, id).map((c) => c.id);
}

/** The configured connections, or the one named (404 unknown_connection when it is not configured). */
export function connectionsNamed(config: Config, id: string | undefined): Connection[] {
  if (id === undefined) return config.connections;
  const named = config.connections.filter((c) => c.id === id);
  if (!named.length) throw new HttpError(404, 'unknown_connection', `no connection "${id}"; configured: ${config.connections.map((c) => c.id).join(', ')}`);
  return named;
}

const REPLAY_MAX_BYTES = 640 * 1024;

export async function replay(request: Request, env: Env, config: Config) {
  // 1,000 ids of up to 512 characters fit; anything bigger is refused before it is parsed.
  const { connection, ...selector } = await readJsonBodyAs(request, REPLAY_MAX_BYTES, ReplayRequest, {
    error: 'invalid_replay',
    detail: 'send {"messageIds":[…]} or {"reason":"…"} or {"all":true}, optionally with "connection"',
  });
  const results = await queues.replay(env, connectionsNamed(config, connection), selector);
  // An id is "skipped" only if no connection could replay it.
  const known = new Set(results.flatMap((r) => (selector.messageIds ?? []).filter((id) => !r.skipped.some((s) => s.messageId === id))));
  return {
    replayed: results.reduce((n, r) => n + r.replayed, 0),
    connections: results,
    ...(selector.messageIds ? { notReplayable: selector.messageIds.filter((id) => !known.has(id)) } : {}),
  };
}

export async function resume(connectionId: string, env: Env, config: Config) {
  const [connection] = connectionsNamed(config, connectionId) as [Connection];
  return { connection: connection.id, ...(await queues.resume(env, connection)) };
}
