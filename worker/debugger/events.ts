import type { Config } from '../config/config';
import * as queues from '../delivery/queues';
import type { Env } from '../env';
import { HttpError } from '../http/HttpError';
import { encodePosition } from './cursor';
import { readListQuery } from './filter';
import { showJourney, showSummary } from './journey';
import { connectionIds, connectionsNamed } from './operator';
import type { EventPage, JourneyShown } from './views';

type Query = Record<string, string | string[] | undefined>;

/** GET /debugger/api/events: newest first across connections, a page at a time (delivery/queues.ts merges them exactly). */
export async function listEvents(env: Env, config: Config, query: Query): Promise<EventPage> {
  const { filter, limit, after } = readListQuery(query);
  const { events, more } = await queues.listEvents(env, connectionsNamed(config, filter.connection), filter, after, limit);
  const shown = events.map(showSummary);
  const last = shown[shown.length - 1];
  return { events: shown, nextCursor: more && last ? last.cursor : null };
}

/** GET /debugger/api/events/:messageId[?reveal=pii][&connection=id]: the whole journey. */
export async function eventJourney(env: Env, config: Config, messageId: string, query: Query): Promise<JourneyShown> {
  const reveal = query.reveal === 'pii';
  if (query.reveal !== undefined && !reveal) throw new HttpError(400, 'invalid_query', 'reveal must be "pii"');
  const connection = typeof query.connection === 'string' ? query.connection : undefined;
  const event = await queues.findEvent(env, connectionsNamed(config, connection), messageId);
  if (event) return showJourney({ ...event, cursor: encodePosition(event) }, config.connections.find((c) => c.id === event.connection), reveal);
  throw new HttpError(404, 'event_not_found', `no event with messageId ${JSON.stringify(messageId.slice(0, 200))}${connection ? ` in connection ${connection}` : ''}`);
}
