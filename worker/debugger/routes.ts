import type { IRequest, RouterType } from 'itty-router';
import type { Config } from '../config/config';
import type { Env } from '../env';
import { replay, resume } from '../delivery/control';
import { HttpError } from '../http/HttpError';
import { metricsResponse } from '../metrics/collect';
import { alertsView } from './alerts';
import { authorizeDebugger } from './authorize';
import { eventJourney, listEvents } from './events';
import { debuggerPage } from './page';
import { previewMessage } from './previewMessage';
import { debuggerStats } from './stats';
import { eventStream } from './stream';

type Router = RouterType<IRequest, [Env, ExecutionContext, Config]>;

/** Debugger answers hold personal data: never cached, never framed. */
const json = (data: unknown) => Response.json(data, { headers: { 'cache-control': 'no-store' } });

/** itty-router hands path parameters over as sent (percent-encoded). */
function pathSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function journeyId(query: Record<string, string | string[] | undefined>): string {
  const id = query.messageId;
  if (typeof id !== 'string' || id === '') throw new HttpError(400, 'invalid_query', 'give the event as ?messageId=<id> (URL-encoded), once');
  return id;
}

/** The event debugger: the page, and its JSON API behind the bearer token (docs/debugger.md). */
export function debuggerRoutes(router: Router, config: Config): void {
  router
    .get('/debugger', () => debuggerPage())
    .all('/debugger/api/*', (req, env) => authorizeDebugger(req, config, env).then(() => undefined))
    .get('/debugger/api/events', async (req, env) => json(await listEvents(env, config, req.query)))
    .get('/debugger/api/events/:messageId', async (req, env) => json(await eventJourney(env, config, pathSegment(req.params.messageId as string), req.query)))
    // Any messageId, in the query: `.`, `..` and `%2e` path segments are folded away by URL parsing.
    .get('/debugger/api/journey', async (req, env) => json(await eventJourney(env, config, journeyId(req.query), req.query)))
    .get('/debugger/api/stats', async (req, env) => json(await debuggerStats(env, config, req.query)))
    .get('/debugger/api/stream', (req, env, ctx) => eventStream(req, env, config, req.query, ctx))
    .post('/debugger/api/preview', async (req) => json(await previewMessage(req, config)))
    // Operations (docs/operations.md): Prometheus metrics and the alerts sent.
    .get('/debugger/api/metrics', (_req, env) => metricsResponse(env, config))
    .get('/debugger/api/alerts', async (req, env) => json(await alertsView(env, config, req.query)))
    // Whole requests the collector refused (worker/delivery/rejectionLog.ts), counted per reason.
    .get('/debugger/api/rejections', async (req, env) => {
      const first = config.connections[0];
      const limit = Math.min(200, Math.max(1, Number(req.query.limit ?? 50) || 50));
      return json(first ? await env.DELIVERY_QUEUE.getByName(first.id).listRejections(limit) : { counts: [], recent: [] });
    })
    // Delivery control (worker/delivery/control.ts, docs/delivery.md "Replay").
    .post('/debugger/api/replay', async (req, env) => json(await replay(req, env, config)))
    .post('/debugger/api/connections/:id/resume', async (req, env) => json(await resume(req.params.id as string, env, config)))
    // What the page needs to know about the setup: connection ids, workspaces, limits, retention (no secrets).
    .get('/debugger/api/connections', () =>
      json({
        connections: config.connections.map((c) => ({
          id: c.id,
          workspaceId: c.workspaceId,
          dataCenter: c.dataCenter,
          blueprint: c.blueprint.trim().startsWith('{') ? 'inline' : c.blueprint,
          eventsPerMinute: c.eventsPerMinute,
          retentionHours: c.delivery.logRetentionHours,
          mode: c.delivery.mode,
          packing: c.delivery.packing,
        })),
      }),
    );
}
