import { z } from 'zod';
import type { SettingName, Settings } from './settings';

/**
 * How one connection delivers: mode, packing, limits, retries and backlog bounds (docs/delivery.md).
 * Each setting is a flat var (applies to every connection) and an optional field of a
 * `MOENGAGE_CONNECTIONS` entry (overrides the var for that connection).
 */
export const DeliverySettingsSchema = z.object({
  /** `realtime`: flush within the connection's flushIntervalMs; `batch`: on a cadence aligned to the clock. */
  mode: z.enum(['realtime', 'batch']),
  batchCadenceMinutes: z.coerce.number().int().min(1).max(1440),
  /** `event`: one /v1/event request per customer; `bulk`: /v1/transition; `auto`: bulk once it saves requests. */
  packing: z.enum(['auto', 'event', 'bulk']),
  /** Failed attempts (5xx, timeouts, network) before an event is dead-lettered; 429s are not failures. */
  maxAttempts: z.coerce.number().int().min(1).max(100),
  /** MoEngage Track User limit (customer updates, also inside bulk requests). */
  customerUpdatesPerMinute: z.coerce.number().int().positive(),
  /** MoEngage Merge User limit (merged pairs). */
  mergesPerMinute: z.coerce.number().int().positive(),
  /** Optional cap on requests (some accounts have a request quota); absent = only the unit limits apply. */
  requestsPerMinute: z.coerce.number().int().positive().optional(),
  /** Events waiting (queued, retrying, paused) above which ingest answers 503 backlog_full. */
  maxBacklogEvents: z.coerce.number().int().positive(),
  /** An event still undelivered this long after it was queued is dead-lettered with reason `expired`. */
  maxEventAgeHours: z.coerce.number().positive(),
  /**
   * Hours a finished event (delivered, dropped, dead) stays in the log after its last change: the
   * debugger's history and the dedupe window. DEBUGGER_RETENTION_HOURS (EVENT_LOG_RETENTION_DAYS × 24
   * is read as an alias).
   */
  logRetentionHours: z.coerce.number().positive(),
  /** Rows the log keeps at most (storage bound); beyond it the oldest delivered/dropped events go first. */
  maxLogEvents: z.coerce.number().int().positive(),
  /** Days a dead letter stays replayable after it died, unless replayed or purged first (the log's retention leaves it alone). */
  deadLetterRetentionDays: z.coerce.number().positive().max(3650, 'at most 3650 (10 years)'),
});
export type DeliverySettings = z.infer<typeof DeliverySettingsSchema>;

export const DELIVERY_DEFAULTS: DeliverySettings = {
  mode: 'realtime',
  batchCadenceMinutes: 15,
  packing: 'auto',
  maxAttempts: 8,
  customerUpdatesPerMinute: 10_000,
  mergesPerMinute: 1_000,
  maxBacklogEvents: 500_000,
  maxEventAgeHours: 72,
  logRetentionHours: 168,
  maxLogEvents: 2_000_000,
  deadLetterRetentionDays: 30,
};

const num = z.union([z.number(), z.string()]).optional();

/**
 * One name per setting: each delivery setting is a flat var and, under the same name in camelCase,
 * a field of a `MOENGAGE_CONNECTIONS` entry. Older spellings stay accepted as aliases (README
 * "Configuration"): `packing` for `deliveryPacking`; EVENT_LOG_RETENTION_DAYS / `logRetentionDays`
 * (in days) for DEBUGGER_RETENTION_HOURS / `debuggerRetentionHours`.
 */
const NAMES = {
  mode: { setting: 'DELIVERY_MODE', key: 'deliveryMode' },
  batchCadenceMinutes: { setting: 'BATCH_CADENCE_MINUTES', key: 'batchCadenceMinutes' },
  packing: { setting: 'DELIVERY_PACKING', key: 'deliveryPacking', alias: 'packing' },
  maxAttempts: { setting: 'MAX_ATTEMPTS', key: 'maxAttempts' },
  customerUpdatesPerMinute: { setting: 'MOENGAGE_CUSTOMER_UPDATES_PER_MINUTE', key: 'customerUpdatesPerMinute' },
  mergesPerMinute: { setting: 'MOENGAGE_MERGES_PER_MINUTE', key: 'mergesPerMinute' },
  requestsPerMinute: { setting: 'MOENGAGE_REQUESTS_PER_MINUTE', key: 'requestsPerMinute' },
  maxBacklogEvents: { setting: 'MAX_BACKLOG_EVENTS', key: 'maxBacklogEvents' },
  maxEventAgeHours: { setting: 'MAX_EVENT_AGE_HOURS', key: 'maxEventAgeHours' },
  maxLogEvents: { setting: 'MAX_LOG_EVENTS', key: 'maxLogEvents' },
  deadLetterRetentionDays: { setting: 'DEAD_LETTER_RETENTION_DAYS', key: 'deadLetterRetentionDays' },
} as const satisfies Partial<Record<keyof DeliverySettings, { setting: SettingName; key: string; alias?: string }>>;

/** The delivery fields a `MOENGAGE_CONNECTIONS` entry may carry. */
export const DeliveryEntryFields = {
  deliveryMode: z.string().optional(),
  batchCadenceMinutes: num,
  deliveryPacking: z.string().optional(),
  /** Alias of deliveryPacking. */
  packing: z.string().optional(),
  maxAttempts: num,
  customerUpdatesPerMinute: num,
  mergesPerMinute: num,
  requestsPerMinute: num,
  maxBacklogEvents: num,
  maxEventAgeHours: num,
  debuggerRetentionHours: num,
  /** Alias of debuggerRetentionHours, in days (the delivery engine's first name for it). */
  logRetentionDays: num,
  maxLogEvents: num,
  deadLetterRetentionDays: num,
};
type DeliveryEntry = { [K in keyof typeof DeliveryEntryFields]?: z.infer<(typeof DeliveryEntryFields)[K]> };

const blank = (v: unknown) => (v === '' || v === undefined || v === null ? undefined : v);

/** Flat vars → draft delivery settings (validated with the connection); an entry's own fields win. */
export function deliveryFromEnv(env: Settings, entry: DeliveryEntry = {}): Record<string, unknown> {
  const draft: Record<string, unknown> = {};
  for (const [field, name] of Object.entries(NAMES) as [keyof typeof NAMES, (typeof NAMES)[keyof typeof NAMES]][]) {
    const own = blank(entry[name.key as keyof DeliveryEntry]) ?? ('alias' in name ? blank(entry[name.alias as keyof DeliveryEntry]) : undefined);
    draft[field] = own ?? blank(env[name.setting]) ?? DELIVERY_DEFAULTS[field];
  }
  draft.logRetentionHours = retentionHours(env, entry);
  return draft;
}

/**
 * One retention for the debugger's log and the dedupe window: DEBUGGER_RETENTION_HOURS, or its alias
 * EVENT_LOG_RETENTION_DAYS (days × 24). A connection's own field beats a var; hours beat days at the
 * same level.
 */
function retentionHours(env: Settings, entry: DeliveryEntry): unknown {
  const days = (v: unknown) => {
    const value = blank(v);
    if (value === undefined) return undefined;
    const n = Number(value);
    // Left as text when malformed, so the schema reports it under delivery.logRetentionHours.
    return Number.isFinite(n) ? n * 24 : value;
  };
  return (
    blank(entry.debuggerRetentionHours) ??
    days(entry.logRetentionDays) ??
    blank(env.DEBUGGER_RETENTION_HOURS) ??
    days(env.EVENT_LOG_RETENTION_DAYS) ??
    DELIVERY_DEFAULTS.logRetentionHours
  );
}
