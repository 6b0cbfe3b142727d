import type { z } from 'zod';
import { LIMITS } from '../../shared/limits';
import { BatchEnvelope, type Issue, Message, type MessageType, MessageTypes } from '../../shared/message';
import { HttpError } from '../http/HttpError';
import type { Omission } from '../moengage/omission';
import { checkShape, type ShapeLimits } from './shape';

export interface Rejected {
  index: number;
  messageId?: string;
  error: string;
  issues: Issue[];
  raw: unknown;
}

export interface Validated {
  /** Valid messages; `notes` say what was removed from them on the way in (reserved keys). */
  messages: { index: number; message: Message; notes: Omission[] }[];
  rejected: Rejected[];
  sentAt?: string;
  envelope: Omit<BatchEnvelope, 'batch'>;
}

/** Per-message caps (shared/limits.ts); a message over one is rejected alone, its batch goes on. */
export const MESSAGE_SHAPE: ShapeLimits = {
  maxDepth: LIMITS.maxDepth,
  maxObjectKeys: LIMITS.maxObjectKeys,
  maxTotalKeys: LIMITS.maxMessageKeys,
  maxKeyLength: LIMITS.maxKeyLength,
  maxStringLength: LIMITS.maxStringLength,
};

export function issuesOf(error: z.ZodError, prefix: (string | number)[] = []): Issue[] {
  return error.issues.map((issue) => ({
    path: [...prefix, ...issue.path].map(String).join('.') || '(root)',
    message: issue.message,
  }));
}

/**
 * `/v1/batch` (or the tag's path): the envelope must be valid, then each message is checked alone,
 * so one bad message is rejected with its reasons while the others are accepted.
 */
export function validateBatch(body: unknown): Validated {
  const batch = body && typeof body === 'object' ? (body as { batch?: unknown }).batch : undefined;
  // Counted before any per-message work, so an oversized batch costs nothing more.
  if (Array.isArray(batch) && batch.length > LIMITS.maxBatchLength) {
    throw new HttpError(413, 'batch_too_long', `a batch holds at most ${LIMITS.maxBatchLength} messages, got ${batch.length}`);
  }
  const envelope = BatchEnvelope.safeParse(body);
  if (!envelope.success) throw new HttpError(400, 'invalid_batch', 'the body is not a batch', issuesOf(envelope.error));
  const { batch: messages, ...rest } = envelope.data;
  if (messages.length === 0) throw new HttpError(400, 'empty_batch', 'the batch has no messages');
  const { problem } = checkShape({ ...rest }, MESSAGE_SHAPE);
  if (problem) throw new HttpError(400, problem.error, 'the batch envelope is over a limit', [problem.issue]);
  return { ...checkMessages(messages, ['batch']), sentAt: rest.sentAt, envelope: rest };
}

/** `/v1/track` etc.: the body is one message of the route's type. */
export function validateSingle(body: unknown, type: MessageType): Validated {
  const raw = body && typeof body === 'object' && !Array.isArray(body) ? { ...(body as object), type } : body;
  const result = checkMessages([raw], []);
  const rejected = result.rejected[0];
  if (rejected) throw new HttpError(rejected.error === 'message_too_large' ? 413 : 400, rejected.error, `the ${type} message is invalid`, rejected.issues);
  return { ...result, sentAt: undefined, envelope: {} };
}

/** The preview: one message of any type, its problems answered as issues (nothing thrown). */
export function validateMessage(body: unknown): Validated {
  return { ...checkMessages([body], []), sentAt: undefined, envelope: {} };
}

function checkMessages(batch: unknown[], prefix: (string | number)[]): Omit<Validated, 'sentAt' | 'envelope'> {
  const messages: Validated['messages'] = [];
  const rejected: Rejected[] = [];
  batch.forEach((raw, index) => {
    const at = prefix.length ? [...prefix, index] : [];
    const messageId = raw && typeof raw === 'object' ? (raw as { messageId?: unknown }).messageId : undefined;
    const base = { index, raw, ...(typeof messageId === 'string' && messageId.length <= 200 ? { messageId } : {}) };
    const bytes = utf8BytesOver(JSON.stringify(raw) ?? '', LIMITS.maxMessageBytes);
    if (bytes !== null) {
      rejected.push({ ...base, raw: preview(raw, bytes), error: 'message_too_large', issues: [{ path: at.join('.') || '(root)', message: `${bytes} bytes; a message may hold at most ${LIMITS.maxMessageBytes}` }] });
      return;
    }
    const type = raw && typeof raw === 'object' ? (raw as { type?: unknown }).type : undefined;
    if (typeof type !== 'string' || !(MessageTypes as readonly string[]).includes(type)) {
      rejected.push({ ...base, error: 'invalid_message', issues: [{ path: [...at, 'type'].join('.'), message: `type must be one of ${MessageTypes.join(', ')}` }] });
      return;
    }
    const { problem, removed } = checkShape(raw, MESSAGE_SHAPE, at.map(String));
    if (problem) {
      rejected.push({ ...base, error: problem.error, issues: [problem.issue] });
      return;
    }
    const parsed = Message.safeParse(raw);
    const notes = removed.map((path) => ({ reason: 'reserved_key', detail: `${path} removed: a reserved name (__proto__, constructor, prototype)` }));
    if (parsed.success) messages.push({ index, message: parsed.data, notes });
    else rejected.push({ ...base, error: 'invalid_message', issues: issuesOf(parsed.error, at) });
  });
  return { messages, rejected };
}

const UTF8 = new TextEncoder();

/**
 * The UTF-8 size of `text` when it is over `max` bytes, else null. A UTF-16 unit is 1 to 3 bytes, so
 * text of at most max / 3 units is under without encoding it (nearly every message).
 */
function utf8BytesOver(text: string, max: number): number | null {
  if (text.length * 3 <= max) return null;
  const bytes = UTF8.encode(text).byteLength;
  return bytes > max ? bytes : null;
}

/** What the debugger keeps of a message too large to store whole: its head, as text. */
function preview(raw: unknown, bytes: number): unknown {
  const text = JSON.stringify(raw) ?? '';
  return { truncated: true, bytes, head: text.slice(0, 1024) };
}
