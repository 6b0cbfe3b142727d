import { DurableObject } from 'cloudflare:workers';
import type { DeliveryConnection } from '../config/connections';
import { AlarmClock } from './alarmClock';
import { admit, type Refusal } from './bounds';
import { firstDelivery } from './cadence';
import type { EventFilter } from './eventFilter';
import { queueHealth, type QueueHealth } from './health';
import type { ChangePosition, ListPosition } from './logOrder';
import type { DeleteRequestShown, LoggedEvent, LoggedJourney, LogStats } from './logViews';
import { type PackedRecord, packed } from './packedRecord';
import type { EnqueueResult, IngestRecord } from './record';
import { type LegacyRejections, takeLegacyRejections } from './store/legacyRejections';
import { changedEvents, getEvent, listEvents } from './store/logReads';
import { logStats } from './store/logStats';
import type { PauseInfo } from './store/meta';
import { AlertReporter } from './alerting';
import type { QueueSignal } from './alertSignal';
import { limitsOf } from './flushPlan';
import { serverWait } from './limiter';
import { OwnConnection } from './ownConnection';
import type { QueueEnv } from './queueEnv';
import type { QueueMetrics } from './queueMetrics';
import { readCounters } from './store/counters';
import { unitsInWindow } from './unitsInWindow';
import { Sender } from './sender';
import type { ServerWait } from './serverWait';
import { deletionPass } from './deleteSender';
import { type ErasedInQueue, type ErasureSubject, eraseSubject } from './store/erasure';
import { QueueStore, type ReplayResult, type ReplaySelector } from './store/queueStore';
import { housekeeping, nextRetentionAt, retention } from './upkeep';
import { QueueIdentity } from './queueIdentity';

/** How often a paused (or misconfigured) connection checks whether its settings changed. */
const PAUSE_CHECK_MS = 60_000;
const LOG_FLUSH_MS = 1_000; // the log is written behind (store/logStaging.ts): staged rows reach it within this

/**
 * One per MoEngage connection: stores every message it is given (the event log) and delivers the
 * queued ones from its alarm, within MoEngage's limits. Its RPC surface and the alarm loop; the
 * storage is store/, the sending is sender.ts, the decisions are pure modules (flushPlan,
 * settlement, health, limiter, packer, cadence, bounds, retryPolicy, upkeep). It reads only its own
 * connection's delivery settings, so no other setting can stop it. docs/delivery.md describes the
 * behaviour.
 */
export class DeliveryQueue extends DurableObject<QueueEnv> {
  private readonly store: QueueStore;
  private readonly sender: Sender;
  private readonly alerts: AlertReporter;
  private flushing: Promise<void> | null = null;
  private readonly id: QueueIdentity;
  /** When the log's retention next has something to forget (null: nothing finished is stored). */
  private retentionDueAt: number | null = null;
  private readonly own: OwnConnection;
  private readonly clock: AlarmClock;

  constructor(ctx: DurableObjectState, env: QueueEnv) {
    super(ctx, env);
    this.store = new QueueStore(ctx.storage);
    this.clock = new AlarmClock(ctx.storage);
    this.own = new OwnConnection(env, () => this.store.meta.connection());
    this.id = new QueueIdentity(this.store.meta, env.DELIVERY_BUDGET);
    this.sender = new Sender(this.store, ctx.storage, env.ANALYTICS, env.DELIVERY_BUDGET, () => this.id.shard);
    this.alerts = new AlertReporter(this.store, env, this.sender, () => this.id.name);
    // A previous life may have died with requests out, or rows staged for the log: an alarm picks them up.
    void ctx.blockConcurrencyWhile(async () => {
      const pending = this.store.outbox.orphans(this.sender.live).length > 0 || this.store.staging.hasStaged();
      if (pending && (await ctx.storage.getAlarm()) == null) await ctx.storage.setAlarm(Date.now());
    });
  }

