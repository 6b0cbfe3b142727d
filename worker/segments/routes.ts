import type { IRequest, RouterType } from 'itty-router';
import type { Config } from '../config/config';
import { authorizeDebugger } from '../debugger/authorize';
import type { Env } from '../env';
import { HttpError } from '../http/HttpError';
import { readVisitorSegments } from './readSegments';
import { journalOf, receiveSegmentSync } from './receive';
import { SHARD_COUNT, shardName, shardOf } from './shard';

type Router = RouterType<IRequest, [Env, ExecutionContext, Config]>;

export const SEGMENT_SYNC_PATH = '/v1/moengage/segment-sync';

/** MoEngage Outbound Segment Sync receiver, the site's read API, and their debugger API. */
export function segmentRoutes(router: Router, config: Config): void {
  const debug = (req: IRequest) => authorizeDebugger(req, config);
  router
    .post(SEGMENT_SYNC_PATH, async (req, env) => Response.json(await receiveSegmentSync(req, env, config)))
    .get('/v1/segments', (req, env, ctx) => readVisitorSegments(req, env, ctx, config))
    .get('/debugger/api/segments', async (req, env) => {
      await debug(req);
      const limit = Math.min(500, Math.max(1, Number(req.query.limit ?? 50) || 50));
      return Response.json(await journalOf(env).overview(limit));
    })
    .get('/debugger/api/segments/users/:userId', async (req, env) => {
      await debug(req);
      const userId = req.params.userId as string;
      return Response.json({ userId, segments: await env.SEGMENT_STORE.getByName(shardName(shardOf(userId))).segmentsOf(userId) });
    })
    .get('/debugger/api/segments/:syncId/executions/:executionId', async (req, env) => {
      await debug(req);
      const execution = await journalOf(env).execution(req.params.syncId as string, req.params.executionId as string);
      if (!execution) throw new HttpError(404, 'execution_not_found', `no execution ${req.params.executionId} of sync ${req.params.syncId}`);
      return Response.json(execution);
    })
    .post('/debugger/api/segments/:syncId/resync', async (req, env) => {
      await debug(req);
      const syncId = req.params.syncId as string;
      const armed = await journalOf(env).arm(syncId);
      if (!armed) throw new HttpError(404, 'sync_not_found', `no segment sync ${syncId} has been received`);
      return Response.json({ ok: true, syncId, resyncArmedUntil: new Date(armed.armedUntil).toISOString() });
    })
    .delete('/debugger/api/segments/:syncId', async (req, env) => {
      await debug(req);
      const syncId = req.params.syncId as string;
      const shards = await Promise.all(Array.from({ length: SHARD_COUNT }, (_, i) => env.SEGMENT_STORE.getByName(shardName(i)).forget(syncId)));
      const known = await journalOf(env).forget(syncId);
      const dropped = shards.reduce((n, s) => n + s.dropped, 0);
      if (!known && !dropped) throw new HttpError(404, 'sync_not_found', `no segment sync ${syncId} is stored`);
      return Response.json({ ok: true, syncId, dropped });
    });
}
