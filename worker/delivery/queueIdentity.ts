import type { BudgetCalls } from './budgetCalls';
import { parseQueueName } from './shardRouting';
import type { QueueMeta } from './store/meta';

/**
 * Which queue a DeliveryQueue is: every call names it (delivery/queues.ts), the connection's id for
 * shard 0, `<id>#<i>` for shard i (shardRouting.ts). Kept here with what goes with the name: the
 * shard's registration with its connection's budget, and what the object took since it started.
 */
export class QueueIdentity {
  /** The queue's name once known (a shard other than 0 remembers it for alarms of a later life). */
  name: string | null;
  /** This shard told its connection's budget it exists. */
  private registered = false;
  /** What this object took since it started, for /healthz's per-shard rates (in memory: costs no write). */
  readonly received = { events: 0, requests: 0, since: Date.now() };

  constructor(
    private readonly meta: QueueMeta,
    private readonly budgets: DurableObjectNamespace<BudgetCalls>,
  ) {
    this.name = meta.queue() ?? null;
  }

  get shard(): number {
    return parseQueueName(this.name ?? '').shard;
  }

  /** Remembers the connection (and this queue's name) a call names; returns the connection's id. */
  named(queue: string): string {
    const { connection } = parseQueueName(queue);
    this.meta.rememberConnection(connection);
    if (this.name !== queue) {
      if (queue !== connection) this.meta.rememberQueue(queue);
      this.name = queue;
    }
    return connection;
  }

  /**
   * A shard other than 0 tells its connection's budget, once per life, that it holds events: reads
   * then include it even after the connection's shard count was lowered (delivery/queues.ts). If the
   * budget cannot be told, the batch is not stored (the client retries), so no event hides in a
   * shard the reads would not know.
   */
  async enqueued(queue: string, events: number): Promise<string> {
    const connection = this.named(queue);
    const { shard } = parseQueueName(queue);
    if (shard > 0 && !this.registered) {
      await this.budgets.getByName(connection).register(shard);
      this.registered = true;
    }
    this.received.requests++;
    this.received.events += events;
    return connection;
  }
}
