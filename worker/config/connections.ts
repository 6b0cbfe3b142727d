import { z } from 'zod';
import { ConfigError } from './ConfigError';
import { DATA_CENTERS, parseDataCenter } from './dataCenter';
import { DeliveryEntryFields, DeliverySettingsSchema, deliveryFromEnv } from './delivery';
import { MappingEntry, MappingSettings, mappingDraft } from './mappingSettings';
import { type Settings, settingNamed } from './settings';

export { DATA_CENTERS } from './dataCenter';

const positiveInt = z.coerce.number().int().positive();

/** More shards than this buys nothing MoEngage's one budget per connection could use. */
export const MAX_QUEUE_SHARDS = 64;

/**
 * What a connection's queue needs to deliver: the workspace, its credentials and endpoint, the
 * rate limits and delivery settings. The DeliveryQueue reads only this, of its own connection.
 */
const DeliveryFields = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lowercase letters, digits, "-" or "_"'),
  workspaceId: z.string().min(1),
  /** The Data API key itself (resolved from a secret, never from a plain var in production). */
  dataApiKey: z.string().min(1),
  /**
   * `01`–`06` or `101` (spellings like `DC-02` accepted). Needed unless `apiBase` is set; never a
   * silent default, since the wrong cluster answers 401/404 for every request.
   */
  dataCenter: z
    .string()
    .transform((raw, ctx) => {
      const parsed = parseDataCenter(raw);
      if (parsed.ok) return parsed.dataCenter;
      ctx.addIssue({ code: 'custom', message: `use ${DATA_CENTERS.join(', ')} (DC-02 and dc02 are read as 02), the number in your dashboard URL (dashboard-02 → 02)` });
      return z.NEVER;
    })
    .optional(),
  /** Overrides `https://api-{dc}.moengage.com` (the sandbox in dev and tests). */
  apiBase: z.url().optional(),
  /**
   * Portfolio workspaces: the project the data belongs to, sent as `?project_code=` on Track User,
   * Create Event and Bulk Import (where MoEngage documents it).
   */
  projectCode: z.string().trim().min(1).max(200).optional(),
  eventsPerMinute: positiveInt,
  flushIntervalMs: positiveInt,
  /**
   * Queue shards (Durable Objects) the connection's events are spread over, by visitor
   * (delivery/shardRouting.ts); one MoEngage budget serves them all. docs/scaling.md says when to raise it.
   */
  shards: z.coerce.number().int().min(1, 'must be at least 1').max(MAX_QUEUE_SHARDS, `must be at most ${MAX_QUEUE_SHARDS}`),
  /** Mode, packing, retries, limits and backlog bounds (config/delivery.ts, docs/delivery.md). */
  delivery: DeliverySettingsSchema,
});

function needsDestination(connection: { dataCenter?: string; apiBase?: string }, ctx: z.RefinementCtx): void {
  if (connection.dataCenter === undefined && connection.apiBase === undefined) {
    ctx.addIssue({ code: 'custom', path: ['dataCenter'], message: `is not set: set the MoEngage data center (${DATA_CENTERS.join(', ')}, the number in your dashboard URL), or an API base URL` });
  }
}

export const DeliveryConnectionSchema = DeliveryFields.superRefine(needsDestination);
export type DeliveryConnection = z.infer<typeof DeliveryConnectionSchema>;

/** One MoEngage workspace we deliver to: its own credentials, blueprint, limiter and queue. */
export const ConnectionSchema = DeliveryFields.extend({
  /** Another connection may point at the same workspace and data center (each event is then sent to it twice). */
  allowDuplicateWorkspace: z.boolean().optional(),
  blueprint: z.string().min(1),
  // Blueprint & identity settings (docs/blueprints.md): anonymous, anonymousHoldMinutes, phoneValidation, defaultPhoneCountry, moePrefix, nestedAttributes.
  ...MappingSettings.shape,
}).superRefine(needsDestination);
export type Connection = z.infer<typeof ConnectionSchema>;

