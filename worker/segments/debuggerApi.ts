import type { IRequest, RouterType } from 'itty-router';
import type { Config } from '../config/config';
import type { Env } from '../env';
import { HttpError } from '../http/HttpError';
import { journalOf } from './receive';
import { SHARD_COUNT, shardName, shardOf } from './shard';

type DebuggerRouter = RouterType<IRequest, [Env, ExecutionContext, Config]>;

/** The segment syncs as the debugger shows and manages them (docs/segments.md "Debugger API"); mounted on the debugger's API router, behind its token. */
export function segmentsDebugger(api: DebuggerRouter): void {
  api
    .get('/segments', async (req, env) => {
      const limit = Math.min(500, Math.max(1, Number(req.query.limit ?? 50) || 50));
      return Response.json(await journalOf(env).overview(limit));
    })
    .get('/segments/users/:userId', async (req, env) => {
      const userId = req.params.userId as string;
      return Response.json({ userId, segments: await env.SEGMENT_STORE.getByName(shardName(shardOf(userId))).segmentsOf(userId) });
    })
    .get('/segments/:syncId/executions/:executionId', async (req, env) => {
      const execution = await journalOf(env).execution(req.params.syncId as string, req.params.executionId as string);
      if (!execution) throw new HttpError(404, 'execution_not_found', `no execution ${req.params.executionId} of sync ${req.params.syncId}`);
      return Response.json(execution);
    })
    .post('/segments/:syncId/resync', async (req, env) => {
      const syncId = req.params.syncId as string;
      const armed = await journalOf(env).arm(syncId);
      if (!armed) throw new HttpError(404, 'sync_not_found', `no segment sync ${syncId} has been received`);
      return Response.json({ ok: true, syncId, resyncArmedUntil: new Date(armed.armedUntil).toISOString() });
    })
    .delete('/segments/:syncId', async (req, env) => {
      const syncId = req.params.syncId as string;
      const shards = await Promise.all(Array.from({ length: SHARD_COUNT }, (_, i) => env.SEGMENT_STORE.getByName(shardName(i)).forget(syncId)));
      const known = await journalOf(env).forget(syncId);
      const dropped = shards.reduce((n, s) => n + s.dropped, 0);
      if (!known && !dropped) throw new HttpError(404, 'sync_not_found', `no segment sync ${syncId} is stored`);
      return Response.json({ ok: true, syncId, dropped });
    });
}
