import { LIMITS } from '../../shared/limits';
import type { IngestResponse, Message, MessageType } from '../../shared/message';
import { type MapResult, mapMessage } from '../blueprints/map';
import type { Config } from '../config/config';
import { mappingOptions } from '../config/mappingSettings';
import type { Env } from '../env';
import type { IngestRecord } from '../delivery/record';
import { HttpError } from '../http/HttpError';
import { authenticate } from './authenticate';
import { enrich } from './enrich';
import { parseJson } from './parseJson';
import { readBody } from './readBody';
import { type Rejected, type Validated, validateBatch, validateSingle } from './validate';

/**
 * authenticate → limit size → parse → validate → enrich → map (per connection) → enqueue.
 * Answers 200 only once every connection's DeliveryQueue has stored the messages.
 */
export async function ingest(
  request: Request,
  env: Env,
  config: Config,
  shape: { kind: 'batch' } | { kind: 'single'; type: MessageType },
): Promise<IngestResponse> {
  const text = await readBody(request, LIMITS.maxBodyBytes);
  const body = parseJson(text);
  await authenticate(request, body, config.writeKeys);
  const validated: Validated = shape.kind === 'batch' ? validateBatch(body) : validateSingle(body, shape.type);

  const receivedAt = Date.now();
  const messages = validated.messages.map(({ message }) => enrich(message, receivedAt, validated.sentAt));
  const visitorCountry = (request as { cf?: { country?: string } }).cf?.country;

  const duplicateIds = new Set<string>();
  const refusals: string[] = [];
  await Promise.all(
    config.connections.map(async (connection) => {
      const blueprint = config.blueprints[connection.id]!; // every connection has one once the config loaded
      const options = mappingOptions(connection, visitorCountry);
      const holdUntil = receivedAt + connection.anonymousHoldMinutes * 60_000;
      const records = messages.map((message) => toRecord(message, receivedAt, mapMessage(message, blueprint, options), holdUntil));
      // Invalid messages are answered in `rejected` and also logged, so the debugger shows every drop.
      for (const r of validated.rejected) records.push(rejectedRecord(r, receivedAt));
      const stub = env.DELIVERY_QUEUE.getByName(connection.id);
      const { duplicates, refused } = await stub.enqueue(connection.id, records);
      if (refused) refusals.push(`${connection.id}: ${refused.detail}`);
      for (const id of duplicates) duplicateIds.add(id);
    }),
  );
  // Never accept-then-drop: a full backlog refuses the batch so the client keeps it and retries
  // (connections that stored it deduplicate the retry by messageId). docs/delivery.md "Backlog bounds".
  if (refusals.length) throw new HttpError(503, 'backlog_full', refusals.join('; '), undefined, { 'retry-after': '60' });

  const duplicates = messages.filter((m) => duplicateIds.has(m.messageId as string)).length;
  return {
    ok: true,
    accepted: messages.length - duplicates,
    duplicates,
    rejected: validated.rejected.map(({ raw: _raw, ...rest }) => rest),
  };
}

function rejectedRecord(r: Rejected, receivedAt: number): IngestRecord {
  const raw = r.raw && typeof r.raw === 'object' ? (r.raw as Record<string, unknown>) : {};
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    messageId: r.messageId ?? `rejected-${crypto.randomUUID()}`,
    type: str(raw.type) ?? 'invalid',
    name: str(raw.event) ?? str(raw.name),
    userId: str(raw.userId),
    anonymousId: str(raw.anonymousId),
    receivedAt,
    raw: r.raw,
    outcome: {
      status: 'dropped',
      reason: r.error,
      detail: r.issues.map((i) => `${i.path}: ${i.message}`).join('; '),
      omissions: [],
    },
  };
}

function toRecord(message: Message, receivedAt: number, mapped: MapResult, holdUntil: number): IngestRecord {
  return {
    messageId: message.messageId as string,
    type: message.type,
    name: message.type === 'track' ? message.event : message.type === 'page' || message.type === 'screen' ? (message.name ?? null) : null,
    userId: message.userId ?? null,
    anonymousId: message.anonymousId ?? null,
    receivedAt,
    raw: message,
    outcome: mapped.status === 'held' ? { ...mapped, holdUntil } : mapped,
  };
}
