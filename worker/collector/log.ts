import { takeLegacyRejections } from '../delivery/queues';
import type { Env } from '../env';
import type { Rejection, RejectionLog } from './rejectionLog';

/** The collector's own log has one instance, whatever the connections are called. */
function collectorLog(env: Pick<Env, 'COLLECTOR_LOG'>) {
  return env.COLLECTOR_LOG.getByName('collector');
}

export function recordRejection(env: Env, rejection: Rejection): Promise<void> {
  return collectorLog(env).recordRejection(rejection);
}

/**
 * The rejection log. The first read after an upgrade adopts what earlier releases kept in the
 * connections' queues (they are asked once; their tables are dropped as they hand them over).
 */
export async function listRejections(env: Env, connections: readonly string[], limit: number): Promise<RejectionLog> {
  const log = collectorLog(env);
  let { adopted, ...shown } = await log.listRejections(limit);
  if (!adopted) {
    await log.adoptRejections(await takeLegacyRejections(env, connections));
    ({ adopted, ...shown } = await log.listRejections(limit));
  }
  return shown;
}

/** Erasure: forgets recent rejections that mention one of `ids`. */
export function forgetMentions(env: Env, ids: string[]): Promise<{ rejections: number }> {
  return collectorLog(env).forgetMentions(ids);
}
