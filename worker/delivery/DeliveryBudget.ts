import { DurableObject } from 'cloudflare:workers';
import type { BudgetCalls } from './budgetCalls';
import { answered, grant, type Ledger, lifted, standing } from './lease';
import { type Amounts, type Limits, type LimiterState, type RateSignal, restoreLimiter } from './limiter';
import type { ServerWait } from './serverWait';

/** As stored: no limiter until the first send is planned. */
type Stored = Omit<Ledger, 'limiter'> & { limiter: unknown };

/**
 * One per connection, named by its id: the MoEngage budget all of the connection's queue shards
 * spend (lease.ts). Shards ask before each request and report each answer, so MoEngage's per-minute
 * limits and any shard's 429 or rate headers hold for the connection as a whole. Every call runs
 * without awaiting anything (synchronous SQLite), so two shards never spend the same tokens. It
 * reads no settings: each call brings the connection's limits.
 */
export class DeliveryBudget extends DurableObject<unknown> implements BudgetCalls {
  private ledger: Stored | null = null;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS budget (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
  }

  async state(limits: Limits, shard: number, seed: unknown): Promise<LimiterState> {
    return this.update(limits, seed, (l) => ({ ...l, shards: Math.max(l.shards, shard + 1) })).limiter;
  }

  async take(limits: Limits, shard: number, cost: Partial<Amounts>): Promise<{ granted: boolean; limiter: LimiterState }> {
    let granted = false;
    const ledger = this.update(limits, undefined, (l) => {
      const result = grant(l, limits, cost, shard, Date.now());
      granted = result.granted;
      return result.ledger;
    });
    return { granted, limiter: ledger.limiter };
  }

  async answered(limits: Limits, signal: RateSignal): Promise<LimiterState> {
    return this.update(limits, undefined, (l) => answered(l, limits, signal, Date.now())).limiter;
  }

  async standing(limits: Limits, shard: number, due: boolean): Promise<LimiterState> {
    return this.update(limits, undefined, (l) => standing(l, limits, shard, due, Date.now())).limiter;
  }

  async lift(limits: Limits): Promise<{ wait: ServerWait | null; limiter: LimiterState }> {
    let wait: ServerWait | null = null;
    const ledger = this.update(limits, undefined, (l) => {
      const result = lifted(l, Date.now());
      wait = result.wait;
      return result.ledger;
    });
    return { wait, limiter: ledger.limiter };
  }

  /** Every queue shard that ever stored events (delivery/queues.ts reads them all, also after N was lowered). */
  async shardCount(): Promise<number> {
    return this.read()?.shards ?? 1;
  }

  /** Remembers that shard `shard` holds events (its first enqueue in each life of the queue object). */
  async register(shard: number): Promise<void> {
    const stored = this.read();
    if (stored && stored.shards > shard) return;
    this.write({ limiter: stored?.limiter ?? null, probeUntil: stored?.probeUntil ?? 0, busy: stored?.busy ?? {}, shards: shard + 1 });
  }

  private update(limits: Limits, seed: unknown, change: (l: Ledger) => Ledger): Ledger {
    const stored = this.read();
    // A queue's own limiter from before budgets existed carries the minute's sends: adopted once,
    // when the budget has none yet. Stored state is read back bounded (limiter.ts restoreLimiter).
    const base: Ledger = {
      limiter: restoreLimiter(stored?.limiter ?? seed, limits, Date.now()),
      probeUntil: stored?.probeUntil ?? 0,
      busy: stored?.busy ?? {},
      shards: stored?.shards ?? 1,
    };
    const next = change(base);
    this.write(next);
    return next;
  }

  private read(): Stored | null {
    if (this.ledger) return this.ledger;
    const row = this.ctx.storage.sql.exec<{ value: string }>("SELECT value FROM budget WHERE key = 'ledger'").toArray()[0];
    this.ledger = row ? (JSON.parse(row.value) as Stored) : null;
    return this.ledger;
  }

  private write(ledger: Stored): void {
    this.ledger = ledger;
    this.ctx.storage.sql.exec("INSERT INTO budget (key, value) VALUES ('ledger', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", JSON.stringify(ledger));
  }
}
