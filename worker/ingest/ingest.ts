import { LIMITS } from '../../shared/limits';
import type { IngestResponse } from '../../shared/message';
import { clientIpOf } from '../abuse/clientIp';
import { limitWriteKey } from '../abuse/writeKeyBudget';
import type { Config } from '../config/config';
import { mappingOptions } from '../config/mappingSettings';
import * as queues from '../delivery/queues';
import type { Env } from '../env';
import { errorFacts } from '../http/errorFacts';
import { HttpError } from '../http/HttpError';
import { logLine } from '../logs/logLine';
import { rateLimited } from '../http/rateLimited';
import type { Omission } from '../moengage/omission';
import { authenticate } from './authenticate';
import { prefetchRequest } from './bots';
import { parseJsonExact } from './parseJson';
import { type IngestShape, prepare, recordsFor } from './prepare';
import { failureOf, queueRefusal } from './queueFailure';
import { readBody } from './readBody';
import { senderOf } from './sender';

export type { IngestShape } from './prepare';

/**
 * limit size (and inflate) → parse (depth pre-scan first) → authenticate → per-write-key rate limit →
 * prepare (validate, enrich; then map per connection, flagging bots) → enqueue.
 * Answers 200 only once every connection's DeliveryQueue has stored the messages.
 */
export async function ingest(request: Request, env: Env, config: Config, shape: IngestShape): Promise<IngestResponse> {
  const text = await readBody(request, { maxBytes: LIMITS.maxBodyBytes, maxDecompressedBytes: LIMITS.maxDecompressedBytes });
  const { value: body, keptAsText } = parseJsonExact(text);
  const writeKey = await authenticate(request, body, config.writeKeys);
  const sender = await senderOf(writeKey);
  const rate = await limitWriteKey(writeKey, clientIpOf(request), env, config);
  if (!rate.allowed) throw rateLimited(config.ingestRateSharePerIp ? 'write key from this address' : 'write key', rate.retryAfterSeconds, rate.firstRefusal);
  const prepared = prepare(body, shape, Date.now(), keptAsText);
  if (rate.overBudget) for (const m of prepared.messages) m.notes.push(OVER_BUDGET);

  const visitorCountry = (request as { cf?: { country?: string } }).cf?.country;
  const traffic = { policy: config.botPolicy, requestFlag: prefetchRequest(request.headers), userAgent: request.headers.get('user-agent') };
  const duplicateIds = new Set<string>();
  const refusals: string[] = [];
  await Promise.all(
    config.connections.map(async (connection) => {
      const target = {
        blueprint: config.blueprints[connection.id]!, // every connection has one once the config loaded
        options: mappingOptions(connection, visitorCountry),
        anonymousHoldMinutes: connection.anonymousHoldMinutes,
      };
      const { duplicates, refused } = await queues.enqueue(env, connection, recordsFor(prepared, target, traffic, sender)).catch((error: unknown) => {
        const failure = failureOf(error);
        // Name, code location and Cloudflare's flags, never the message (SECURITY.md "Logs").
        logLine('error', 'queue_call_failed', { connection: connection.id, ...errorFacts(error), ...failure });
        throw queueRefusal(connection.id, failure);
      });
      if (refused) refusals.push(`${connection.id}: ${refused.detail}`);
      for (const id of duplicates) duplicateIds.add(id);
    }),
  );
  // Never accept-then-drop: a full backlog refuses the batch so the client keeps it and retries
  // (connections that stored it deduplicate the retry by sender and messageId). docs/delivery.md "Backlog bounds".
  if (refusals.length) throw new HttpError(503, 'backlog_full', refusals.join('; '), undefined, { 'retry-after': '60' });

  const duplicates = prepared.messages.filter((m) => duplicateIds.has(m.message.messageId as string)).length + prepared.duplicatesInBatch;
  return {
    ok: true,
    accepted: prepared.messages.length + prepared.duplicatesInBatch - duplicates,
    duplicates,
    rejected: prepared.rejected.map(({ raw: _raw, ...rest }) => rest),
  };
}

/** Shown on each event a write key over its budget still admitted (abuse/writeKeyBudget.ts). */
const OVER_BUDGET: Omission = {
  reason: 'write_key_over_budget',
  detail: 'admitted within this address’s share (INGEST_RATE_SHARE_PER_IP) while the write key was over INGEST_RATE_PER_WRITE_KEY',
};
