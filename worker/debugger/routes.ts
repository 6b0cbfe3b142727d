import type { IRequest, RouterType } from 'itty-router';
import type { Config } from '../config/config';
import type { Env } from '../env';
import { replay, resume } from '../delivery/control';
import { HttpError } from '../http/HttpError';
import { authorizeDebugger } from './authorize';
import type { EventQuery, EventView } from './eventLog';
import { debuggerPage } from './page';

type Router = RouterType<IRequest, [Env, ExecutionContext, Config]>;

/** The event debugger: JSON API behind the bearer token, and the page that uses it. */
export function debuggerRoutes(router: Router, config: Config): void {
  router
    .get('/debugger', () => debuggerPage())
    .all('/debugger/api/*', (req, env) => authorizeDebugger(req, config, env).then(() => undefined))
    .get('/debugger/api/events', async (req, env) => {
      const limit = Math.min(500, Math.max(1, Number(req.query.limit ?? 50) || 50));
      const status = typeof req.query.status === 'string' ? req.query.status : undefined;
      const lists = await Promise.all(config.connections.map((c) => eventsOf(env, c.id, { status, limit })));
      const events = lists.flat().sort((a, b) => b.receivedAt - a.receivedAt).slice(0, limit);
      return Response.json({ events });
    })
    // Whole requests the collector refused (worker/delivery/rejectionLog.ts), counted per reason.
    .get('/debugger/api/rejections', async (req, env) => {
      const first = config.connections[0];
      const limit = Math.min(200, Math.max(1, Number(req.query.limit ?? 50) || 50));
      return Response.json(first ? await env.DELIVERY_QUEUE.getByName(first.id).listRejections(limit) : { counts: [], recent: [] });
    })
    .get('/debugger/api/events/:messageId', async (req, env) => {
      for (const c of config.connections) {
        const event = await env.DELIVERY_QUEUE.getByName(c.id).getEvent(c.id, req.params.messageId as string);
        if (event) return Response.json(event);
      }
      throw new HttpError(404, 'event_not_found', `no event with messageId ${req.params.messageId}`);
    })
    // Delivery control (worker/delivery/control.ts, docs/delivery.md "Replay").
    .post('/debugger/api/replay', async (req, env) => Response.json(await replay(req, env, config)))
    .post('/debugger/api/connections/:id/resume', async (req, env) => Response.json(await resume(req.params.id as string, env, config)));
}

async function eventsOf(env: Env, connection: string, query: EventQuery): Promise<EventView[]> {
  return env.DELIVERY_QUEUE.getByName(connection).listEvents(connection, query);
}