/** Shape of one entry of `MOENGAGE_CONNECTIONS`: the key is named by a secret, never inlined. */
const ConnectionEntry = z.object({
  id: z.string(),
  workspaceId: z.string(),
  dataApiKeySecret: z.string().min(1),
  dataCenter: z.string().optional(),
  apiBase: z.string().optional(),
  projectCode: z.string().optional(),
  allowDuplicateWorkspace: z.boolean().optional(),
  /** A blueprint name, or a custom blueprint inline (object or JSON text). */
  blueprint: z.union([z.string(), z.looseObject({})]).optional(),
  ...MappingEntry.shape,
  eventsPerMinute: z.union([z.number(), z.string()]).optional(),
  flushIntervalMs: z.union([z.number(), z.string()]).optional(),
  shards: z.union([z.number(), z.string()]).optional(),
  ...DeliveryEntryFields,
});

const DEFAULTS = { blueprint: 'retail', eventsPerMinute: 30_000, flushIntervalMs: 1_000, shards: 1 };

/** Connections from `MOENGAGE_CONNECTIONS` (JSON array) or else the flat `MOENGAGE_*` settings. */
export function readConnections(env: Settings): Connection[] {
  const drafts = env.MOENGAGE_CONNECTIONS ? fromJson(env) : [fromFlatSettings(env)];
  const ids = new Set<string>();
  const connections = drafts.map((draft, i) => {
    const parsed = ConnectionSchema.safeParse(draft);
    if (!parsed.success) {
      if (!env.MOENGAGE_CONNECTIONS) throw flatSettingsError(parsed.error.issues);
      throw new ConfigError(`MOENGAGE_CONNECTIONS[${i}]`, parsed.error.issues.map((x) => `${x.path.join('.') || '(root)'}: ${x.message}`));
    }
    if (ids.has(parsed.data.id)) throw new ConfigError('MOENGAGE_CONNECTIONS', [`duplicate connection id "${parsed.data.id}"`]);
    ids.add(parsed.data.id);
    return parsed.data;
  });
  const twice = duplicateWorkspaces(connections);
  if (twice.length) throw new ConfigError('MOENGAGE_CONNECTIONS', twice);
  return connections;
}

/** The flat MOENGAGE_* settings name the variable at fault, as the operator wrote it. */
function flatSettingsError(issues: readonly { path: PropertyKey[]; message: string }[]): ConfigError {
  const first = issues[0];
  if (issues.length === 1 && first?.path[0] === 'shards') return new ConfigError('QUEUE_SHARDS', [`${first.message} (a whole number of queue shards, 1–${MAX_QUEUE_SHARDS})`]);
  if (issues.length === 1 && first?.path[0] === 'dataCenter') {
    const unset = first.message.startsWith('is not set');
    return new ConfigError('MOENGAGE_DATA_CENTER', [
      unset
        ? `is not set: set it to your MoEngage data center (${DATA_CENTERS.join(', ')}, the number in your dashboard URL: dashboard-02 → 02), or set MOENGAGE_API_BASE`
        : `is not a MoEngage data center: ${first.message}`,
    ]);
  }
  return new ConfigError('MOENGAGE_* settings', issues.map((x) => `${x.path.join('.') || '(root)'}: ${x.message}`));
}

/** Where a connection's requests go: one workspace on one MoEngage cluster (or one base URL). */
function destinationOf(connection: Pick<Connection, 'apiBase' | 'dataCenter' | 'workspaceId'>): string {
  const base = (connection.apiBase ?? `https://api-${connection.dataCenter}.moengage.com`).replace(/\/+$/, '').toLowerCase();
  return `${base} ${connection.workspaceId.trim()}`;
}

/**
 * Every connection receives every event, so two pointing at one workspace on one data center
 * send each event to MoEngage twice. Refused unless one of them says it is meant.
 */
