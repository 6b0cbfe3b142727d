import { z } from 'zod';
import { ConfigError } from './ConfigError';
import { DeliveryEntryFields, DeliverySettingsSchema, deliveryFromEnv } from './delivery';
import { MappingEntry, MappingSettings, mappingDraft } from './mappingSettings';
import { type Settings, settingNamed } from './settings';

/** MoEngage data centers; the number is the cluster in the dashboard URL (dashboard-01 → 01). */
export const DATA_CENTERS = ['01', '02', '03', '04', '05', '06', '101'] as const;

const positiveInt = z.coerce.number().int().positive();

/**
 * What a connection's queue needs to deliver: the workspace, its credentials and endpoint, the
 * rate limits and delivery settings. The DeliveryQueue reads only this, of its own connection.
 */
export const DeliveryConnectionSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lowercase letters, digits, "-" or "_"'),
  workspaceId: z.string().min(1),
  /** The Data API key itself (resolved from a secret, never from a plain var in production). */
  dataApiKey: z.string().min(1),
  dataCenter: z.enum(DATA_CENTERS),
  /** Overrides `https://api-{dc}.moengage.com` (the sandbox in dev and tests). */
  apiBase: z.url().optional(),
  eventsPerMinute: positiveInt,
  flushIntervalMs: positiveInt,
  /** Mode, packing, retries, limits and backlog bounds (config/delivery.ts, docs/delivery.md). */
  delivery: DeliverySettingsSchema,
});
export type DeliveryConnection = z.infer<typeof DeliveryConnectionSchema>;

/** One MoEngage workspace we deliver to: its own credentials, blueprint, limiter and queue. */
export const ConnectionSchema = DeliveryConnectionSchema.extend({
  blueprint: z.string().min(1),
  // Blueprint & identity settings (docs/blueprints.md): anonymous, anonymousHoldMinutes, phoneValidation, defaultPhoneCountry, moePrefix, nestedAttributes.
  ...MappingSettings.shape,
});
export type Connection = z.infer<typeof ConnectionSchema>;

/** Shape of one entry of `MOENGAGE_CONNECTIONS`: the key is named by a secret, never inlined. */
const ConnectionEntry = z.object({
  id: z.string(),
  workspaceId: z.string(),
  dataApiKeySecret: z.string().min(1),
  dataCenter: z.string().optional(),
  apiBase: z.string().optional(),
  /** A blueprint name, or a custom blueprint inline (object or JSON text). */
  blueprint: z.union([z.string(), z.looseObject({})]).optional(),
  ...MappingEntry.shape,
  eventsPerMinute: z.union([z.number(), z.string()]).optional(),
  flushIntervalMs: z.union([z.number(), z.string()]).optional(),
  ...DeliveryEntryFields,
});

const DEFAULTS = { dataCenter: '01', blueprint: 'retail', eventsPerMinute: 30_000, flushIntervalMs: 1_000 };

/** Connections from `MOENGAGE_CONNECTIONS` (JSON array) or else the flat `MOENGAGE_*` settings. */
export function readConnections(env: Settings): Connection[] {
  const drafts = env.MOENGAGE_CONNECTIONS ? fromJson(env) : [fromFlatSettings(env)];
  const ids = new Set<string>();
  return drafts.map((draft, i) => {
    const parsed = ConnectionSchema.safeParse(draft);
    if (!parsed.success) {
      const where = env.MOENGAGE_CONNECTIONS ? `MOENGAGE_CONNECTIONS[${i}]` : 'MOENGAGE_* settings';
      throw new ConfigError(where, parsed.error.issues.map((x) => `${x.path.join('.') || '(root)'}: ${x.message}`));
    }
    if (ids.has(parsed.data.id)) throw new ConfigError('MOENGAGE_CONNECTIONS', [`duplicate connection id "${parsed.data.id}"`]);
    ids.add(parsed.data.id);
    return parsed.data;
  });
}

