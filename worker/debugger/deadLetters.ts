import { z } from 'zod';
import type { Config } from '../config/config';
import * as queues from '../delivery/queues';
import type { Env } from '../env';
import { readJsonBodyAs } from '../http/jsonBody';
import { connectionsNamed } from './operator';

/**
 * POST /debugger/api/dead/purge (docs/delivery.md "Dead letters"): dead letters stay replayable
 * until replayed, purged here, or DEAD_LETTER_RETENTION_DAYS after they died.
 */
const PurgeRequest = z
  .object({
    /** Limit to one connection (default: every connection). */
    connection: z.string().min(1).max(200).optional(),
    /** A reason code (`server_error`, `rejected_by_moengage`…). */
    reason: z.string().min(1).max(200).optional(),
    /** Only dead letters that died before this time (ISO 8601 with a zone, e.g. 2031-01-06T00:00:00Z). */
    olderThan: z.iso.datetime({ offset: true }).optional(),
    /** Every dead letter (of the connection, when given): a purge with no filter must say so. */
    all: z.literal(true).optional(),
  })
  .strict()
  .refine((r) => (r.all === true) !== (r.reason !== undefined || r.olderThan !== undefined), {
    message: 'give "reason" and/or "olderThan", or "all": true (not both)',
  });

const PURGE_MAX_BYTES = 4 * 1024;

export async function purgeDeadLetters(request: Request, env: Env, config: Config) {
  const { connection, reason, olderThan } = await readJsonBodyAs(request, PURGE_MAX_BYTES, PurgeRequest, {
    error: 'invalid_purge',
    detail: 'send {"reason":"…"} and/or {"olderThan":"<ISO 8601 time>"}, or {"all":true}, optionally with "connection"',
  });
  const results = await queues.purgeDead(env, connectionsNamed(config, connection), {
    ...(reason !== undefined ? { reason } : {}),
    ...(olderThan !== undefined ? { before: Date.parse(olderThan) } : {}),
  });
  return { purged: results.reduce((n, r) => n + r.purged, 0), connections: results };
}
