import { z } from 'zod';
import type { Env } from '../env';
import { ConfigError } from './ConfigError';
import { DeliveryEntryFields, DeliverySettingsSchema, deliveryFromEnv } from './delivery';
import { MappingEntry, MappingSettings, mappingDraft } from './mappingSettings';

/** MoEngage data centers; the number is the cluster in the dashboard URL (dashboard-01 → 01). */
export const DATA_CENTERS = ['01', '02', '03', '04', '05', '06', '101'] as const;

const positiveInt = z.coerce.number().int().positive();

/** One MoEngage workspace we deliver to: its own credentials, blueprint, limiter and queue. */
export const ConnectionSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lowercase letters, digits, "-" or "_"'),
  workspaceId: z.string().min(1),
  /** The Data API key itself (resolved from a secret, never from a plain var in production). */
  dataApiKey: z.string().min(1),
  dataCenter: z.enum(DATA_CENTERS),
  /** Overrides `https://api-{dc}.moengage.com` (the sandbox in dev and tests). */
  apiBase: z.url().optional(),
  blueprint: z.string().min(1),
  // Blueprint & identity settings (docs/blueprints.md): anonymous, anonymousHoldMinutes, phoneValidation, defaultPhoneCountry, moePrefix, nestedAttributes.
  ...MappingSettings.shape,
  eventsPerMinute: positiveInt,
  flushIntervalMs: positiveInt,
  /** Mode, packing, retries, limits and backlog bounds (config/delivery.ts, docs/delivery.md). */
  delivery: DeliverySettingsSchema,
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
export function readConnections(env: Env): Connection[] {
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

function fromFlatSettings(env: Env): Record<string, unknown> {
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

function fromJson(env: Env): Record<string, unknown>[] {
  let entries: unknown;
  try {
    entries = JSON.parse(env.MOENGAGE_CONNECTIONS as string);
  } catch {
    throw new ConfigError('MOENGAGE_CONNECTIONS', ['is not valid JSON']);
  }
  const list = z.array(ConnectionEntry).min(1).safeParse(entries);
  if (!list.success) {
    throw new ConfigError('MOENGAGE_CONNECTIONS', list.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`));
  }
  return list.data.map((entry) => ({
    id: entry.id,
    workspaceId: entry.workspaceId,
    dataApiKey: env[entry.dataApiKeySecret],
    dataCenter: entry.dataCenter ?? (env.MOENGAGE_DATA_CENTER || DEFAULTS.dataCenter),
    apiBase: entry.apiBase ?? (env.MOENGAGE_API_BASE || undefined),
    blueprint: typeof entry.blueprint === 'object' ? JSON.stringify(entry.blueprint) : (entry.blueprint ?? (env.BLUEPRINT || DEFAULTS.blueprint)),
    ...mappingDraft(env, entry),
    eventsPerMinute: entry.eventsPerMinute ?? (env.MOENGAGE_EVENTS_PER_MINUTE || DEFAULTS.eventsPerMinute),
    flushIntervalMs: entry.flushIntervalMs ?? (env.FLUSH_INTERVAL_MS || DEFAULTS.flushIntervalMs),
    delivery: deliveryFromEnv(env, entry),
  }));
}
