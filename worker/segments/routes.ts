import type { IRequest, RouterType } from 'itty-router';
import type { Config } from '../config/config';
import type { Env } from '../env';
import { readVisitorSegments } from './readSegments';
import { receiveSegmentSync } from './receive';

type Router = RouterType<IRequest, [Env, ExecutionContext, Config]>;

export const SEGMENT_SYNC_PATH = '/v1/moengage/segment-sync';

/** MoEngage Outbound Segment Sync receiver and the site's read API (their debugger API: debuggerApi.ts). */
export function segmentRoutes(router: Router, config: Config): void {
  router
    .post(SEGMENT_SYNC_PATH, async (req, env) => Response.json(await receiveSegmentSync(req, env, config)))
    .get('/v1/segments', (req, env, ctx) => readVisitorSegments(req, env, ctx, config));
}
