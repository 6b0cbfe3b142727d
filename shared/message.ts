import { z } from 'zod';

/**
 * The ingest wire format: Segment's HTTP Tracking API shape, so analytics.js-style and Segment
 * server clients work unchanged. Unknown keys are kept (clients add their own), known keys are typed.
 */

/** Numeric ids must be exact: 12345678901234567890 would arrive as …000 and merge strangers' profiles. */
const id = z
  .union([
    z.string().min(1).max(255),
    z.number().refine(Number.isSafeInteger, { message: 'a numeric id must be an integer below 2^53; send larger ids as strings' }),
  ])
  .transform(String);
/** ISO 8601 (`2026-11-28T10:00:00.000Z`), as Segment's clients send it; Date.parse alone would take "12" as a date. */
const timestamp = z
  .string()
  .max(64)
  .refine((s) => /^\d{4}-\d{2}-\d{2}/.test(s) && !Number.isNaN(Date.parse(s)), { message: 'must be an ISO 8601 date-time' });
const dict = z.record(z.string(), z.unknown());

export const PageContext = z.looseObject({
  path: z.string().optional(),
  referrer: z.string().optional(),
  search: z.string().optional(),
  title: z.string().optional(),
  url: z.string().optional(),
});

export const Context = z.looseObject({
  traits: dict.optional(),
  page: PageContext.optional(),
  userAgent: z.string().optional(),
  locale: z.string().optional(),
  timezone: z.string().optional(),
  ip: z.string().optional(),
  campaign: dict.optional(),
  library: z.looseObject({ name: z.string(), version: z.string() }).optional(),
});

const common = {
  messageId: z.string().min(1).max(200).optional(),
  anonymousId: id.optional(),
  userId: id.nullish(),
  timestamp: timestamp.optional(),
  originalTimestamp: timestamp.optional(),
  sentAt: timestamp.optional(),
  context: Context.optional(),
  integrations: dict.optional(),
};

export const TrackMessage = z.looseObject({
  ...common,
  type: z.literal('track'),
  event: z.string().min(1).max(255),
  properties: dict.optional(),
});
export const IdentifyMessage = z.looseObject({ ...common, type: z.literal('identify'), traits: dict.optional() });
export const PageMessage = z.looseObject({
  ...common,
  type: z.literal('page'),
  name: z.string().max(255).nullish(),
  category: z.string().max(255).nullish(),
  properties: dict.optional(),
});
export const ScreenMessage = z.looseObject({
  ...common,
  type: z.literal('screen'),
  name: z.string().max(255).nullish(),
  properties: dict.optional(),
});
export const GroupMessage = z.looseObject({ ...common, type: z.literal('group'), groupId: id, traits: dict.optional() });
export const AliasMessage = z.looseObject({ ...common, type: z.literal('alias'), userId: id, previousId: id });

export const MessageTypes = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const;
export type MessageType = (typeof MessageTypes)[number];

export const Message = z
  .discriminatedUnion('type', [TrackMessage, IdentifyMessage, PageMessage, ScreenMessage, GroupMessage, AliasMessage])
  .refine((m) => m.userId != null || m.anonymousId != null, {
    message: 'either userId or anonymousId is required',
    path: ['userId'],
  });
export type Message = z.infer<typeof Message>;
export type TrackMessage = z.infer<typeof TrackMessage>;
export type IdentifyMessage = z.infer<typeof IdentifyMessage>;
export type PageMessage = z.infer<typeof PageMessage>;
export type AliasMessage = z.infer<typeof AliasMessage>;
export type GroupMessage = z.infer<typeof GroupMessage>;

/** `POST /v1/batch` envelope. Messages are validated one by one so one bad message cannot sink the rest. */
export const BatchEnvelope = z.looseObject({
  batch: z.array(z.unknown()),
  sentAt: timestamp.optional(),
  writeKey: z.string().max(200).optional(),
  context: Context.optional(),
  integrations: dict.optional(),
});
export type BatchEnvelope = z.infer<typeof BatchEnvelope>;

/** What the collector answers to a valid ingest request. */
export interface IngestResponse {
  ok: true;
  accepted: number;
  duplicates: number;
  rejected: { index: number; messageId?: string; error: string; issues: Issue[] }[];
}

/** One problem with a request or message: where (dotted path) and why. */
export interface Issue {
  path: string;
  message: string;
}

/** The JSON body of every error answer: `{ error, detail }`, plus issues for validation errors. */
export interface ErrorBody {
  error: string;
  detail: string;
  issues?: Issue[];
}
