import type { Env } from '../env';
import type { EventFilter } from './eventFilter';
import type { QueueHealth } from './queueHealth';
import { type ChangePosition, compareNewestFirst, type ListPosition } from './logOrder';
import type { DeleteRequestShown, LoggedEvent, LoggedJourney, LogStats } from './logViews';
import type { QueueMetrics } from './queueMetrics';
import { packRecord } from './packedRecord';
import type { EnqueueResult, IngestRecord } from './record';
import { mergeHealth, mergeLogStats, mergeReplays } from './shardMerge';
import { queueName, splitByShard } from './shardRouting';
import type { LegacyRejections } from './store/legacyRejections';
import type { ErasedInQueue, ErasureSubject } from './store/erasure';
import type { ReplayResult, ReplaySelector } from './store/queueStore';

/**
 * The one way to a connection's queues. Ingest, the debugger, /healthz and operator actions all
 * address queues through here, so how a connection's events are spread over Durable Objects is
 * decided in this file alone: N queue shards per connection (its `shards` setting), a message in
 * the shard of its visitor (shardRouting.ts), shard 0 named by the connection's id as queues were
 * before sharding. Reads across queues (listings, the live tail, journeys) merge here in the order
 * of logOrder.ts, whose positions name the queue, so cursors stay exact across shards.
 */

/** A connection as the seam needs it: its id and how many queue shards it has. */
export interface Sharded {
  id: string;
  shards: number;
}

/** A queue's change feed for the live tail: its name keys the stream's positions. */
export interface Feed {
  name: string;
  connection: string;
}

function queueAt(env: Pick<Env, 'DELIVERY_QUEUE'>, name: string) {
  return env.DELIVERY_QUEUE.getByName(name);
}

/**
 * Every queue of a connection that may hold events: its configured shards, and those it had before
 * its shard count was lowered (each shard tells the connection's budget when it first stores events,
 * so they keep being read, drained and resumed).
 */
async function queuesOf(env: Pick<Env, 'DELIVERY_BUDGET'>, connection: Sharded): Promise<string[]> {
  let known = 1;
  try {
    known = await env.DELIVERY_BUDGET.getByName(connection.id).shardCount();
  } catch {
    // The budget unreachable: the configured shards are still read.
  }
  return Array.from({ length: Math.max(1, connection.shards, known) }, (_, i) => queueName(connection.id, i));
}

/**
 * Stores a batch in the connection's queues, each message in its visitor's shard, in parallel. The
 * answer is the union; if a shard refused (full backlog) or failed, the caller answers 503 and the
 * client's retry is deduplicated by the shards that stored their part.
 */
export async function enqueue(env: Env, connection: Sharded, records: IngestRecord[]): Promise<EnqueueResult> {
  const parts = [...splitByShard(records, connection.shards)];
  const settled = await Promise.allSettled(parts.map(([shard, part]) => queueAt(env, queueName(connection.id, shard)).enqueue(queueName(connection.id, shard), part.map(packRecord))));
  const duplicates: string[] = [];
  let refused: EnqueueResult['refused'];
  let failure: unknown = null;
  for (const s of settled) {
    if (s.status === 'rejected') failure ??= s.reason;
    else {
      duplicates.push(...s.value.duplicates);
      refused ??= s.value.refused;
    }
  }
  if (failure !== null) throw failure;
  return { duplicates, ...(refused ? { refused } : {}) };
}

/** Up to `limit` events after `after`, newest first across the connections' queues, and whether more follow. */
export async function listEvents(
  env: Env,
  connections: readonly Sharded[],
  filter: EventFilter,
  after: ListPosition | null,
  limit: number,
): Promise<{ events: LoggedEvent[]; more: boolean }> {
  // Each queue answers one more than a page after the position; merging those in the global order
  // and cutting at the page size is exact, and tells whether more follow.
  const names = (await Promise.all(connections.map((c) => queuesOf(env, c)))).flat();
  const lists = await Promise.all(names.map((q) => queueAt(env, q).listEvents(q, filter, after, limit + 1)));
  const merged = lists.flat().sort(compareNewestFirst);
  return { events: merged.slice(0, limit), more: merged.length > limit };
}

/** One event's journey, from the first of the connections that has it (in their configured order). */
export async function findEvent(env: Env, connections: readonly Sharded[], messageId: string): Promise<LoggedJourney | null> {
  for (const c of connections) {
    // A message is in one shard of a connection; asking them all at once costs one round trip.
    const found = await Promise.all((await queuesOf(env, c)).map((q): Promise<LoggedJourney | null> => queueAt(env, q).getEvent(q, messageId) as Promise<LoggedJourney | null>));
    const event = found.find((e) => e !== null);
    if (event) return event;
  }
  return null;
}

/** The change feeds the live tail reads for these connections: one per queue. */
export async function feedsOf(env: Env, connections: readonly Sharded[]): Promise<Feed[]> {
  const each = await Promise.all(connections.map(async (c) => (await queuesOf(env, c)).map((name) => ({ name, connection: c.id }))));
  return each.flat();
}

