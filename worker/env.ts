import type { DeliveryQueue } from './index';

/** Bindings, vars and secrets, typed once (see wrangler.toml and README "Configuration"). */
export interface Env {
  DELIVERY_QUEUE: DurableObjectNamespace<DeliveryQueue>;
  MOENGAGE_API_BASE?: string;
}
