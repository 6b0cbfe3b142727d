import type { DeliveryConnection } from '../config/connections';
import { classify, type Target } from '../moengage/classify';
import { type Exchange, postToMoEngage } from '../moengage/client';
import { endpointUrl } from '../moengage/endpoints';
import { askFor, limitsOf, nextWake, roomOf, unitOf, worthSending } from './flushPlan';
import type { BudgetCalls } from './budgetCalls';
import { type Amounts, available, type LimiterState, observe, type RateSignal, restoreLimiter, serverWait } from './limiter';
import type { Own } from './ownConnection';
import { observeAttempt } from './observeAttempt';
import { type PackedRequest, type Pending, pack, packingOf } from './packer';
import { backoffMs } from './retryPolicy';
import type { ServerWait } from './serverWait';
import { settlementOf } from './settlement';
import type { QueueStore } from './store/queueStore';

/** Requests one alarm may send before it yields (Workers cap subrequests per invocation). */
const MAX_REQUESTS_PER_FLUSH = 40;
/** While requests are out, an alarm stays set this far ahead: if this object dies, it runs again. */
export const LEASE_MS = 60_000;
/** The connection's budget could not be reached: nothing is sent unbudgeted; the queue asks again this much later. */
export const BUDGET_RETRY_MS = 5_000;

type Usable = Extract<Own, { connection: unknown }>;

/**
 * A DeliveryQueue's sending: within the connection's budget, due items are packed into requests
 * and sent to MoEngage one at a time, each settled by MoEngage's answer (settlement.ts). I/O around
 * pure planning (flushPlan.ts). The limiter lives in the connection's DeliveryBudget, shared by all
 * its queue shards: each request is leased from it before it is sent, each answer reported to it
 * (lease.ts); this keeps the latest copy it answered, to plan the next wake and show health. If
 * the budget cannot be reached, nothing is sent.
 */
export class Sender {
  /** Attempts this life of the object has in flight; any other in-flight marker is an orphan. */
  readonly live = new Set<number>();
  private limiterState: LimiterState | null = null;
  private sent = 0;

  constructor(
    private readonly store: QueueStore,
    private readonly storage: DurableObjectStorage,
    /** Workers Analytics Engine, when bound: a data point per attempt (observeAttempt.ts). */
    private readonly analytics: AnalyticsEngineDataset | undefined,
    private readonly budgets: DurableObjectNamespace<BudgetCalls>,
    /** This queue's shard number (0 until a call named the queue). */
    private readonly shard: () => number,
  ) {}

  /** The budget's limiter as it last answered (before any answer: this queue's own from an earlier release). */
  limiter(connection: DeliveryConnection, now: number): LimiterState {
    this.limiterState ??= restoreLimiter(this.store.meta.get('limiter'), limitsOf(connection), now);
    return this.limiterState;
  }

  private budget(connection: DeliveryConnection) {
    return this.budgets.getByName(connection.id);
  }

  /** Asks the budget how it stands; false when it cannot be reached (the copy stays as it was). */
  async refresh(connection: DeliveryConnection): Promise<boolean> {
    try {
      this.limiterState = (await this.budget(connection).state(limitsOf(connection), this.shard(), this.store.meta.get('limiter') ?? null)) as unknown as LimiterState;
      return true;
    } catch {
      return false;
    }
  }

  /** The limiter as the connection's budget says now (shared by its shards); the last copy if it cannot be reached. */
  async fresh(connection: DeliveryConnection, now: number): Promise<LimiterState> {
    await this.refresh(connection);
    return this.limiter(connection, now);
  }

  /**
   * An operator's resume: every wait MoEngage's answers imposed is lifted, for every shard of the
   * connection; the next send a single probe. Returns the wait that was holding sends back, if one was.
   */
  async liftServerWaits(connection: DeliveryConnection, now: number): Promise<ServerWait | null> {
    try {
      const { wait, limiter } = await this.budget(connection).lift(limitsOf(connection));
      this.limiterState = limiter as unknown as LimiterState;
      return wait as ServerWait | null;
    } catch {
      return serverWait(this.limiter(connection, now), now);
    }
  }