export function duplicateWorkspaces(connections: readonly Connection[]): string[] {
  const seen = new Map<string, Connection>();
  const problems: string[] = [];
  for (const connection of connections) {
    const destination = destinationOf(connection);
    const earlier = seen.get(destination);
    if (earlier && !earlier.allowDuplicateWorkspace && !connection.allowDuplicateWorkspace) {
      const where = connection.dataCenter ? `data center ${connection.dataCenter}` : 'the same API base URL';
      problems.push(
        `connections "${earlier.id}" and "${connection.id}" both send to workspace ${connection.workspaceId} on ${where}, so every event would reach MoEngage twice; remove one, or set "allowDuplicateWorkspace": true on one of them if that is meant`,
      );
    }
    if (!earlier) seen.set(destination, connection);
  }
  return problems;
}

/**
 * The delivery settings of one connection, read without looking at any other setting: another
 * connection's entry, a blueprint or a segments setting that is malformed does not stop this
 * connection's queue. Undefined when no connection has this id (any more); throws ConfigError when
 * this connection's own settings are malformed.
 */
export function readDeliveryConnection(env: Settings, id: string): DeliveryConnection | undefined {
  if (env.MOENGAGE_CONNECTIONS) {
    const entries = parseEntries(env);
    const i = Array.isArray(entries) ? entries.findIndex((e) => e !== null && typeof e === 'object' && (e as { id?: unknown }).id === id) : -1;
    if (i === -1) return undefined;
    const where = `MOENGAGE_CONNECTIONS[${i}]`;
    const entry = ConnectionEntry.safeParse((entries as unknown[])[i]);
    if (!entry.success) throw new ConfigError(where, entry.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`));
    const parsed = DeliveryConnectionSchema.safeParse(fromEntry(env, entry.data));
    if (!parsed.success) throw new ConfigError(where, parsed.error.issues.map((x) => `${x.path.join('.') || '(root)'}: ${x.message}`));
    return parsed.data;
  }
  const draft = fromFlatSettings(env);
  if (draft.id !== id) return undefined;
  const parsed = DeliveryConnectionSchema.safeParse(draft);
  if (!parsed.success) throw flatSettingsError(parsed.error.issues);
  return parsed.data;
}

function fromFlatSettings(env: Settings): Record<string, unknown> {
  return {
    id: 'default',
    workspaceId: env.MOENGAGE_WORKSPACE_ID,
    dataApiKey: env.MOENGAGE_DATA_API_KEY,
    dataCenter: env.MOENGAGE_DATA_CENTER || undefined,
    apiBase: env.MOENGAGE_API_BASE || undefined,
    projectCode: env.MOENGAGE_PROJECT_CODE || undefined,
    blueprint: env.BLUEPRINT || DEFAULTS.blueprint,
    ...mappingDraft(env),
    eventsPerMinute: env.MOENGAGE_EVENTS_PER_MINUTE || DEFAULTS.eventsPerMinute,
    flushIntervalMs: env.FLUSH_INTERVAL_MS || DEFAULTS.flushIntervalMs,
    shards: env.QUEUE_SHARDS || DEFAULTS.shards,
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
  const list = z.array(ConnectionEntry).min(1).safeParse(parseEntries(env));
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
    dataCenter: entry.dataCenter ?? (env.MOENGAGE_DATA_CENTER || undefined),
    apiBase: entry.apiBase ?? (env.MOENGAGE_API_BASE || undefined),
    projectCode: entry.projectCode,
    allowDuplicateWorkspace: entry.allowDuplicateWorkspace,
    blueprint: typeof entry.blueprint === 'object' ? JSON.stringify(entry.blueprint) : (entry.blueprint ?? (env.BLUEPRINT || DEFAULTS.blueprint)),
    ...mappingDraft(env, entry),
    eventsPerMinute: entry.eventsPerMinute ?? (env.MOENGAGE_EVENTS_PER_MINUTE || DEFAULTS.eventsPerMinute),
    flushIntervalMs: entry.flushIntervalMs ?? (env.FLUSH_INTERVAL_MS || DEFAULTS.flushIntervalMs),
    shards: entry.shards ?? (env.QUEUE_SHARDS || DEFAULTS.shards),
    delivery: deliveryFromEnv(env, entry),
  };
}
