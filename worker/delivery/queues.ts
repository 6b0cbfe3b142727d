import type { Env } from '../env';
import type { EventFilter } from './eventFilter';
import type { QueueHealth } from './queueHealth';
import { type ChangePosition, compareNewestFirst, type ListPosition } from './logOrder';
import type { LoggedEvent, LoggedJourney, LogStats } from './logViews';
import type { QueueMetrics } from './queueMetrics';
import type { EnqueueResult, IngestRecord } from './record';
import type { LegacyRejections } from './store/legacyRejections';
import type { DeleteRequestShown } from './store/deleteRequests';
import type { ErasedInQueue, ErasureSubject } from './store/erasure';
import type { ReplayResult, ReplaySelector } from './store/queueStore';

/**
 * The one way to a connection's queue(s). Ingest, the debugger, /healthz and operator actions all
 * address queues through here, so how a connection's events are spread over Durable Objects is
 * decided in this file alone. Today: one DeliveryQueue per connection, named by its id. Reads
 * across queues (listings, the live tail, journeys) merge here in the order of logOrder.ts.
 */

/** A queue's change feed for the live tail: its name keys the stream's positions. */
export interface Feed {
  name: string;
  connection: string;
}

function queueOf(env: Pick<Env, 'DELIVERY_QUEUE'>, connection: string) {
  return env.DELIVERY_QUEUE.getByName(connection);
}

/** Stores a batch in the connection's queue; the answer says what was new and whether the backlog refused it. */
export function enqueue(env: Env, connection: string, records: IngestRecord[]): Promise<EnqueueResult> {
  return queueOf(env, connection).enqueue(connection, records);
}

/** Up to `limit` events after `after`, newest first across the connections' queues, and whether more follow. */
export async function listEvents(
  env: Env,
  connections: readonly string[],
  filter: EventFilter,
  after: ListPosition | null,
  limit: number,
): Promise<{ events: LoggedEvent[]; more: boolean }> {
  // Each queue answers one more than a page after the position; merging those in the global order
  // and cutting at the page size is exact, and tells whether more follow.
  const lists = await Promise.all(connections.map((c) => queueOf(env, c).listEvents(c, filter, after, limit + 1)));
  const merged = lists.flat().sort(compareNewestFirst);
  return { events: merged.slice(0, limit), more: merged.length > limit };
}

/** One event's journey, from the first of the connections that has it (in their configured order). */
export async function findEvent(env: Env, connections: readonly string[], messageId: string): Promise<LoggedJourney | null> {
  for (const c of connections) {
    const event = await queueOf(env, c).getEvent(c, messageId);
    if (event) return event;
  }
  return null;
}

/** The change feeds the live tail reads for these connections. */
export function feedsOf(connections: readonly string[]): Feed[] {
  return connections.map((c) => ({ name: c, connection: c }));
}

/** Changes of one feed after `after`, oldest first, and the queue's clock. */
export function readFeed(env: Env, feed: Feed, filter: EventFilter, after: ChangePosition, limit: number): Promise<{ asOf: number; events: LoggedEvent[] }> {
  return queueOf(env, feed.connection).changedEvents(feed.connection, filter, after, limit);
}

/** A connection's log counts and its queue's health, for the debugger's stats. */
export async function statsOf(env: Env, connection: string, since: number, seriesSince: number): Promise<{ log: LogStats; health: QueueHealth }> {
  const queue = queueOf(env, connection);
  const [log, health] = await Promise.all([queue.logStats(since, seriesSince), queue.health(connection)]);
  return { log, health };
}

/** The metrics of each of a connection's queues (one today). */
export async function metricsOf(env: Env, connection: string): Promise<QueueMetrics[]> {
  return [await queueOf(env, connection).metrics(connection)];
}

export function healthOf(env: Env, connections: readonly string[]): Promise<QueueHealth[]> {
  return Promise.all(connections.map((c) => queueOf(env, c).health(c)));
}

/** Replays the selected dead letters in each connection's queue. */
export function replay(env: Env, connections: readonly string[], selector: ReplaySelector): Promise<(ReplayResult & { resumed: boolean; connection: string })[]> {
  return Promise.all(connections.map(async (c) => ({ connection: c, ...(await queueOf(env, c).replay(c, selector)) })));
}

/**
 * Erases the subject from every queue of each connection; `deleteUsers` names the customer_ids to
 * send MoEngage's Delete User for, per connection (a connection's Delete User goes from one queue).
 */
export function erase(env: Env, connections: readonly string[], subject: ErasureSubject, deleteUsers: (connection: string) => string[]): Promise<(ErasedInQueue & { deleteRequests: number; connection: string })[]> {
  return Promise.all(connections.map(async (c) => ({ connection: c, ...(await queueOf(env, c).erase(c, subject, deleteUsers(c))) })));
}

/** The Delete User requests of erasures, per connection, newest first. */
export function deleteRequests(env: Env, connections: readonly string[], limit: number): Promise<{ connection: string; requests: DeleteRequestShown[] }[]> {
  return Promise.all(connections.map(async (c) => ({ connection: c, requests: await queueOf(env, c).deleteRequests(limit) })));
}

/** Forgets the selected dead letters in every queue of each connection. */
export function purgeDead(env: Env, connections: readonly string[], selector: { reason?: string; before?: number }): Promise<{ connection: string; purged: number }[]> {
  return Promise.all(connections.map(async (c) => ({ connection: c, ...(await queueOf(env, c).purgeDead(c, selector)) })));
}

export function resume(env: Env, connection: string) {
  return queueOf(env, connection).resume(connection);
}

/** Rejection logs earlier releases kept in connection queues, taken out of them. */
export async function takeLegacyRejections(env: Env, connections: readonly string[]): Promise<LegacyRejections[]> {
  const taken: (LegacyRejections | null)[] = await Promise.all(connections.map((c) => queueOf(env, c).takeLegacyRejections()));
  return taken.filter((t) => t !== null);
}
