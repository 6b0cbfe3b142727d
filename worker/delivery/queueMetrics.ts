import type { Amounts, Limits } from './limiter';
import type { QueueHealth } from './queueHealth';
import type { CounterRow } from './store/counters';

/** What one queue reports for GET /debugger/api/metrics (DeliveryQueue.metrics; worker/metrics/ renders it). */
export interface QueueMetrics {
  health: QueueHealth;
  counters: CounterRow[];
  unitsInWindow: Amounts;
  limits: Limits | null;
}