/** Changes of one feed after `after`, oldest first, and the queue's clock. */
export function readFeed(env: Env, feed: Feed, filter: EventFilter, after: ChangePosition, limit: number): Promise<{ asOf: number; events: LoggedEvent[] }> {
  return queueAt(env, feed.name).changedEvents(feed.name, filter, after, limit);
}

/** A connection's log counts and its queues' health (summed over shards), for the debugger's stats. */
export async function statsOf(env: Env, connection: Sharded, since: number, seriesSince: number): Promise<{ log: LogStats; health: QueueHealth }> {
  const each = await Promise.all(
    (await queuesOf(env, connection)).map(async (q) => {
      const queue = queueAt(env, q);
      const [log, health] = await Promise.all([queue.logStats(since, seriesSince), queue.health(q)]);
      return { log, health };
    }),
  );
  return { log: mergeLogStats(each.map((e) => e.log)), health: mergeHealth(each.map((e) => e.health)) };
}

/** The metrics of each of a connection's queues. */
export async function metricsOf(env: Env, connection: Sharded): Promise<QueueMetrics[]> {
  return Promise.all((await queuesOf(env, connection)).map((q) => queueAt(env, q).metrics(q)));
}

/** Each connection's health: its shards' summed, with the shards listed when it has more than one. */
export function healthOf(env: Env, connections: readonly Sharded[]): Promise<QueueHealth[]> {
  return Promise.all(connections.map(async (c) => mergeHealth(await Promise.all((await queuesOf(env, c)).map((q) => queueAt(env, q).health(q))))));
}

/** Replays the selected dead letters in each connection's queues. */
export function replay(env: Env, connections: readonly Sharded[], selector: ReplaySelector): Promise<(ReplayResult & { resumed: boolean; connection: string })[]> {
  return Promise.all(
    connections.map(async (c) => ({ connection: c.id, ...mergeReplays(await Promise.all((await queuesOf(env, c)).map((q) => queueAt(env, q).replay(q, selector)))) })),
  );
}

/**
 * Erases the subject from every queue (every shard) of each connection; `deleteUsers` names the
 * customer_ids to send MoEngage's Delete User for, per connection: they are queued in shard 0 only,
 * so a connection sends each Delete User once.
 */
export function erase(env: Env, connections: readonly Sharded[], subject: ErasureSubject, deleteUsers: (connection: string) => string[]): Promise<(ErasedInQueue & { deleteRequests: number; connection: string })[]> {
  return Promise.all(
    connections.map(async (c) => {
      const each = await Promise.all((await queuesOf(env, c)).map((q, i) => queueAt(env, q).erase(q, subject, i === 0 ? deleteUsers(c.id) : [])));
      const sum = (pick: (e: ErasedInQueue & { deleteRequests: number }) => number) => each.reduce((n, e) => n + pick(e), 0);
      return { connection: c.id, events: sum((e) => e.events), held: sum((e) => e.held), links: sum((e) => e.links), requestsRedacted: sum((e) => e.requestsRedacted), deleteRequests: sum((e) => e.deleteRequests) };
    }),
  );
}

/** The Delete User requests of erasures, per connection (shard 0 sends them), newest first. */
export function deleteRequests(env: Env, connections: readonly string[], limit: number): Promise<{ connection: string; requests: DeleteRequestShown[] }[]> {
  return Promise.all(connections.map(async (c) => ({ connection: c, requests: await queueAt(env, c).deleteRequests(limit) })));
}

/** Forgets the selected dead letters in every queue (every shard) of each connection. */
export function purgeDead(env: Env, connections: readonly Sharded[], selector: { reason?: string; before?: number }): Promise<{ connection: string; purged: number }[]> {
  return Promise.all(
    connections.map(async (c) => {
      const each = await Promise.all((await queuesOf(env, c)).map((q) => queueAt(env, q).purgeDead(q, selector)));
      return { connection: c.id, purged: each.reduce((n, e) => n + e.purged, 0) };
    }),
  );
}

/** Resumes every shard of a connection (a pause or a rate-limit wait is the connection's, not one shard's). */
export async function resume(env: Env, connection: Sharded) {
  const answers = await Promise.all((await queuesOf(env, connection)).map((q) => queueAt(env, q).resume(q)));
  const first = answers.find((a) => a.resumed) ?? answers[0]!;
  return { ...first, resumed: answers.some((a) => a.resumed) };
}

/** Rejection logs earlier releases kept in connection queues (shard 0: they predate shards), taken out of them. */
export async function takeLegacyRejections(env: Env, connections: readonly string[]): Promise<LegacyRejections[]> {
  const taken: (LegacyRejections | null)[] = await Promise.all(connections.map((c) => queueAt(env, c).takeLegacyRejections()));
  return taken.filter((t) => t !== null);
}
