import type { Env } from '../env';
import type { CollectorCount } from './CollectorCounters';

/**
 * Counts collector-wide things (tag served, requests refused) without a round trip on the answer's
 * path: counts gather in this isolate and go to the CollectorCounters object in the background,
 * one write in flight at a time (under load, one write carries many counts). A count is lost only
 * if the isolate dies within the milliseconds before its write.
 */
const pending = new Map<string, CollectorCount>();
let flushing: Promise<void> | null = null;

export function countCollector(env: Env, ctx: Pick<ExecutionContext, 'waitUntil'>, metric: string, a: string, b = ''): void {
  const key = `${metric}\u0000${a}\u0000${b}`;
  const row = pending.get(key);
  if (row) row.value++;
  else pending.set(key, { metric, a, b, value: 1 });
  ctx.waitUntil(flush(env));
}

/** Writes what this isolate has gathered (the metrics route awaits it, so its own counts show). */
export function flush(env: Env): Promise<void> {
  flushing ??= (async () => {
    try {
      while (pending.size) {
        const counts = [...pending.values()];
        pending.clear();
        try {
          await env.COLLECTOR_COUNTERS.getByName('collector').add(counts);
        } catch {
          // Kept for the next write.
          for (const c of counts) {
            const key = `${c.metric}\u0000${c.a}\u0000${c.b}`;
            const row = pending.get(key);
            if (row) row.value += c.value;
            else pending.set(key, c);
          }
          return;
        }
      }
    } finally {
      flushing = null;
    }
  })();
  return flushing;
}
