import type { Settings } from '../config/settings';
import type { AlertsInbox } from './alertSignal';
import type { BudgetCalls } from './budgetCalls';

/**
 * What a DeliveryQueue is given: its settings (it reads only its own connection's) and the few
 * bindings it calls, typed by what it calls on them, so it needs no other Durable Object's class.
 */
export interface QueueEnv extends Settings {
  /** Each connection's alerts: the queue reports changes of its state there. */
  CONNECTION_ALERTS: DurableObjectNamespace<AlertsInbox>;
  /** Each connection's MoEngage budget, shared by its queue shards (DeliveryBudget.ts). */
  DELIVERY_BUDGET: DurableObjectNamespace<BudgetCalls>;
  /** Optional Workers Analytics Engine dataset: a data point per MoEngage attempt. */
  ANALYTICS?: AnalyticsEngineDataset;
}
