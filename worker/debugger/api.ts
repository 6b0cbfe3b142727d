import { type IRequest, Router } from 'itty-router';
import { listRejections } from '../collector/log';
import type { Config } from '../config/config';
import type { Env } from '../env';
import { errorResponse, HttpError } from '../http/HttpError';
import { metricsResponse } from '../metrics/collect';
import { segmentsDebugger } from '../segments/debuggerApi';
import { alertsView } from './alerts';
import { authorizeDebugger } from './authorize';
import { purgeDeadLetters } from './deadLetters';
import { erasures, eraseUser } from './erase';
import { eventJourney, listEvents } from './events';
import { replay, resume } from './operator';
import { previewMessage } from './previewMessage';
import { debuggerStats } from './stats';
import { eventStream } from './stream';

type Args = [Env, ExecutionContext, Config];

export const DEBUGGER_API = '/debugger/api';

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

/**
 * The debugger's JSON API (docs/debugger.md): one router, one auth stage (the bearer token, with
 * lockout), and `cache-control: no-store` on every answer, errors included — the answers hold
 * personal data and operator state. The segments routes live here too (segments/debuggerApi.ts).
 */
export function debuggerApi() {
  const api = Router<IRequest, Args>({
    base: DEBUGGER_API,
    before: [(req, env, _ctx, config) => authorizeDebugger(req, config, env).then(() => undefined)],
    catch: errorResponse,
    finally: [noStore],
  });
  const json = (data: unknown) => Response.json(data);
  api
    .get('/events', async (req, env, _ctx, config) => json(await listEvents(env, config, req.query)))
    .get('/events/:messageId', async (req, env, _ctx, config) => json(await eventJourney(env, config, pathSegment(req.params.messageId as string), req.query)))
    // Any messageId, in the query: `.`, `..` and `%2e` path segments are folded away by URL parsing.
    .get('/journey', async (req, env, _ctx, config) => json(await eventJourney(env, config, journeyId(req.query), req.query)))
    .get('/stats', async (req, env, _ctx, config) => json(await debuggerStats(env, config, req.query)))
    .get('/stream', (req, env, ctx, config) => eventStream(req, env, config, req.query, ctx))
    .post('/preview', async (req, _env, _ctx, config) => json(await previewMessage(req, config)))
    // Operations (docs/operations.md): Prometheus metrics and the alerts sent.
    .get('/metrics', (_req, env, _ctx, config) => metricsResponse(env, config))
    .get('/alerts', async (req, env, _ctx, config) => json(await alertsView(env, config, req.query)))
    // Whole requests the collector refused (collector/rejectionLog.ts), counted per reason.
    .get('/rejections', async (req, env, _ctx, config) => {
      const limit = Math.min(200, Math.max(1, Number(req.query.limit ?? 50) || 50));
      return json(await listRejections(env, config.connections.map((c) => c.id), limit));
    })
    // Delivery control (debugger/operator.ts, docs/delivery.md "Replay").
    .post('/replay', async (req, env, _ctx, config) => json(await replay(req, env, config)))
    .post('/connections/:id/resume', async (req, env, _ctx, config) => json(await resume(req.params.id as string, env, config)))
    .post('/dead/purge', async (req, env, _ctx, config) => json(await purgeDeadLetters(req, env, config)))
    // Erasure (debugger/erase.ts, docs/debugger.md "Erasure").
    .post('/users/erase', async (req, env, _ctx, config) => json(await eraseUser(req, env, config)))
    .get('/users/erasures', async (req, env, _ctx, config) => json(await erasures(env, config, req.query)))
    // What the page needs to know about the setup: connection ids, workspaces, limits, retention (no secrets).
    .get('/connections', (_req, _env, _ctx, config) =>
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
  segmentsDebugger(api);
  return api;
}

/** Every answer of the API, whatever produced it; a path it does not know is a 404 here, not the collector's. */
function noStore(response: Response | undefined, req: IRequest): Response {
  const answer = response ?? new HttpError(404, 'not_found', `no route for ${req.method} ${new URL(req.url).pathname.slice(0, 200)}`).toResponse();
  answer.headers.set('cache-control', 'no-store');
  return answer;
}