  /** Leases one request's units from the budget: sent only when granted. */
  private async lease(connection: DeliveryConnection, cost: Partial<Amounts>): Promise<'granted' | 'denied' | 'unreachable'> {
    try {
      const { granted, limiter } = await this.budget(connection).take(limitsOf(connection), this.shard(), cost);
      this.limiterState = limiter as unknown as LimiterState;
      return granted ? 'granted' : 'denied';
    } catch {
      return 'unreachable';
    }
  }

  /** Sends what is due and the budget allows, then sets the next alarm (nextWake). */
  async flush(own: Usable): Promise<void> {
    const { connection } = own;
    const limits = limitsOf(connection);
    this.sent = 0;
    let stopped = false;
    let unreachable = !(await this.refresh(connection));
    while (!unreachable && !stopped && this.sent < MAX_REQUESTS_PER_FLUSH) {
      const now = Date.now();
      const budget = available(this.limiter(connection, now), limits, now);
      if (budget.requests <= 0) break;
      const room = roomOf(budget);
      const due = worthSending(this.store.outbox.due(now, askFor(room)), room, limits);
      if (!due.length) break;
      const packed = pack(due, {
        packing: connection.delivery.packing,
        budget: { ...budget, requests: Math.min(budget.requests, MAX_REQUESTS_PER_FLUSH - this.sent) },
      });
      for (const t of packed.tooLarge) {
        this.store.deadLetter([t.key], now, 'payload_too_large', `this event alone makes a ${t.bytes}-byte request; MoEngage accepts at most ${t.limit} bytes (128 KB)`);
      }
      if (!packed.requests.length) {
        if (packed.tooLarge.length) continue;
        break;
      }
      const items = new Map(due.map((p) => [p.key, p]));
      for (const request of packed.requests) {
        // Leave an alarm behind while the request is out: if this object dies, the events are picked up.
        await this.storage.setAlarm(Date.now() + LEASE_MS);
        const lease = await this.lease(connection, request.cost);
        // Denied: another shard spent the budget since this one looked; the items stay due.
        if (lease !== 'granted') {
          unreachable = lease === 'unreachable';
          stopped = true;
          break;
        }
        if ((await this.deliver(own, request, items)) === 'stop') {
          stopped = true;
          break;
        }
      }
    }
    let { now, wake } = this.plan(connection);
    if (!unreachable) {
      await this.standing(connection, wake.limiter !== this.limiterState ? wake.limiter : null);
      // That call is I/O, and an enqueue may have run meanwhile and set the alarm for what it stored.
      // Plan again from what is stored now: a plan made before it came would delete or postpone
      // that alarm, and its events would wait for the next enqueue (a lost wake-up).
      ({ now, wake } = this.plan(connection));
    }
    if (wake.at === null) await this.storage.deleteAlarm();
    else await this.storage.setAlarm(unreachable ? Math.max(wake.at, now + BUDGET_RETRY_MS) : wake.at);
  }

  /** When to wake next, from what is stored and the limiter as they are now (no I/O: nothing can change them meanwhile). */
  private plan(connection: DeliveryConnection): { now: number; wake: ReturnType<typeof nextWake> } {
    const now = Date.now();
    const wake = nextWake({
      nextDue: this.store.outbox.nextDue(),
      waiting: this.store.outbox.waiting,
      gateUntil: this.store.meta.get('outage')?.until ?? 0,
      limits: limitsOf(connection),
      limiter: this.limiter(connection, now),
      now,
      progressed: this.sent > 0,
      leaseMs: LEASE_MS,
    });
    return { now, wake };
  }

  /**
   * Sends one request and settles its items by MoEngage's answer; a refused multi-item request is
   * split in halves, recursively, until the refused item stands alone. 'stop' ends the flush
   * (MoEngage is rate limiting, failing or refusing our credentials).
   */
  private async deliver(own: Usable, request: PackedRequest, items: Map<number, Pending>): Promise<'ok' | 'stop'> {
    // The request was packed before I/O (the budget's lease, an earlier request's answer), and an
    // erasure may have run meanwhile: what it removed must not leave. The rest goes, packed again.
    const stored = this.store.outbox.present(request.keys);
    if (stored.length < request.keys.length) return this.deliverEach(own, stored, packingOf(request.endpoint), items);
    const { connection } = own;
    const url = endpointUrl(connection, request.endpoint);
    const attemptId = this.store.beginAttempt({ url, body: request.body, bytes: request.bytes, at: Date.now(), units: request.cost }, request.keys);
    this.live.add(attemptId);
    this.sent++;
    const exchange = await postToMoEngage(connection, url, request.body);
    const now = Date.now();
    try {
      return await this.settle(own, request, items, attemptId, exchange, now);
    } catch (error) {
      // Recording the answer failed: the attempt must not stay in flight (it would block its events
      // and later pass for an orphan of a restart). Its events go out again, after the outage
      // ladder's wait so that a failure that repeats cannot become a retry storm; the journey says why.
      this.store.interrupt(attemptId, now, `recording MoEngage's answer (HTTP ${exchange.status}) failed: ${String(error).slice(0, 200)}`);
      const failures = (this.store.meta.get('outage')?.failures ?? 0) + 1;
      this.store.meta.set('outage', { failures, until: now + backoffMs(failures, Math.random()) });
      return 'stop';
    } finally {
      this.live.delete(attemptId);
    }
  }