/**
 * The delivery settings of one connection, read without looking at any other setting: another
 * connection's entry, a blueprint or a segments setting that is malformed does not stop this
 * connection's queue. Undefined when no connection has this id (any more); throws ConfigError when
 * this connection's own settings are malformed.
 */
export function readDeliveryConnection(env: Settings, id: string): DeliveryConnection | undefined {
  let draft: Record<string, unknown>;
  let where = 'MOENGAGE_* settings';
  if (env.MOENGAGE_CONNECTIONS) {
    const entries = parseEntries(env);
    const i = Array.isArray(entries) ? entries.findIndex((e) => e !== null && typeof e === 'object' && (e as { id?: unknown }).id === id) : -1;
    if (i === -1) return undefined;
    where = `MOENGAGE_CONNECTIONS[${i}]`;
    const entry = ConnectionEntry.safeParse((entries as unknown[])[i]);
    if (!entry.success) throw new ConfigError(where, entry.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`));
    draft = fromEntry(env, entry.data);
  } else {
    draft = fromFlatSettings(env);
    if (draft.id !== id) return undefined;
  }
  const parsed = DeliveryConnectionSchema.safeParse(draft);
  if (!parsed.success) throw new ConfigError(where, parsed.error.issues.map((x) => `${x.path.join('.') || '(root)'}: ${x.message}`));
  return parsed.data;
}

function fromFlatSettings(env: Settings): Record<string, unknown> {
  return {
    id: 'default',
    workspaceId: env.MOENGAGE_WORKSPACE_ID,
    dataApiKey: env.MOENGAGE_DATA_API_KEY,
    dataCenter: env.MOENGAGE_DATA_CENTER || DEFAULTS.dataCenter,
    apiBase: env.MOENGAGE_API_BASE || undefined,
    blueprint: env.BLUEPRINT || DEFAULTS.blueprint,
    ...mappingDraft(env),
    eventsPerMinute: env.MOENGAGE_EVENTS_PER_MINUTE || DEFAULTS.eventsPerMinute,
    flushIntervalMs: env.FLUSH_INTERVAL_MS || DEFAULTS.flushIntervalMs,
    delivery: deliveryFromEnv(env),
  };
}

function parseEntries(env: Settings): unknown {
  try {
    return JSON.parse(env.MOENGAGE_CONNECTIONS as string);
  } catch {
    throw new ConfigError('MOENGAGE_CONNECTIONS', ['is not valid JSON']);
  }
}

function fromJson(env: Settings): Record<string, unknown>[] {
  const entries = parseEntries(env);
  const list = z.array(ConnectionEntry).min(1).safeParse(entries);
  if (!list.success) {
    throw new ConfigError('MOENGAGE_CONNECTIONS', list.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`));
  }
  return list.data.map((entry) => fromEntry(env, entry));
}

function fromEntry(env: Settings, entry: z.infer<typeof ConnectionEntry>): Record<string, unknown> {
  return {
    id: entry.id,
    workspaceId: entry.workspaceId,
    dataApiKey: settingNamed(env, entry.dataApiKeySecret),
    dataCenter: entry.dataCenter ?? (env.MOENGAGE_DATA_CENTER || DEFAULTS.dataCenter),
    apiBase: entry.apiBase ?? (env.MOENGAGE_API_BASE || undefined),
    blueprint: typeof entry.blueprint === 'object' ? JSON.stringify(entry.blueprint) : (entry.blueprint ?? (env.BLUEPRINT || DEFAULTS.blueprint)),
    ...mappingDraft(env, entry),
    eventsPerMinute: entry.eventsPerMinute ?? (env.MOENGAGE_EVENTS_PER_MINUTE || DEFAULTS.eventsPerMinute),
    flushIntervalMs: entry.flushIntervalMs ?? (env.FLUSH_INTERVAL_MS || DEFAULTS.flushIntervalMs),
    delivery: deliveryFromEnv(env, entry),
  };
}
