import { LIMITS } from '../../shared/limits';
import type { IngestResponse, Message, MessageType } from '../../shared/message';
import { clientIpOf } from '../abuse/clientIp';
import { limitWriteKey } from '../abuse/writeKeyBudget';
import { type MapResult, mapMessage } from '../blueprints/map';
import type { Config } from '../config/config';
import { mappingOptions } from '../config/mappingSettings';
import type { Env } from '../env';
import { rateLimited } from '../http/RateLimitedError';
import type { IngestRecord } from '../delivery/record';
import { HttpError } from '../http/HttpError';
import type { Omission } from '../identity/identifiers';
import { authenticate } from './authenticate';
import { classifyTraffic, prefetchRequest, type TrafficFlag } from './bots';
import { enrich, type Enriched } from './enrich';
import { keptAsTextNotes } from './exactNumbers';
import { parseJsonExact } from './parseJson';
import { readBody } from './readBody';
import { type Rejected, type Validated, validateBatch, validateSingle } from './validate';

export type IngestShape = { kind: 'batch' } | { kind: 'single'; type: MessageType };

/**
 * limit size (and inflate) → parse (depth pre-scan first) → authenticate → per-write-key rate limit →
 * validate (shape caps, schema) → enrich (time policy) → flag bots → map (per connection) → enqueue.
 * Answers 200 only once every connection's DeliveryQueue has stored the messages.
 */
export async function ingest(request: Request, env: Env, config: Config, shape: IngestShape): Promise<IngestResponse> {
  const text = await readBody(request, { maxBytes: LIMITS.maxBodyBytes, maxDecompressedBytes: LIMITS.maxDecompressedBytes });
  const { value: body, keptAsText } = parseJsonExact(text);
  const writeKey = await authenticate(request, body, config.writeKeys);
  const rate = await limitWriteKey(writeKey, clientIpOf(request), env, config);
  if (!rate.allowed) throw rateLimited(config.ingestRateSharePerIp ? 'write key from this address' : 'write key', rate.retryAfterSeconds, rate.firstRefusal);
  const budgetNotes: Omission[] = rate.overBudget ? [OVER_BUDGET] : [];
  const validated: Validated = shape.kind === 'batch' ? validateBatch(body) : validateSingle(body, shape.type);

  const receivedAt = Date.now();
  // One batch may repeat a messageId (a client retrying inside its own queue): the first one counts.
  const seen = new Set<string>();
  const messages: (Enriched & { validationNotes: Omission[] })[] = [];
  let duplicatesInBatch = 0;
  for (const { index, message, notes } of validated.messages) {
    const enriched = enrich(message, receivedAt, validated.sentAt);
    const id = enriched.message.messageId as string;
    if (seen.has(id)) {
      duplicatesInBatch++;
      continue;
    }
    seen.add(id);
    const exactness = keptAsText.length ? keptAsTextNotes(keptAsText, shape.kind === 'batch' ? `batch.${index}.` : '') : [];
    messages.push({ ...enriched, validationNotes: [...notes, ...exactness] });
  }
  const visitorCountry = (request as { cf?: { country?: string } }).cf?.country;
  const requestFlag = prefetchRequest(request.headers);
  const userAgent = request.headers.get('user-agent');

  const duplicateIds = new Set<string>();
  const refusals: string[] = [];
  await Promise.all(
    config.connections.map(async (connection) => {
      const blueprint = config.blueprints[connection.id]!; // every connection has one once the config loaded
      const options = mappingOptions(connection, visitorCountry);
      const holdUntil = receivedAt + connection.anonymousHoldMinutes * 60_000;
      const records = messages.map(({ message, notes, drop, validationNotes }) => {
        const flag = config.botPolicy === 'allow' ? null : classifyTraffic(message, requestFlag, userAgent);
        const omissions = [...validationNotes, ...notes, ...budgetNotes];
        if (drop) return droppedRecord(message, receivedAt, drop, omissions);
        if (flag && config.botPolicy === 'drop') return droppedRecord(message, receivedAt, flag, omissions);
        const record = toRecord(message, receivedAt, mapMessage(message, blueprint, options), holdUntil);
        record.outcome.omissions.unshift(...omissions);
        if (flag) markBot(record, flag);
        return record;
      });
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

  const duplicates = messages.filter((m) => duplicateIds.has(m.message.messageId as string)).length + duplicatesInBatch;
  return {
    ok: true,
    accepted: validated.messages.length - duplicates,
    duplicates,
    rejected: validated.rejected.map(({ raw: _raw, ...rest }) => rest),
  };
}

/** Shown on each event a write key over its budget still admitted (abuse/writeKeyBudget.ts). */
const OVER_BUDGET: Omission = {
  reason: 'write_key_over_budget',
  detail: 'admitted within this address’s share (INGEST_RATE_SHARE_PER_IP) while the write key was over INGEST_RATE_PER_WRITE_KEY',
};

/** BOT_POLICY=mark: delivered, but MoEngage sees `is_bot` on the event and the debugger says why. */
function markBot(record: IngestRecord, flag: TrafficFlag): void {
  record.outcome.omissions.push({ reason: `marked_${flag.reason}`, detail: flag.detail });
  if (record.outcome.status === 'dropped') return;
  for (const item of record.outcome.items) if (item.kind === 'event') item.action.attributes.is_bot = true;
}

function droppedRecord(message: Message, receivedAt: number, why: { reason: string; detail: string }, omissions: Omission[]): IngestRecord {
  return toRecord(message, receivedAt, { status: 'dropped', reason: why.reason, detail: why.detail, omissions }, 0);
}

function rejectedRecord(r: Rejected, receivedAt: number): IngestRecord {
  const raw = r.raw && typeof r.raw === 'object' ? (r.raw as Record<string, unknown>) : {};
  const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 255) : null);
  return {
    // Logged under an id of its own: an invalid message never claims its messageId, or the valid
    // message with that id (the client's corrected retry) would be answered as a duplicate and lost.
    messageId: r.messageId === undefined ? `rejected-${crypto.randomUUID()}` : `rejected-${crypto.randomUUID().slice(0, 8)}:${r.messageId}`,
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
