import type { RateLimiter } from './abuse/RateLimiter';
import type { ConnectionAlerts } from './alerts/ConnectionAlerts';
import type { CollectorLog } from './collector/CollectorLog';
import type { Settings } from './config/settings';
import type { DeliveryBudget } from './delivery/DeliveryBudget';
import type { DeliveryQueue } from './delivery/DeliveryQueue';
import type { CollectorCounters } from './metrics/CollectorCounters';
import type { SegmentStore } from './segments/SegmentStore';
import type { SegmentSyncJournal } from './segments/SegmentSyncJournal';

/**
 * What the Worker is given: its settings (config/settings.ts) and its bindings. Durable Object
 * classes never import this file (they type their own env narrowly), so nothing imports back into it.
 */
export interface Env extends Settings {
  DELIVERY_QUEUE: DurableObjectNamespace<DeliveryQueue>;
  /** One per connection: the MoEngage budget its queue shards lease from (delivery/DeliveryBudget.ts). */
  DELIVERY_BUDGET: DurableObjectNamespace<DeliveryBudget>;
  /** Collector-level records that belong to no connection: whole-request rejections. */
  COLLECTOR_LOG: DurableObjectNamespace<CollectorLog>;
  SEGMENT_STORE: DurableObjectNamespace<SegmentStore>;
  SEGMENT_SYNC_JOURNAL: DurableObjectNamespace<SegmentSyncJournal>;
  /** One per connection: delivery alerts and their webhook outbox (worker/alerts/). */
  CONNECTION_ALERTS: DurableObjectNamespace<ConnectionAlerts>;
  /** Collector-wide counters: tag served, requests refused (worker/metrics/). */
  COLLECTOR_COUNTERS: DurableObjectNamespace<CollectorCounters>;
  /** Optional Workers Analytics Engine dataset (docs/operations.md); unbound by default. */
  ANALYTICS?: AnalyticsEngineDataset;
  /** Abuse counters: ingest rate limits (when no Cloudflare binding is bound) and debugger lockouts. */
  RATE_LIMITER?: DurableObjectNamespace<RateLimiter>;
  /** Cloudflare rate limiting bindings (wrangler.toml `[[ratelimits]]`); when bound they replace the RateLimiter counts. */
  INGEST_IP_RATE_LIMIT?: RateLimit;
  INGEST_WRITE_KEY_RATE_LIMIT?: RateLimit;
  /** Keyed by write key and address: each address's share once its write key is over budget. */
  INGEST_SHARE_RATE_LIMIT?: RateLimit;
}
