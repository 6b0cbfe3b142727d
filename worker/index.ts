import { type IRequest, Router } from 'itty-router';
import { type Config, readConfig } from './config/config';
import { ConfigError } from './config/ConfigError';
import { debuggerRoutes } from './debugger/routes';
import { healthz } from './delivery/health';
import type { Env } from './env';
import { errorResponse, HttpError } from './http/HttpError';
import { segmentRoutes } from './segments/routes';
import { ingestRoute, preflightRoute, singleShape } from './ingest/route';
import { demoPage } from './site/demoPage';
import { countServed, tagScript } from './site/tagScript';

export { DeliveryQueue } from './delivery/DeliveryQueue';
export { SegmentStore } from './segments/SegmentStore';
export { SegmentSyncJournal } from './segments/SegmentSyncJournal';
export { RateLimiter } from './abuse/RateLimiter';
export { ConnectionAlerts } from './alerts/ConnectionAlerts';
export { CollectorCounters } from './metrics/CollectorCounters';

type Args = [Env, ExecutionContext, Config];

function buildRouter(config: Config) {
  const router = Router<IRequest, Args>({ catch: errorResponse });
  const batch = ingestRoute(() => ({ kind: 'batch' }));
  router
    .options('/v1/:type', preflightRoute)
    .options(config.ingestPath, preflightRoute)
    .post('/v1/batch', batch)
    .post('/v1/:type', ingestRoute(singleShape))
    .post(config.ingestPath, batch)
    .get(config.tagPath, (req, env, ctx) => countServed(tagScript(req, config), config, env, ctx))
    .get('/healthz', async (_req, env) => Response.json(await healthz(env, config)));
  if (config.demoPage) {
    router.get('/', (req) => Response.redirect(new URL('/demo', req.url).href, 302));
    router.get('/demo', (req, env) => demoPage(req, config, env.DEMO_SANDBOX_URL as string | undefined));
  }
  debuggerRoutes(router, config);
  segmentRoutes(router, config);
  router.all('*', (req) => new HttpError(404, 'not_found', `no route for ${req.method} ${new URL(req.url).pathname.slice(0, 200)}`).toResponse());
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
