// Types `env` and `exports` from `cloudflare:workers` / `cloudflare:test` with the Worker's own.
import type { Env as WorkerEnv } from '../../worker/env';

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {}
    interface GlobalProps {
      mainModule: typeof import('../../worker/index');
      durableNamespaces: 'DeliveryQueue' | 'SegmentStore' | 'SegmentSyncJournal' | 'RateLimiter' | 'CollectorLog' | 'ConnectionAlerts' | 'CollectorCounters';
    }
  }
}
