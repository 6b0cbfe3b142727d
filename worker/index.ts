import { type IRequest, Router } from 'itty-router';
import { MessageTypes, type MessageType } from '../shared/message';
import { type Config, readConfig } from './config/config';
import { ConfigError } from './config/ConfigError';
import { debuggerRoutes } from './debugger/routes';
import { healthz } from './delivery/health';
import type { Env } from './env';
import { corsHeaders, preflight } from './http/cors';
import { errorResponse, HttpError } from './http/HttpError';
import { ingest } from './ingest/ingest';
import { segmentRoutes } from './segments/routes';
import { demoPage } from './site/demoPage';
import { tagScript } from './site/tagScript';

export { DeliveryQueue } from './delivery/DeliveryQueue';
export { SegmentStore } from './segments/SegmentStore';
export { SegmentSyncJournal } from './segments/SegmentSyncJournal';

type Args = [Env, ExecutionContext, Config];

function buildRouter(config: Config) {
  const router = Router<IRequest, Args>({ catch: errorResponse });
  const withCors =
    (handler: (req: IRequest, env: Env, config: Config) => Promise<unknown>) =>
    async (req: IRequest, env: Env, _ctx: ExecutionContext, config: Config) => {
      const cors = corsHeaders(req, config);
      try {
        return Response.json(await handler(req, env, config), { headers: cors });
      } catch (error) {
        if (error instanceof HttpError) return error.toResponse(cors);
        throw error;
      }
    };

  router
    .options('*', (req) => preflight(req, config))
    .post('/v1/batch', withCors((req, env, cfg) => ingest(req, env, cfg, { kind: 'batch' })))
    .post('/v1/:type', withCors((req, env, cfg) => {
      const type = req.params.type as MessageType;
      if (!MessageTypes.includes(type)) throw new HttpError(404, 'unknown_type', `no ingest route /v1/${type}; use one of ${MessageTypes.join(', ')} or batch`);
      return ingest(req, env, cfg, { kind: 'single', type });
    }))
    .post(config.ingestPath, withCors((req, env, cfg) => ingest(req, env, cfg, { kind: 'batch' })))
    .get(config.tagPath, (req) => tagScript(req, config))
    .get('/healthz', async (_req, env) => Response.json(await healthz(env, config)));
  if (config.demoPage) {
    router.get('/', (req) => Response.redirect(new URL('/demo', req.url).href, 302));
    router.get('/demo', (req, env) => demoPage(req, config, env.DEMO_SANDBOX_URL as string | undefined));
  }
  debuggerRoutes(router, config);
  segmentRoutes(router, config);
  router.all('*', (req) => new HttpError(404, 'not_found', `no route for ${req.method} ${new URL(req.url).pathname}`).toResponse());
  return router;
}

const routers = new WeakMap<Config, ReturnType<typeof buildRouter>>();

export default {
  async fetch(request, env, ctx): Promise<Response> {
    let config: Config;
    try {
      config = readConfig(env);
    } catch (error) {
      if (error instanceof ConfigError) return new HttpError(503, 'misconfigured', error.message).toResponse();
      return errorResponse(error);
    }
    let router = routers.get(config);
    if (!router) routers.set(config, (router = buildRouter(config)));
    return router.fetch(request, env, ctx, config);
  },
} satisfies ExportedHandler<Env>;
