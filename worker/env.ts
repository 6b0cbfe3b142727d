import type { DeliveryQueue } from './delivery/DeliveryQueue';

/**
 * Bindings, vars and secrets, typed once. Every setting is a string (wrangler vars, `--var`,
 * `.dev.vars`, `wrangler secret put`); `config/` parses and checks them. README "Configuration".
 */
export interface Env {
  DELIVERY_QUEUE: DurableObjectNamespace<DeliveryQueue>;

  // One MoEngage connection from flat settings…
  MOENGAGE_WORKSPACE_ID?: string;
  /** secret */
  MOENGAGE_DATA_API_KEY?: string;
  MOENGAGE_DATA_CENTER?: string;
  MOENGAGE_API_BASE?: string;
  BLUEPRINT?: string;
  MOENGAGE_EVENTS_PER_MINUTE?: string;
  FLUSH_INTERVAL_MS?: string;
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
  EVENT_LOG_RETENTION_DAYS?: string;
  // …or several, as JSON (see config/connections.ts).
  MOENGAGE_CONNECTIONS?: string;

  /** Comma list of accepted write keys. */
  WRITE_KEYS?: string;
  /** secret */
  DEBUGGER_TOKEN?: string;
  ALLOWED_ORIGINS?: string;
  DEFAULT_PHONE_COUNTRY?: string;
  TAG_PATH?: string;
  INGEST_PATH?: string;
  /** "on" serves the demo page at /demo (local development). */
  DEMO_PAGE?: string;

  [setting: string]: unknown;
}
