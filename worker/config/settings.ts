/**
 * Every setting the collector reads, typed once: wrangler vars (`[vars]`, `[env.*]`, `--var`) and
 * secrets (`wrangler secret put`, `.dev.vars`), all text (BLUEPRINTS may also be a wrangler JSON
 * var). No index signature: a misspelt setting does not type-check. `config/` parses them;
 * README "Configuration" documents them. Bindings (Durable Objects, rate limits) are in env.ts.
 */
export interface Settings {
  // One MoEngage connection from flat settings…
  MOENGAGE_WORKSPACE_ID?: string;
  /** secret */
  MOENGAGE_DATA_API_KEY?: string;
  MOENGAGE_DATA_CENTER?: string;
  /** Portfolio workspaces: the project (`?project_code=`) of the flat-settings connection. */
  MOENGAGE_PROJECT_CODE?: string;
  MOENGAGE_API_BASE?: string;
  BLUEPRINT?: string;
  MOENGAGE_EVENTS_PER_MINUTE?: string;
  FLUSH_INTERVAL_MS?: string;
  /** Queue shards per connection (1–64; a MOENGAGE_CONNECTIONS entry's `shards` wins). docs/scaling.md. */
  QUEUE_SHARDS?: string;
  // Blueprints & identity (docs/blueprints.md). BLUEPRINTS: custom blueprints, JSON text or a wrangler JSON var.
  BLUEPRINTS?: string | object;
  ANONYMOUS?: string;
  ANONYMOUS_HOLD_MINUTES?: string;
  PHONE_VALIDATION?: string;
  MOE_PREFIX?: string;
  NESTED_ATTRIBUTES?: string;
  DEFAULT_PHONE_COUNTRY?: string;
  // Delivery (config/delivery.ts; also per MOENGAGE_CONNECTIONS entry).
  DELIVERY_MODE?: string;
  BATCH_CADENCE_MINUTES?: string;
  DELIVERY_PACKING?: string;
  MAX_ATTEMPTS?: string;
  MOENGAGE_CUSTOMER_UPDATES_PER_MINUTE?: string;
  MOENGAGE_MERGES_PER_MINUTE?: string;
  MOENGAGE_REQUESTS_PER_MINUTE?: string;
  MAX_BACKLOG_EVENTS?: string;
  MAX_EVENT_AGE_HOURS?: string;
  /** Hours finished events stay in the debugger's log (and the dedupe window); default 168. */
  DEBUGGER_RETENTION_HOURS?: string;
  /** Alias of DEBUGGER_RETENTION_HOURS in days (read when that is unset). */
  EVENT_LOG_RETENTION_DAYS?: string;
  MAX_LOG_EVENTS?: string;
  /** Days a dead letter stays replayable (until replayed or purged); default 30. */
  DEAD_LETTER_RETENTION_DAYS?: string;
  // …or several, as JSON (config/connections.ts); each names the secret holding its key.
  MOENGAGE_CONNECTIONS?: string;

  /** Comma list of accepted write keys. */
  WRITE_KEYS?: string;
  /** secret */
  DEBUGGER_TOKEN?: string;
  ALLOWED_ORIGINS?: string;
  TAG_PATH?: string;
  INGEST_PATH?: string;
  /** Requests per minute per client address / per write key; 0 turns the limit off. */
  INGEST_RATE_PER_IP?: string;
  INGEST_RATE_PER_WRITE_KEY?: string;
  /** Requests per minute each address keeps while its write key is over INGEST_RATE_PER_WRITE_KEY (abuse/writeKeyBudget.ts). */
  INGEST_RATE_SHARE_PER_IP?: string;
  /** drop (default) | mark | allow: what happens to bot and prefetch traffic. */
  BOT_POLICY?: string;
  // Alerts (config/alerts.ts, docs/operations.md).
  /** secret: comma list of incoming webhook URLs */
  ALERT_WEBHOOK_URL?: string;
  ALERT_DEAD_LETTERS?: string;
  ALERT_BACKLOG_MINUTES?: string;
  /** The collector's public URL, for the debugger links in alerts. */
  COLLECTOR_URL?: string;
  /** "on" serves the demo page at /demo (local development). */
  DEMO_PAGE?: string;
  /** Where `npm start`'s sandbox answers, linked from the demo page. */
  DEMO_SANDBOX_URL?: string;

  // MoEngage Outbound Segment Sync and GET /v1/segments (config/segments.ts, docs/segments.md).
  /** secret */
  SEGMENT_SYNC_USERNAME?: string;
  /** secret */
  SEGMENT_SYNC_PASSWORD?: string;
  SEGMENT_SYNC_USER_KEY?: string;
  SEGMENT_SYNC_ADD_KEY?: string;
  SEGMENT_SYNC_REMOVE_KEY?: string;
  SEGMENT_SYNC_RESYNC_MARKER?: string;
  /** secret */
  SEGMENTS_IDENTITY_SECRET?: string;
  SEGMENTS_CACHE_SECONDS?: string;
  SEGMENTS_VISIBLE?: string;
}

export type SettingName = keyof Settings;

/**
 * A setting whose name is itself configured: the secret a MOENGAGE_CONNECTIONS entry names in
 * `dataApiKeySecret`. The only read by a name that is not known when this file is written.
 */
export function settingNamed(settings: Settings, name: string): unknown {
  // Names Object.prototype carries (constructor, toString…) are nobody's secret.
  return name in Object.prototype ? undefined : (settings as Record<string, unknown>)[name];
}