  /** Stores a batch durably (deduplicated by messageId) and schedules its delivery. Calls name the queue (queueIdentity.ts). */
  async enqueue(queue: string, records: readonly (IngestRecord | PackedRecord)[]): Promise<EnqueueResult> {
    await this.id.enqueued(queue, records.length);
    const connection = await this.own.usable();
    const now = Date.now();
    const pause = connection ? await this.currentPause(now) : (this.store.meta.get('pause') ?? null);
    const plan = firstDelivery(
      connection
        ? { mode: connection.delivery.mode, flushIntervalMs: connection.flushIntervalMs, batchCadenceMinutes: connection.delivery.batchCadenceMinutes }
        : { mode: 'realtime', flushIntervalMs: 1_000, batchCadenceMinutes: 15 },
      now,
    );
    const verdict: { refusal: Refusal | null } = { refusal: null };
    const waiting = this.store.outbox.waiting;
    const stored = this.store.insert(packed(records), {
      now,
      dueAt: plan.dueAt,
      pause,
      admit: (incoming) => !(verdict.refusal = connection ? admit(waiting, incoming, connection.delivery) : null),
    });
    if (stored.refused && verdict.refusal) {
      this.store.meta.bump('refused', now, verdict.refusal.detail);
      return { duplicates: [], refused: verdict.refusal };
    }
    // Paused: the minute check (settings changed? events too old?) must run. Only this batch can move
    // deadlines earlier (the log's write-behind, its holds): the alarm plans the rest when it runs.
    const wake = Math.min(stored.queued > 0 ? (pause ? now + PAUSE_CHECK_MS : plan.wakeAt) : Infinity, stored.staged ? now + LOG_FLUSH_MS : Infinity, stored.holdUntil ?? Infinity);
    if (wake !== Infinity) await this.wakeBy(wake);
    await this.alerts.afterEnqueue(connection);
    return { duplicates: stored.duplicates };
  }

  // --- the log's reads, for the debugger (delivery/queues.ts fans them out across queues) ---
  /** Newest first, after `after` (a position in the order of logOrder.ts), at most `limit`. */
  async listEvents(queue: string, filter: EventFilter, after: ListPosition | null, limit: number): Promise<LoggedEvent[]> {
    this.store.drainLog();
    return listEvents(this.ctx.storage.sql, this.id.named(queue), filter, after, limit, queue);
  }

  async getEvent(queue: string, messageId: string): Promise<LoggedJourney | null> {
    this.store.drainLog();
    return getEvent(this.ctx.storage.sql, this.id.named(queue), messageId, queue);
  }

  /** Events changed after `after`, oldest change first, and this queue's clock (the live tail). */
  async changedEvents(queue: string, filter: EventFilter, after: ChangePosition, limit: number): Promise<{ asOf: number; events: LoggedEvent[] }> {
    this.store.drainLog();
    return { asOf: Date.now(), events: changedEvents(this.ctx.storage.sql, this.id.named(queue), filter, after, limit, queue) };
  }

  async logStats(since: number, seriesSince: number): Promise<LogStats> {
    this.store.drainLog();
    return logStats(this.ctx.storage.sql, since, seriesSince, Date.now());
  }

  /** Rejections an earlier release kept here, handed over once to the collector's log. */
  async takeLegacyRejections(): Promise<LegacyRejections | null> {
    return takeLegacyRejections(this.ctx.storage);
  }

  /** Dead-lettered (and paused) events again: all, by reason, or by messageId. Idempotent. */
  async replay(queue: string, selector: ReplaySelector): Promise<ReplayResult & { resumed: boolean }> {
    this.id.named(queue);
    const now = Date.now();
    const result = this.store.replay(selector, now);
    const pause = this.store.meta.get('pause');
    // A paused event can only move with its connection: asking to replay it is asking to resume.
    const resumed = Boolean(pause && result.paused > 0);
    const connection = await this.own.usable();
    if (resumed) await this.resumeNow(now, connection);
    else if (pause && result.replayed) this.store.markPaused(pause, now);
    if (result.replayed || resumed) await this.wakeBy(now);
    await this.alerts.tell(connection);
    return { ...result, resumed };
  }

