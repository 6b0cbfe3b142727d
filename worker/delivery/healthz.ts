import type { Config } from '../config/config';
import type { Env } from '../env';
import type { QueueHealth } from './queueHealth';
import { healthOf } from './queues';

export type { QueueHealth } from './queueHealth';

export interface Healthz {
  ok: true;
  /** `degraded` when any connection is not `ok`, or a setting is malformed: the collector still accepts and stores events. */
  status: 'ok' | 'degraded';
  connections: QueueHealth[];
  /** Malformed settings (named, never their values) and what they stop; absent when all are well. */
  misconfigured?: { setting: string; problems: string[] }[];
}

/**
 * GET /healthz: the collector answers (200) as long as it can store events; each connection's
 * queue says whether delivery is healthy. A load balancer should look at the HTTP status, an
 * operator at `status`, `connections[]` and `misconfigured[]`.
 */
export async function healthz(env: Env, config: Config): Promise<Healthz> {
  const connections = await healthOf(env, config.connections);
  const misconfigured = config.problems.map((p) => ({ setting: p.setting, problems: p.problems }));
  return {
    ok: true,
    status: connections.every((c) => c.status === 'ok') && !misconfigured.length ? 'ok' : 'degraded',
    connections,
    ...(misconfigured.length ? { misconfigured } : {}),
  };
}
