import { DurableObject } from 'cloudflare:workers';
import { afterFailure, FAILURE_MEMORY_MS, type FailureState } from './lockout';
import { hit, type RateDecision, type WindowState } from './slidingWindow';

/** Windows kept in memory per instance before the oldest are swept. */
const MAX_KEYS = 50_000;

/**
 * Counters for abuse limits, sharded by key (see ingestRateLimit.ts). Rate windows live in memory:
 * losing them when the instance is evicted only forgives a minute of traffic. Debugger login
 * failures are stored, so a lockout survives restarts.
 */
export class RateLimiter extends DurableObject<unknown> {
  private readonly windows = new Map<string, WindowState>();

  async hit(key: string, limit: number, windowMs: number): Promise<RateDecision> {
    const now = Date.now();
    const result = hit(this.windows.get(key), now, limit, windowMs);
    this.windows.delete(key); // re-insert: Map order is then least-recently-used first
    this.windows.set(key, result.state);
    if (this.windows.size > MAX_KEYS) this.sweep(now, windowMs);
    return result.decision;
  }

  /** Milliseconds this key must still wait before its next attempt is considered (0: go ahead). */
  async lockedFor(key: string): Promise<number> {
    const state = await this.ctx.storage.get<FailureState>(`failures:${key}`);
    return state ? Math.max(0, state.lockedUntil - Date.now()) : 0;
  }

  async recordFailure(key: string): Promise<FailureState> {
    const state = afterFailure(await this.ctx.storage.get<FailureState>(`failures:${key}`), Date.now());
    await this.ctx.storage.put(`failures:${key}`, state);
    // Failure records hold client addresses (personal data): an alarm deletes them once forgotten.
    if ((await this.ctx.storage.getAlarm()) == null) await this.ctx.storage.setAlarm(Date.now() + FAILURE_MEMORY_MS);
    return state;
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    let remaining = 0;
    for (const [key, state] of await this.ctx.storage.list<FailureState>({ prefix: 'failures:' })) {
      if (now - state.lastAt >= FAILURE_MEMORY_MS && state.lockedUntil <= now) await this.ctx.storage.delete(key);
      else remaining++;
    }
    if (remaining) await this.ctx.storage.setAlarm(now + FAILURE_MEMORY_MS);
  }

  async clearFailures(key: string): Promise<void> {
    if (await this.ctx.storage.get(`failures:${key}`)) await this.ctx.storage.delete(`failures:${key}`);
  }

  private sweep(now: number, windowMs: number): void {
    for (const [key, state] of this.windows) {
      if (this.windows.size <= MAX_KEYS * 0.9 && now - state.start < 2 * windowMs) break;
      this.windows.delete(key);
    }
  }
}