  /** Erasure (store/erasure.ts): forgets the subject here; queues MoEngage's Delete User for `customerIds` (sent by the alarm, retried). */
  async erase(queue: string, subject: ErasureSubject, customerIds: string[]): Promise<ErasedInQueue & { deleteRequests: number }> {
    this.id.named(queue);
    const now = Date.now();
    const erased = (this.store.drainLog(), eraseSubject(this.ctx.storage, subject, now)); // staged rows too
    this.store.outbox.recount();
    this.store.holds.forgetKnownLinks(); // its links are gone: the visitor's next identified message must write them again
    const deleteRequests = customerIds.reduce((n, id) => n + this.store.deletes.queue(id, now), 0);
    if (deleteRequests) await this.wakeBy(now);
    return { ...erased, deleteRequests };
  }

  /** The Delete User requests of erasures, newest first, with what was sent and answered. */
  async deleteRequests(limit: number): Promise<DeleteRequestShown[]> {
    return this.store.deletes.list(limit);
  }

  /** Forgets dead letters (all, of one reason, or dead since before `before`); returns how many. */
  async purgeDead(queue: string, selector: { reason?: string; before?: number }): Promise<{ purged: number }> {
    this.id.named(queue);
    let purged = 0;
    for (let n = -1; n !== 0; purged += n) n = this.store.purgeDead(selector.before ?? Number.MAX_SAFE_INTEGER, 5_000, selector.reason);
    await this.alerts.tell(await this.own.usable());
    return { purged };
  }

  /** Explicit resume of a paused or rate-limited connection (after fixing what MoEngage refused). */
  async resume(queue: string): Promise<{ resumed: boolean; pause: Omit<PauseInfo, 'fingerprint'> | null; rateLimited: ServerWait | null }> {
    this.id.named(queue);
    const pause = this.store.meta.get('pause');
    const now = Date.now();
    const connection = await this.own.usable();
    const rateLimited = connection ? serverWait(await this.sender.fresh(connection, now), now) : null;
    if (!pause && !rateLimited) return { resumed: false, pause: null, rateLimited: null };
    await this.resumeNow(now, connection);
    await this.alerts.tell(connection);
    if (!pause) return { resumed: true, pause: null, rateLimited };
    const { fingerprint: _secretish, ...shown } = pause;
    return { resumed: true, pause: shown, rateLimited };
  }

  /** Non-secret state for /healthz and the debugger. */
  async health(queue: string): Promise<QueueHealth> {
    const connectionId = this.id.named(queue);
    this.store.drainLog(); // its counts include what was staged
    const own = await this.own.get();
    const now = Date.now();
    const connection = own && 'connection' in own ? own.connection : undefined;
    const health = queueHealth({
      connection: connectionId,
      settings: own && 'misconfigured' in own ? own.misconfigured : connection,
      pause: connection ? await this.currentPause(now) : (this.store.meta.get('pause') ?? null),
      stats: this.store.stats(),
      log: this.store.log.extent(),
      outage: this.store.meta.get('outage'),
      rateLimited: connection ? serverWait(await this.sender.fresh(connection, now), now) : null, // the budget is the connection's
      refused: this.store.meta.get('refused'),
      expired: this.store.meta.get('expired'),
      now,
    });
    return { ...health, ...(queue === connectionId ? {} : { queue }), received: { ...this.id.received } };
  }

  /** This queue's state as its connection's alerts judge it (they ask while something is amiss). */
  async alertSignal(): Promise<QueueSignal | null> {
    const connection = await this.own.usable();
    return connection ? this.alerts.answer(connection, Date.now()) : null;
  }

  /** Counters and gauges for GET /debugger/api/metrics (worker/metrics/). */
  async metrics(queue: string): Promise<QueueMetrics> {
    const health = await this.health(queue);
    const connection = await this.own.usable();
    const now = Date.now();
    return {
      health,
      counters: readCounters(this.ctx.storage.sql),
      unitsInWindow: connection ? unitsInWindow(this.sender.limiter(connection, now), now) : { events: 0, customers: 0, merges: 0, requests: 0 },
      limits: connection ? limitsOf(connection) : null,
    };
  }

