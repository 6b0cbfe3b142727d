import type { Config } from '../config/config';
import type { Env } from '../env';
import type { QueueHealth } from './queueHealth';

export type { QueueHealth } from './queueHealth';

export interface Healthz {
  ok: true;
  /** `degraded` when any connection is not `ok`: the collector still accepts and stores events. */
  status: 'ok' | 'degraded';
  connections: QueueHealth[];
}

/**
 * GET /healthz: the collector answers (200) as long as it can store events; each connection's
 * queue says whether delivery is healthy. A load balancer should look at the HTTP status, an
 * operator at `status` and `connections[]`.
 */
export async function healthz(env: Env, config: Config): Promise<Healthz> {
  const connections = await Promise.all(config.connections.map((c) => env.DELIVERY_QUEUE.getByName(c.id).health(c.id)));
  return { ok: true, status: connections.every((c) => c.status === 'ok') ? 'ok' : 'degraded', connections };
}