  /** MoEngage's answer → the limiter, the attempt's record and the store operations of settlement.ts. */
  private async settle(own: Usable, request: PackedRequest, items: Map<number, Pending>, attemptId: number, exchange: Exchange, answeredAt: number): Promise<'ok' | 'stop'> {
    const { connection } = own;
    const verdict = classify(exchange, targetOf(connection, exchange.url));
    observeAttempt(this.store.sql, this.analytics, { connection: connection.id, attemptId, endpoint: request.endpoint, exchange, verdict, items: request.keys.length, units: request.cost });
    const limiter = await this.answered(connection, { status: exchange.status, unit: unitOf(request), rate: exchange.rate }, answeredAt);
    // The log's changes are stamped with the time they are written, after the budget's answer: the
    // live tail reads changes from shortly before its last read, and an older stamp could fall behind it.
    const now = Date.now();
    const settlement = settlementOf(verdict, {
      keys: request.keys,
      endpoint: request.endpoint,
      now,
      blockedUntil: limiter.blockedUntil,
      serverWait: serverWait(limiter, now),
      outage: this.store.meta.get('outage'),
      maxAttempts: connection.delivery.maxAttempts,
      random: Math.random(),
      fingerprint: own.fingerprint,
    });
    this.store.finishAttempt(attemptId, exchange, settlement.note);
    for (const op of settlement.ops) this.store.apply(op, request.keys, now);
    if (settlement.then.kind === 'continue') return 'ok';
    if (settlement.then.kind === 'stop') return 'stop';
    for (const half of settlement.then.halves) if ((await this.deliverEach(own, half, settlement.then.packing, items)) === 'stop') return 'stop';
    return 'ok';
  }

  /** Packs these items (of a request already paid for: no budget) and sends them, request by request. */
  private async deliverEach(own: Usable, keys: readonly number[], packing: 'bulk' | 'event', items: Map<number, Pending>): Promise<'ok' | 'stop'> {
    const pending = keys.map((key) => items.get(key)).filter((p): p is Pending => p !== undefined);
    const { requests } = pack(pending, { packing });
    for (const sub of requests) if ((await this.deliver(own, sub, items)) === 'stop') return 'stop';
    return 'ok';
  }

  /** Reports an answer to the budget (a 429 or spent quota then holds every shard back); kept here too if it cannot be reached. */
  private async answered(connection: DeliveryConnection, signal: RateSignal, now: number): Promise<LimiterState> {
    try {
      this.limiterState = (await this.budget(connection).answered(limitsOf(connection), signal)) as unknown as LimiterState;
    } catch {
      this.limiterState = observe(this.limiter(connection, now), limitsOf(connection), signal, now);
    }
    return this.limiterState;
  }

  /** Tells the budget whether work is due here (`rested`: nothing is, the limiter as resting); it rests once no shard has work. */
  private async standing(connection: DeliveryConnection, rested: LimiterState | null): Promise<void> {
    try {
      this.limiterState = (await this.budget(connection).standing(limitsOf(connection), this.shard(), rested === null)) as unknown as LimiterState;
    } catch {
      if (rested) this.limiterState = rested;
    }
  }
}

/** Where a request went, so a pause can name it: the URL and the connection's data center. */
function targetOf(connection: DeliveryConnection, url: string): Target {
  return { url, ...(connection.dataCenter ? { dataCenter: connection.dataCenter } : {}), ...(connection.apiBase ? { apiBase: connection.apiBase } : {}) };
}
