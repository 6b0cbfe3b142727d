import { type IRequest, Router } from 'itty-router';
import { type Config, loadConfig } from './config/config';
import { debuggerApi } from './debugger/api';
import { debuggerPage } from './debugger/page';
import { healthz } from './delivery/healthz';
import type { Env } from './env';
import { errorResponse, HttpError } from './http/HttpError';
import { ingestRoute, preflightRoute, singleShape } from './ingest/route';
import { segmentRoutes } from './segments/routes';
import { demoPage } from './site/demoPage';
import { countServed, tagScript } from './site/tagScript';

export { DeliveryQueue } from './delivery/DeliveryQueue';
export { DeliveryBudget } from './delivery/DeliveryBudget';
export { SegmentStore } from './segments/SegmentStore';
export { SegmentSyncJournal } from './segments/SegmentSyncJournal';
export { RateLimiter } from './abuse/RateLimiter';
export { CollectorLog } from './collector/CollectorLog';
export { ConnectionAlerts } from './alerts/ConnectionAlerts';
export { CollectorCounters } from './metrics/CollectorCounters';

type Args = [Env, ExecutionContext, Config];

const api = debuggerApi();

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
    router.get('/demo', (req) => demoPage(req, config, config.demoSandboxUrl));
  }
  router.get('/debugger', () => debuggerPage()).all('/debugger/api/*', (req, env, ctx) => api.fetch(req, env, ctx, config));
  segmentRoutes(router, config);
  router.all('*', (req) => new HttpError(404, 'not_found', `no route for ${req.method} ${new URL(req.url).pathname.slice(0, 200)}`).toResponse());
  return router;
}

const routers = new WeakMap<Config, ReturnType<typeof buildRouter>>();

export default {
  async fetch(request, env, ctx): Promise<Response> {
    // Settings are read in sections: one malformed setting answers 503 `misconfigured` only on the
    // routes that need it (config/config.ts); the debugger and /healthz show it.
    const config = loadConfig(env);
    let router = routers.get(config);
    if (!router) routers.set(config, (router = buildRouter(config)));
    return router.fetch(request, env, ctx, config);
  },
} satisfies ExportedHandler<Env>;
