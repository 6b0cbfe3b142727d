import type { Message, MessageType } from '../../shared/message';
import { type MappingOptions, type MapResult, mapMessage } from '../blueprints/map';
import type { Blueprint } from '../blueprints/schema';
import type { IngestRecord } from '../delivery/record';
import type { Omission } from '../moengage/omission';
import { classifyTraffic, type TrafficFlag } from './bots';
import { enrich } from './enrich';
import { type KeptAsText, keptAsTextNotes } from './exactNumbers';
import { type Rejected, validateBatch, validateMessage, validateSingle } from './validate';

/**
 * validate → enrich → map: what the collector makes of a request's messages, once, for ingest
 * (which then stores the records in each connection's queue) and for the preview (which packs
 * them as delivery would and sends nothing). Pure apart from the ids it gives messages without one.
 */

/** `batch` and `single` are the ingest routes (whole-request problems throw HttpError); `message` is one message, answered with its issues. */
export type IngestShape = { kind: 'batch' } | { kind: 'single'; type: MessageType } | { kind: 'message' };

export interface PreparedMessage {
  message: Message;
  /** What the collector changed on the way in (reserved keys removed, time clamped). */
  notes: Omission[];
  /** Set when the message cannot be delivered as dated (logged as dropped with this reason). */
  drop?: { reason: string; detail: string };
}

export interface Prepared {
  receivedAt: number;
  /** Valid messages, enriched, each messageId once. */
  messages: PreparedMessage[];
  /** Invalid messages of a batch: answered in `rejected` and logged as dropped. */
  rejected: Rejected[];
  /** Repeats of a messageId within this request (a client retrying inside its own queue): the first one counts. */
  duplicatesInBatch: number;
}

/** validate → enrich. `keptAsText`: the body's numbers parsing kept as their digits (parseJson.ts), noted on their messages. */
export function prepare(body: unknown, shape: IngestShape, receivedAt: number, keptAsText: readonly KeptAsText[] = []): Prepared {
  const validated = shape.kind === 'batch' ? validateBatch(body) : shape.kind === 'single' ? validateSingle(body, shape.type) : validateMessage(body);
  const seen = new Set<string>();
  const messages: PreparedMessage[] = [];
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
    messages.push({ message: enriched.message, notes: [...notes, ...exactness, ...enriched.notes], ...(enriched.drop ? { drop: enriched.drop } : {}) });
  }
  return { receivedAt, messages, rejected: validated.rejected, duplicatesInBatch };
}

/** What one connection maps with. */
export interface MappingTarget {
  blueprint: Blueprint;
  options: MappingOptions;
  /** ANONYMOUS=hold: how long an anonymous visitor's events wait to be identified. */
  anonymousHoldMinutes: number;
}

/** Bot and prefetch traffic (BOT_POLICY): how the request looked, and what to do about it. */
export interface Traffic {
  policy: 'drop' | 'mark' | 'allow';
  requestFlag: TrafficFlag | null;
  userAgent: string | null;
}

/** → map: the records one connection's queue is given for a prepared request (invalid messages included, as dropped). */
export function recordsFor(prepared: Prepared, target: MappingTarget, traffic?: Traffic, sender?: string): IngestRecord[] {
  const { receivedAt } = prepared;
  const holdUntil = receivedAt + target.anonymousHoldMinutes * 60_000;
  const records = prepared.messages.map(({ message, notes, drop }) => {
    const flag = !traffic || traffic.policy === 'allow' ? null : classifyTraffic(message, traffic.requestFlag, traffic.userAgent);
    if (drop) return droppedRecord(message, receivedAt, drop, [...notes]);
    if (flag && traffic?.policy === 'drop') return droppedRecord(message, receivedAt, flag, [...notes]);
    const record = toRecord(message, receivedAt, mapMessage(message, target.blueprint, { ...target.options, now: receivedAt }), holdUntil);
    record.outcome.omissions.unshift(...notes);
    if (flag) markBot(record, flag);
    return record;
  });
  if (sender !== undefined) for (const r of records) r.sender = sender;
  // Invalid messages are answered in `rejected` and also logged, so the debugger shows every drop.
  for (const r of prepared.rejected) records.push(rejectedRecord(r, receivedAt));
  return records;
}

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
