import type { DeliveryConnection } from '../config/connections';
import { type QueueSignal, crossedBacklogLine, worthReporting } from './alertSignal';
import { serverWait } from './limiter';
import type { QueueEnv } from './queueEnv';
import type { Sender } from './sender';
import { deadLettered } from './store/counters';
import type { QueueStore } from './store/queueStore';

/**
 * Reports this queue's state to its connection's alerts (worker/alerts/) when it changed in a way an
 * alert depends on (alertSignal.ts). Never waits for a webhook (the alerts object sends from its own
 * alarm); if the alerts object cannot be reached, the next change or its own check catches up.
 */
export class AlertReporter {
  /** What the connection's alerts last heard from this queue. */
  private reported: QueueSignal | null = null;

  constructor(
    private readonly store: QueueStore,
    private readonly env: QueueEnv,
    private readonly sender: Sender,
    /** This queue's name (a shard's, `<id>#<i>`) once a call named it; null: the connection's id (shard 0). */
    private readonly queueName: () => string | null,
  ) {}

  /** The state now, as the alerts object asks for it (remembered as reported). */
  answer(connection: DeliveryConnection, now: number): QueueSignal {
    this.reported = this.signalOf(connection, now);
    return this.reported;
  }

  /** Enqueue's check, per request: tell the alerts only when this batch took the backlog over the alert line. */
  async afterEnqueue(connection: DeliveryConnection | undefined): Promise<void> {
    if (connection && crossedBacklogLine(this.reported, this.store.outbox.waiting, connection.delivery.maxBacklogEvents)) await this.tell(connection);
  }

  async tell(connection: DeliveryConnection | undefined): Promise<void> {
    if (!connection) return;
    const signal = this.signalOf(connection, Date.now());
    if (!worthReporting(this.reported, signal)) return;
    try {
      await this.env.CONNECTION_ALERTS.getByName(connection.id).report(signal);
      this.reported = signal;
    } catch {
      // Told on the next change.
    }
  }

  private signalOf(connection: DeliveryConnection, now: number): QueueSignal {
    const pause = this.store.meta.get('pause') ?? null;
    const waiting = this.store.outbox.waiting;
    // What /healthz calls rate_limited: a wait MoEngage imposed (429, or a quota it said is spent) holding events back.
    const wait = waiting > 0 ? serverWait(this.sender.limiter(connection, now), now) : null;
    return {
      connection: connection.id,
      // Shard 0 is named by the connection's id (delivery/shardRouting.ts); the alerts ask back by this name.
      queue: this.queueName() ?? connection.id,
      at: now,
      paused: pause ? { reason: pause.reason, detail: pause.detail, since: pause.since } : null,
      rateLimited: wait ? { until: wait.until } : null,
      depth: waiting,
      maxBacklogEvents: connection.delivery.maxBacklogEvents,
      oldestQueuedAt: waiting > 0 ? this.store.outbox.oldestQueuedAt() : null,
      deadLettered: deadLettered(this.store.sql),
      batchCadenceMinutes: connection.delivery.mode === 'batch' ? connection.delivery.batchCadenceMinutes : null,
    };
  }
}
