import type { Amounts, Limits, LimiterState, RateSignal } from './limiter';
import type { ServerWait } from './serverWait';

/**
 * What a queue shard calls on its connection's budget (DeliveryBudget.ts), typed here so that the
 * queue's env needs no other Durable Object's class. Every answer carries the limiter as it now
 * stands: the shard plans its next wake and shows its health from it.
 */
export interface BudgetCalls extends Rpc.DurableObjectBranded {
  /** The limiter now; `seed` is a queue's own limiter from before the budget existed, adopted once. */
  state(limits: Limits, shard: number, seed: unknown): Promise<LimiterState>;
  /** Grants a request costing `cost` (plus one request) only if it fits now, and records it. */
  take(limits: Limits, shard: number, cost: Partial<Amounts>): Promise<{ granted: boolean; limiter: LimiterState }>;
  answered(limits: Limits, signal: RateSignal): Promise<LimiterState>;
  /** After each flush: whether this shard still has work due (the bucket rests only when no shard has). */
  standing(limits: Limits, shard: number, due: boolean): Promise<LimiterState>;
  lift(limits: Limits): Promise<{ wait: ServerWait | null; limiter: LimiterState }>;
  /** Remembers that queue shard `shard` holds events (reads include it even after N was lowered). */
  register(shard: number): Promise<void>;
  /** Every shard that ever held events: 0 … shardCount − 1. */
  shardCount(): Promise<number>;
}
