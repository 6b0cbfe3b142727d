/**
 * Per-workspace, per-minute budgets. MoEngage states its limits per minute (30,000 events, customer
 * updates, 1,000 merged users, 5,000 Delete User requests) without publishing the window algorithm, so the sandbox uses the
 * simplest deterministic one:
 *
 * - Fixed windows aligned to whole minutes of the injected clock: [floor(now/60s)*60s, +60s).
 *   Tests move the clock past the boundary to get a fresh budget.
 * - A request costs its number of units (actions in /v1/event, one per customer, one per merge pair,
 *   one per Delete User request,
 *   and for /v1/transition the sum over its elements, per bucket).
 * - All-or-nothing: if any bucket the request touches would go over its limit, the whole request is
 *   refused with 429 and nothing is consumed (MoEngage does not accept part of a batch).
 * - Only requests that pass auth and validation consume budget.
 */

export const WINDOW_MS = 60_000;

export type Bucket = 'events' | 'customers' | 'merges' | 'deletions';
export type Limits = Record<Bucket, number>;
export type Costs = Partial<Record<Bucket, number>>;

export interface Decision {
  allowed: boolean;
  bucket: Bucket;
  limit: number;
  remaining: number;
  /** Whole seconds until the current window ends (≥ 1). */
  resetSeconds: number;
}

export function windowStart(nowMs: number): number {
  return Math.floor(nowMs / WINDOW_MS) * WINDOW_MS;
}

export function secondsUntilReset(nowMs: number): number {
  return Math.max(1, Math.ceil((windowStart(nowMs) + WINDOW_MS - nowMs) / 1000));
}

export function rateLimitHeaders(d: Decision): Record<string, string> {
  const headers: Record<string, string> = {
    'x-ratelimit-limit': String(d.limit),
    'x-ratelimit-remaining': String(d.remaining),
    'x-ratelimit-reset': String(d.resetSeconds),
  };
  if (!d.allowed) headers['retry-after'] = String(d.resetSeconds);
  return headers;
}

export class RateWindows {
  private readonly used = new Map<string, { start: number; used: number }>();

  constructor(private readonly limits: Limits) {}

  private usedNow(workspace: string, bucket: Bucket, nowMs: number): number {
    const entry = this.used.get(`${workspace}\u0000${bucket}`);
    return entry && entry.start === windowStart(nowMs) ? entry.used : 0;
  }

  /** Current state of one bucket without consuming anything (used for injected 429s). */
  peek(workspace: string, bucket: Bucket, nowMs: number): Decision {
    const limit = this.limits[bucket];
    return { allowed: true, bucket, limit, remaining: Math.max(0, limit - this.usedNow(workspace, bucket, nowMs)), resetSeconds: secondsUntilReset(nowMs) };
  }

  /**
   * Consume `costs` atomically. The decision reported (and turned into headers) is the refused
   * bucket on 429, otherwise the touched bucket with the least room left, else `primary`.
   */
  take(workspace: string, costs: Costs, primary: Bucket, nowMs: number): Decision {
    const touched = (Object.keys(costs) as Bucket[]).filter((b) => (costs[b] ?? 0) > 0);
    const resetSeconds = secondsUntilReset(nowMs);
    for (const bucket of touched) {
      const limit = this.limits[bucket];
      const used = this.usedNow(workspace, bucket, nowMs);
      if (used + (costs[bucket] ?? 0) > limit) {
        return { allowed: false, bucket, limit, remaining: Math.max(0, limit - used), resetSeconds };
      }
    }
    const start = windowStart(nowMs);
    for (const bucket of touched) {
      const used = this.usedNow(workspace, bucket, nowMs) + (costs[bucket] ?? 0);
      this.used.set(`${workspace}\u0000${bucket}`, { start, used });
    }
    const decisions = (touched.length ? touched : [primary]).map((b) => this.peek(workspace, b, nowMs));
    return decisions.reduce((tightest, d) => (d.remaining < tightest.remaining ? d : tightest));
  }

  clear(): void {
    this.used.clear();
  }
}
