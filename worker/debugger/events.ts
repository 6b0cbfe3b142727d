import type { Config } from '../config/config';
import { connectionsOf } from '../delivery/control';
import type { Env } from '../env';
import { HttpError } from '../http/HttpError';
import { compareNewestFirst } from './cursor';
import { readListQuery } from './filter';
import { showJourney, showSummary } from './journey';
import type { EventPage, JourneyShown } from './views';

type Query = Record<string, string | string[] | undefined>;

/**
 * GET /debugger/api/events: newest first across connections. Each queue returns one more than a
 * page after the cursor; merging those in the global order and cutting at the page size is exact,
 * and tells whether more follow.
 */
export async function listEvents(env: Env, config: Config, query: Query): Promise<EventPage> {
  const { filter, limit, after } = readListQuery(query);
  const connections = connectionsOf(config, filter.connection);
  const lists = await Promise.all(connections.map((c) => env.DELIVERY_QUEUE.getByName(c.id).listEvents(c.id, filter, after, limit + 1)));
  const merged = lists.flat().sort(compareNewestFirst);
  const events = merged.slice(0, limit);
  const last = events[events.length - 1];
  return { events: events.map(showSummary), nextCursor: merged.length > limit && last ? last.cursor : null };
}

/** GET /debugger/api/events/:messageId[?reveal=pii][&connection=id]: the whole journey. */
export async function eventJourney(env: Env, config: Config, messageId: string, query: Query): Promise<JourneyShown> {
  const reveal = query.reveal === 'pii';
  if (query.reveal !== undefined && !reveal) throw new HttpError(400, 'invalid_query', 'reveal must be "pii"');
  const connection = typeof query.connection === 'string' ? query.connection : undefined;
  for (const c of connectionsOf(config, connection)) {
    const event = await env.DELIVERY_QUEUE.getByName(c.id).getEvent(c.id, messageId);
    if (event) return showJourney(event, c, reveal);
  }
  throw new HttpError(404, 'event_not_found', `no event with messageId ${JSON.stringify(messageId.slice(0, 200))}${connection ? ` in connection ${connection}` : ''}`);
}
