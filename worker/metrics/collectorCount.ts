import type { Env } from '../env';
import type { CollectorCount } from './CollectorCounters';

/**
 * Counts collector-wide things (tag served, requests refused) without a round trip on the answer's
 * path: counts gather in this isolate and a background task (waitUntil) writes them to the
 * CollectorCounters object, one write in flight per isolate at a time (under load, one write
 * carries many counts). They show in the metrics a few milliseconds later; a count is lost only if
 * the isolate dies in between. The task never shares a promise with another request (Workers do
 * not allow a request to wait on another one's I/O).
 */
const pending = new Map<string, CollectorCount>();
let writing = false;

const keyOf = (c: Pick<CollectorCount, 'metric' | 'a' | 'b'>) => `${c.metric}\u0000${c.a}\u0000${c.b}`;

function add(count: CollectorCount): void {
  const row = pending.get(keyOf(count));
  if (row) row.value += count.value;
  else pending.set(keyOf(count), { ...count });
}

export function countCollector(env: Env, ctx: Pick<ExecutionContext, 'waitUntil'>, metric: string, a: string, b = ''): void {
  add({ metric, a, b, value: 1 });
  if (!writing) ctx.waitUntil(write(env));
}

/**
 * A few rounds at most: under steady traffic `pending` never empties, and a loop until it does would
 * hold the first request's waitUntil open for as long as the traffic lasts (Cloudflare cancels it
 * after 30 s; the fuzz run saw one request's context never finish). What is left is written by the
 * next request's task.
 */
const MAX_ROUNDS = 3;

async function write(env: Env): Promise<void> {
  writing = true;
  try {
    for (let round = 0; round < MAX_ROUNDS && pending.size; round++) {
      const counts = [...pending.values()];
      pending.clear();
      try {
        await env.COLLECTOR_COUNTERS.getByName('collector').add(counts);
      } catch {
        for (const c of counts) add(c); // kept for the next write
        return;
      }
    }
  } finally {
    writing = false;
  }
}
