import { z } from 'zod';
import type { Config } from '../config/config';
import * as queues from '../delivery/queues';
import type { Env } from '../env';
import { HttpError } from '../http/HttpError';

/**
 * Operator actions on the queues, behind the debugger's bearer token (debugger/api.ts): replay
 * dead-lettered/paused events and resume a paused connection. docs/delivery.md "Replay".
 */

const ReplayRequest = z
  .object({
    /** Limit to one connection (default: every connection). */
    connection: z.string().min(1).optional(),
    messageIds: z.array(z.string().min(1)).min(1).max(1_000).optional(),
    reason: z.string().min(1).optional(),
    all: z.literal(true).optional(),
  })
  .strict()
  .refine((r) => [r.messageIds, r.reason, r.all].filter((x) => x !== undefined).length === 1, {
    message: 'give exactly one of "messageIds" (array), "reason" (string) or "all": true',
  });

/** The configured connections' ids, or the one named (404 unknown_connection when it is not configured). */
export function connectionIds(config: Config, id: string | undefined): string[] {
  const all = config.connections.map((c) => c.id);
  if (id === undefined) return all;
  if (!all.includes(id)) throw new HttpError(404, 'unknown_connection', `no connection "${id}"; configured: ${all.join(', ')}`);
  return [id];
}

export async function replay(request: Request, env: Env, config: Config) {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    throw new HttpError(400, 'invalid_json', 'send a JSON body: {"messageIds":[…]} or {"reason":"…"} or {"all":true}');
  }
  const parsed = ReplayRequest.safeParse(body);
  if (!parsed.success) {
    throw new HttpError(
      400,
      'invalid_replay',
      'send {"messageIds":[…]} or {"reason":"…"} or {"all":true}, optionally with "connection"',
      parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message })),
    );
  }
  const { connection, ...selector } = parsed.data;
  const results = await queues.replay(env, connectionIds(config, connection), selector);
  // An id is "skipped" only if no connection could replay it.
  const known = new Set(results.flatMap((r) => (selector.messageIds ?? []).filter((id) => !r.skipped.some((s) => s.messageId === id))));
  return {
    replayed: results.reduce((n, r) => n + r.replayed, 0),
    connections: results,
    ...(selector.messageIds ? { notReplayable: selector.messageIds.filter((id) => !known.has(id)) } : {}),
  };
}

export async function resume(connectionId: string, env: Env, config: Config) {
  const [id] = connectionIds(config, connectionId) as [string];
  return { connection: id, ...(await queues.resume(env, id)) };
}