  override async alarm(): Promise<void> {
    this.clock.unknown(); // the alarm that fired is spent
    // One flush at a time (a test's runDurableObjectAlarm may meet a scheduled one).
    if (this.flushing) return this.flushing;
    this.flushing = (async () => {
      try {
        this.store.drainLog(); // the log's write-behind, in bulk
        await this.flush();
      } finally {
        this.flushing = null;
        this.clock.unknown(); // the flush sets alarms of its own (sender.ts)
      }
      await this.wakeForHolds();
      // Retention was planned at the start of the flush; events that finished during it (the first
      // delivered or dead-lettered ones of an otherwise empty log) must be forgotten too.
      if (this.retentionDueAt === null) await this.wakeForRetention(await this.own.usable());
      else await this.wakeBy(this.retentionDueAt);
      if (this.store.staging.hasStaged()) await this.wakeBy(Date.now() + LOG_FLUSH_MS); // staged during the flush
      await this.alerts.tell(await this.own.usable());
    })();
    return this.flushing;
  }

  private async flush(): Promise<void> {
    const own = await this.own.get();
    const now = Date.now();
    if (!own || 'misconfigured' in own) {
      this.store.expireHolds(now); // needs no settings, and keeps the hold's alarm in the future
      // Never enqueued to, or removed from the config: its events stay stored. Malformed settings:
      // they stay stored too, and the queue looks again each minute (a fix comes with a redeploy).
      if (own && this.store.outbox.waiting > 0) await this.ctx.storage.setAlarm(now + PAUSE_CHECK_MS);
      return;
    }
    const { connection } = own;
    for (const attempt of this.store.outbox.orphans(this.sender.live)) this.store.interrupt(attempt, now);
    housekeeping(this.store, connection, now);
    this.retentionDueAt = retention(this.store, connection, now);
    this.store.expireHolds(now); // unidentified past the hold window → dropped

    const pause = await this.currentPause(now);
    if (pause) {
      if (this.store.outbox.waiting > 0) await this.ctx.storage.setAlarm(now + PAUSE_CHECK_MS);
      return;
    }
    const gate = this.store.meta.get('outage');
    if (gate && gate.until > now) return this.ctx.storage.setAlarm(gate.until);

    await this.sender.flush(own);
    const deletesDue = await deletionPass(this.store.deletes, connection);
    if (deletesDue !== null) await this.wakeBy(deletesDue);
  }

  /** An alarm no later than the moment the oldest finished event expires (an idle queue must forget too). */
  private async wakeForRetention(connection: DeliveryConnection | undefined): Promise<void> {
    if (!connection) return;
    this.retentionDueAt = nextRetentionAt(this.store, connection);
    if (this.retentionDueAt !== null) await this.wakeBy(this.retentionDueAt);
  }

  /** An alarm no later than the end of the next hold window. */
  private async wakeForHolds(): Promise<void> {
    const deadline = this.store.holds.nextDeadline();
    if (deadline != null) await this.wakeBy(deadline);
  }

  /** The pause in force, unless the connection's settings changed since (then it resumes). */
  private async currentPause(now: number): Promise<PauseInfo | null> {
    const pause = this.store.meta.get('pause');
    if (!pause) return null;
    const own = await this.own.get();
    if (!own || !('fingerprint' in own) || pause.fingerprint === own.fingerprint) return pause;
    await this.resumeNow(now, own.connection);
    return null;
  }

  private async resumeNow(now: number, connection: DeliveryConnection | undefined): Promise<void> {
    this.store.meta.delete('pause');
    this.store.meta.delete('outage');
    this.store.markResumed(now);
    // A resume also lifts what MoEngage's rate headers imposed (the next send is a single probe).
    const lifted = connection ? await this.sender.liftServerWaits(connection, now) : null;
    if (lifted) this.store.liftWait(now, lifted.until);
    await this.wakeBy(now);
  }

  private wakeBy(at: number): Promise<void> {
    return this.clock.wakeBy(at, this.flushing !== null); // no later than `at` (alarmClock.ts)
  }
}
