import type { DeliveryConnection } from '../config/connections';
import { classify, type Target } from '../moengage/classify';
import { type Exchange, postToMoEngage } from '../moengage/client';
import { endpointUrl } from '../moengage/endpoints';
import { askFor, limitsOf, nextWake, roomOf, unitOf, worthSending } from './flushPlan';
import { available, liftServerWaits, type LimiterState, observe, restoreLimiter, serverWait, take } from './limiter';
import type { Own } from './ownConnection';
import { observeAttempt } from './observeAttempt';
import { type PackedRequest, type Pending, pack } from './packer';
import { backoffMs } from './retryPolicy';
import type { ServerWait } from './serverWait';
import { settlementOf } from './settlement';
import type { QueueStore } from './store/queueStore';

/** Requests one alarm may send before it yields (Workers cap subrequests per invocation). */
const MAX_REQUESTS_PER_FLUSH = 40;
/** While requests are out, an alarm stays set this far ahead: if this object dies, it runs again. */
export const LEASE_MS = 60_000;

type Usable = Extract<Own, { connection: unknown }>;

/**
 * A DeliveryQueue's sending: within the rate limiter's budget, due items are packed into requests
 * and sent to MoEngage one at a time, each settled by MoEngage's answer (settlement.ts). I/O around
 * pure planning (flushPlan.ts); the limiter's state lives here and in meta.
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
  ) {}

  limiter(connection: DeliveryConnection, now: number): LimiterState {
    this.limiterState ??= restoreLimiter(this.store.meta.get('limiter'), limitsOf(connection), now);
    return this.limiterState;
  }

  /**
   * An operator's resume: every wait MoEngage's answers imposed is lifted, the next send a single
   * probe. Returns the wait that was holding sends back, if one was.
   */
  liftServerWaits(connection: DeliveryConnection, now: number): ServerWait | null {
    const wait = serverWait(this.limiter(connection, now), now);
    this.save(liftServerWaits(this.limiter(connection, now)));
    return wait;
  }

  /** Sends what is due and the budget allows, then sets the next alarm (nextWake). */
  async flush(own: Usable): Promise<void> {
    const { connection } = own;
    const limits = limitsOf(connection);
    this.sent = 0;
    let stopped = false;
    while (!stopped && this.sent < MAX_REQUESTS_PER_FLUSH) {
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
        this.save(take(this.limiter(connection, now), limits, { ...request.cost, requests: 1 }, Date.now()));
        if ((await this.deliver(own, request, items)) === 'stop') {
          stopped = true;
          break;
        }
      }
    }
    const now = Date.now();
    const wake = nextWake({
      nextDue: this.store.outbox.nextDue(),
      waiting: this.store.outbox.waiting,
      gateUntil: this.store.meta.get('outage')?.until ?? 0,
      limits,
      limiter: this.limiter(connection, now),
      now,
      progressed: this.sent > 0,
      leaseMs: LEASE_MS,
    });
    if (wake.limiter !== this.limiterState) this.save(wake.limiter);
    if (wake.at === null) await this.storage.deleteAlarm();
    else await this.storage.setAlarm(wake.at);
  }

  /**
   * Sends one request and settles its items by MoEngage's answer; a refused multi-item request is
   * split in halves, recursively, until the refused item stands alone. 'stop' ends the flush
   * (MoEngage is rate limiting, failing or refusing our credentials).
   */
  private async deliver(own: Usable, request: PackedRequest, items: Map<number, Pending>): Promise<'ok' | 'stop'> {
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
  private async settle(own: Usable, request: PackedRequest, items: Map<number, Pending>, attemptId: number, exchange: Exchange, now: number): Promise<'ok' | 'stop'> {
    const { connection } = own;
    const verdict = classify(exchange, targetOf(connection, exchange.url));
    observeAttempt(this.store.sql, this.analytics, { connection: connection.id, attemptId, endpoint: request.endpoint, exchange, verdict, items: request.keys.length, units: request.cost });
    const limiter = observe(this.limiter(connection, now), limitsOf(connection), { status: exchange.status, unit: unitOf(request), rate: exchange.rate }, now);
    this.save(limiter);
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
    for (const half of settlement.then.halves) {
      const pending = half.map((key) => items.get(key)).filter((p): p is Pending => p !== undefined);
      // The halves were paid for by the refused request (MoEngage counts accepted events only).
      const { requests } = pack(pending, { packing: settlement.then.packing });
      for (const sub of requests) if ((await this.deliver(own, sub, items)) === 'stop') return 'stop';
    }
    return 'ok';
  }

  private save(state: LimiterState): void {
    this.limiterState = state;
    this.store.meta.set('limiter', state);
  }
}

/** Where a request went, so a pause can name it: the URL and the connection's data center. */
function targetOf(connection: DeliveryConnection, url: string): Target {
  return { url, ...(connection.dataCenter ? { dataCenter: connection.dataCenter } : {}), ...(connection.apiBase ? { apiBase: connection.apiBase } : {}) };
}
