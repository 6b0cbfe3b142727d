import { DurableObject } from 'cloudflare:workers';
import { readConfig } from '../config/config';
import type { Connection } from '../config/connections';
import type { ListPosition } from '../debugger/cursor';
import { type ChangePosition, changedEvents, type EventSummary, type EventView, getEvent, listEvents } from '../debugger/eventLog';
import type { EventFilter } from '../debugger/filter';
import { type LogStats, logStats } from '../debugger/logStats';
import type { Env } from '../env';
import { classify } from '../moengage/classify';
import { type Exchange, postToMoEngage } from '../moengage/client';
import { endpointUrl } from '../moengage/endpoints';
import { type QueueSignal, crossedBacklogLine, worthReporting } from './alertSignal';
import { admitHeld, expireHeld, holdSchema, nextHoldDeadline } from './anonymousHold';
import { admit, expiryCutoff, type Refusal } from './bounds';
import { firstDelivery } from './cadence';
import { type CounterRow, countersSchema, deadLettered, readCounters } from './counters';
import type { QueueHealth } from './health';
import { type Amounts, available, liftServerWaits, type Limits, type LimiterState, nextAvailableAt, observe, quantum, rest, restoreLimiter, serverWait, take, type Unit } from './limiter';
import { observeAttempt } from './observeAttempt';
import { type PackedRequest, type Pending, pack } from './packer';
import { fingerprint } from './pause';
import { type PauseInfo, QueueStore, type ReplayResult, type ReplaySelector } from './queueStore';
import type { EnqueueResult, IngestRecord } from './record';
import { listRejections, recordRejection, type Rejection, type RejectionLog } from './rejectionLog'; // hardening
import { afterFailure, backoffMs } from './retryPolicy';
import { describeWait, type ServerWait } from './serverWait';
import { unitsInWindow } from './unitsInWindow';

/** Requests one alarm may send before it yields (Workers cap subrequests per invocation). */
const MAX_REQUESTS_PER_FLUSH = 40;
/** Items read per packing pass. */
const MAX_ITEMS_PER_PASS = 5_000;
/** While requests are out, an alarm stays set this far ahead: if this object dies, it runs again. */
const LEASE_MS = 60_000;
/** How often a paused connection checks whether its settings changed. */
const PAUSE_CHECK_MS = 60_000;
/** Age checks and the log's row bound run at most this often. */
const HOUSEKEEPING_MS = 60_000;
const PURGE_BATCH = 5_000;
/**
 * Retention forgets expired events this many at a time, one chunk per alarm, and comes back
 * RETENTION_PAUSE_MS later while more are due: a chunk takes a few milliseconds, so deliveries are
 * never held up behind a long purge (docs/debugger.md "Retention"). 2,000 a second is four times
 * MoEngage's 30,000 events/min, so the log never falls behind.
 */
export const RETENTION_CHUNK = 2_000;
const RETENTION_PAUSE_MS = 500;

const BULK_NOTE =
  'accepted in a bulk /v1/transition request: MoEngage answers for the whole request and does not confirm elements one by one';

interface OutageGate {
  failures: number;
  until: number;
}

interface Counter {
  total: number;
  lastAt: number;
  detail?: string;
}

/**
 * One per MoEngage connection: stores every message it is given (the event log) and delivers the
 * queued ones from its alarm, within MoEngage's limits. A thin shell: storage is QueueStore, the
 * decisions are the pure limiter, packer, classify, retryPolicy, cadence and bounds modules.
 * docs/delivery.md describes the behaviour.
 */
export class DeliveryQueue extends DurableObject<Env> {
  private readonly store: QueueStore;
  /** Attempts this life of the object has in flight; any other in-flight marker is an orphan. */
  private readonly live = new Set<number>();
  private flushing: Promise<void> | null = null;
  private limiterState: LimiterState | null = null;
  private sentThisFlush = 0;
  /** When the log's retention next has something to forget (null: nothing finished is stored). */
  private retentionDueAt: number | null = null;
  /** What the connection's alerts last heard from this queue (alerts/, delivery/alertSignal.ts). */
  private reported: QueueSignal | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new QueueStore(ctx.storage);
    holdSchema(ctx.storage.sql); // anonymous hold (issue 4): delivery/anonymousHold.ts
    countersSchema(ctx.storage.sql); // metrics: delivery/counters.ts (after the log's schema: it counts by trigger)
    // A previous life may have died with requests out: make sure an alarm picks their events up.
    void ctx.blockConcurrencyWhile(async () => {
      if (this.store.orphans(this.live).length && (await ctx.storage.getAlarm()) == null) await ctx.storage.setAlarm(Date.now());
    });
  }

  /** Stores a batch durably (deduplicated by messageId) and schedules its delivery. */
  async enqueue(connectionId: string, records: IngestRecord[]): Promise<EnqueueResult> {
    this.store.rememberConnection(connectionId);
    const connection = this.connection();
    const now = Date.now();
    const pause = connection ? await this.currentPause(connection, now) : this.store.getMeta<PauseInfo>('pause') ?? null;
    const plan = firstDelivery(
      connection
        ? { mode: connection.delivery.mode, flushIntervalMs: connection.flushIntervalMs, batchCadenceMinutes: connection.delivery.batchCadenceMinutes }
        : { mode: 'realtime', flushIntervalMs: 1_000, batchCadenceMinutes: 15 },
      now,
    );
    const verdict: { refusal: Refusal | null } = { refusal: null };
    const stored = this.store.insert(records, {
      now,
      dueAt: plan.dueAt,
      paused: pause,
      admit: (incoming) => !(verdict.refusal = connection ? admit(this.store.waitingCount, incoming, connection.delivery) : null),
      // Anonymous hold (issue 4): register held events and release those this batch identifies.
      after: () => {
        let released = 0;
        admitHeld(this.ctx.storage.sql, records, now, (messageId, items) => {
          released += this.store.queueReleased(messageId, items, now, plan.dueAt, pause);
        });
        return released;
      },
    });
    if (stored.refused && verdict.refusal) {
      this.count('refused', now, verdict.refusal.detail);
      return { duplicates: [], refused: verdict.refusal };
    }
    // Paused: no delivery, but the minute check (settings changed? events too old?) must run.
    if (stored.queued > 0) await this.wakeBy(pause ? now + PAUSE_CHECK_MS : plan.wakeAt);
    else await this.wakeForRetention(connection);
    await this.wakeForHolds();
    if (connection && crossedBacklogLine(this.reported, this.store.waitingCount, connection.delivery.maxBacklogEvents)) await this.tellAlerts(connection);
    return { duplicates: stored.duplicates };
  }

  // --- the event debugger's reads (worker/debugger/eventLog.ts, logStats.ts) ---
  /** Newest first, after `after` (a cursor position), at most `limit`. */
  async listEvents(connectionId: string, filter: EventFilter, after: ListPosition | null, limit: number): Promise<EventSummary[]> {
    return listEvents(this.ctx.storage.sql, connectionId, filter, after, limit);
  }

  async getEvent(connectionId: string, messageId: string): Promise<EventView | null> {
    return getEvent(this.ctx.storage.sql, connectionId, messageId);
  }

  /** Events changed after `after`, oldest change first, and this queue's clock (the live tail). */
  async changedEvents(connectionId: string, filter: EventFilter, after: ChangePosition, limit: number): Promise<{ asOf: number; events: EventSummary[] }> {
    return { asOf: Date.now(), events: changedEvents(this.ctx.storage.sql, connectionId, filter, after, limit) };
  }

  async logStats(since: number, seriesSince: number): Promise<LogStats> {
    return logStats(this.ctx.storage.sql, since, seriesSince, Date.now());
  }
  // --- end debugger ---

  // --- hardening: whole-request rejections (worker/delivery/rejectionLog.ts); keep when rewriting ---
  async recordRejection(rejection: Rejection): Promise<void> {
    recordRejection(this.ctx.storage.sql, rejection);
  }

  async listRejections(limit: number): Promise<RejectionLog> {
    return listRejections(this.ctx.storage.sql, limit);
  }
  // --- end hardening ---

  /** Dead-lettered (and paused) events again: all, by reason, or by messageId. Idempotent. */
  async replay(connectionId: string, selector: ReplaySelector): Promise<ReplayResult & { resumed: boolean }> {
    this.store.rememberConnection(connectionId);
    const now = Date.now();
    const result = this.store.replay(selector, now);
    const pause = this.store.getMeta<PauseInfo>('pause');
    // A paused event can only move with its connection: asking to replay it is asking to resume.
    const resumed = Boolean(pause && result.paused > 0);
    if (resumed) this.resumeNow(now);
    else if (pause && result.replayed) this.store.markPaused(pause, now);
    if (result.replayed || resumed) await this.wakeBy(now);
    await this.tellAlerts(this.connection());
    return { ...result, resumed };
  }

  /** Explicit resume of a paused or rate-limited connection (after fixing what MoEngage refused). */
  async resume(connectionId: string): Promise<{ resumed: boolean; pause: Omit<PauseInfo, 'fingerprint'> | null; rateLimited: ServerWait | null }> {
    this.store.rememberConnection(connectionId);
    const pause = this.store.getMeta<PauseInfo>('pause');
    const now = Date.now();
    const connection = this.connection();
    const rateLimited = connection ? serverWait(this.limiter(connection, now), now) : null;
    if (!pause && !rateLimited) return { resumed: false, pause: null, rateLimited: null };
    this.resumeNow(now);
    await this.wakeBy(now);
    await this.tellAlerts(this.connection());
    if (!pause) return { resumed: true, pause: null, rateLimited };
    const { fingerprint: _secretish, ...shown } = pause;
    return { resumed: true, pause: shown, rateLimited };
  }

  /** Non-secret state for /healthz and the debugger. */
  async health(connectionId: string): Promise<QueueHealth> {
    this.store.rememberConnection(connectionId);
    const connection = this.connection();
    const now = Date.now();
    const pause = connection ? await this.currentPause(connection, now) : (this.store.getMeta<PauseInfo>('pause') ?? null);
    const stats = this.store.stats();
    const log = this.store.logExtent();
    const gate = this.store.getMeta<OutageGate>('outage');
    const limiter = connection ? this.limiter(connection, now) : null;
    const settings = connection?.delivery;
    const backlogFull = Boolean(settings && stats.waiting >= settings.maxBacklogEvents);
    // A wait MoEngage imposed (429, or a quota it says is spent) holds events back: rate_limited.
    const rateLimited = limiter ? serverWait(limiter, now) : null;
    const rateLimitedUntil = rateLimited?.until ?? null;
    const retryingUntil = gate && gate.until > now ? gate.until : null;
    return {
      connection: connectionId,
      status: pause ? 'paused' : backlogFull ? 'backlog_full' : retryingUntil ? 'retrying' : rateLimited && stats.waiting > 0 ? 'rate_limited' : 'ok',
      mode: settings?.mode ?? null,
      packing: settings?.packing ?? null,
      queueDepth: stats.waiting,
      inFlight: stats.inFlight,
      deadLettered: stats.dead,
      oldestAgeSeconds: stats.oldestQueuedAt === null ? null : Math.max(0, Math.round((now - stats.oldestQueuedAt) / 1000)),
      nextAttemptAt: stats.nextAttemptAt,
      paused: pause ? { reason: pause.reason, detail: pause.detail, since: pause.since } : null,
      retryingUntil,
      rateLimitedUntil,
      rateLimited,
      bounds: {
        maxBacklogEvents: settings?.maxBacklogEvents ?? null,
        maxEventAgeHours: settings?.maxEventAgeHours ?? null,
        backlogFull,
        refusedBatches: this.store.getMeta<Counter>('refused') ?? { total: 0, lastAt: null },
        expiredEvents: this.store.getMeta<Counter>('expired') ?? { total: 0, lastAt: null },
      },
      log: {
        events: log.events,
        // The dedupe window in effect: EVENT_LOG_RETENTION_DAYS, or less once MAX_LOG_EVENTS trims it.
        oldestAgeHours: log.oldestReceivedAt === null ? null : Math.round(((now - log.oldestReceivedAt) / 3_600_000) * 10) / 10,
        retentionHours: settings?.logRetentionHours ?? null,
        maxEvents: settings?.maxLogEvents ?? null,
      },
      storageBytes: stats.storageBytes,
    };
  }

  /** This queue's state as its connection's alerts judge it (they ask while something is amiss). */
  async alertSignal(): Promise<QueueSignal | null> {
    const connection = this.connection();
    if (!connection) return null;
    this.reported = this.signalOf(connection, Date.now());
    return this.reported;
  }

  /** Counters and gauges for GET /debugger/api/metrics (worker/metrics/). */
  async metrics(connectionId: string): Promise<{ health: QueueHealth; counters: CounterRow[]; unitsInWindow: Amounts; limits: Limits | null }> {
    const health = await this.health(connectionId);
    const connection = this.connection();
    const now = Date.now();
    return {
      health,
      counters: readCounters(this.ctx.storage.sql),
      unitsInWindow: connection ? unitsInWindow(this.limiter(connection, now), now) : { events: 0, customers: 0, merges: 0, requests: 0 },
      limits: connection ? limitsOf(connection) : null,
    };
  }

  override async alarm(): Promise<void> {
    // One flush at a time (a test's runDurableObjectAlarm may meet a scheduled one).
    if (this.flushing) return this.flushing;
    this.flushing = (async () => {
      try {
        await this.flush();
      } finally {
        this.flushing = null;
      }
      await this.wakeForHolds();
      // Retention was planned at the start of the flush; events that finished during it (the first
      // delivered or dead-lettered ones of an otherwise empty log) must be forgotten too.
      if (this.retentionDueAt === null) await this.wakeForRetention(this.connection());
      else await this.wakeBy(this.retentionDueAt);
      await this.tellAlerts(this.connection());
    })();
    return this.flushing;
  }

  /** An alarm no later than the moment the oldest finished event expires (an idle queue must forget too). */
  private async wakeForRetention(connection: Connection | undefined): Promise<void> {
    if (!connection) return;
    const oldest = this.store.oldestFinishedAt();
    if (oldest === null) return;
    this.retentionDueAt = oldest + retentionMs(connection) + 1;
    await this.wakeBy(this.retentionDueAt);
  }

  /** Anonymous hold (issue 4): an alarm no later than the end of the next hold window. */
  private async wakeForHolds(): Promise<void> {
    const deadline = nextHoldDeadline(this.ctx.storage.sql);
    if (deadline != null) await this.wakeBy(deadline);
  }

  private async flush(): Promise<void> {
    const connection = this.connection();
    if (!connection) return; // never enqueued to, or removed from the config: its events stay stored
    let now = Date.now();
    for (const attempt of this.store.orphans(this.live)) this.store.interrupt(attempt, now);
    this.housekeeping(connection, now);
    this.retention(connection, now);
    expireHeld(this.ctx.storage.sql, now); // anonymous hold (issue 4): unidentified past the window → dropped

    const pause = await this.currentPause(connection, now);
    if (pause) {
      if (this.store.waitingCount > 0) await this.ctx.storage.setAlarm(now + PAUSE_CHECK_MS);
      return;
    }
    const gate = this.store.getMeta<OutageGate>('outage');
    if (gate && gate.until > now) {
      await this.ctx.storage.setAlarm(gate.until);
      return;
    }

    this.sentThisFlush = 0;
    const limits = limitsOf(connection);
    let stopped = false;
    while (!stopped && this.sentThisFlush < MAX_REQUESTS_PER_FLUSH) {
      now = Date.now();
      const budget = available(this.limiter(connection, now), limits, now);
      if (budget.requests <= 0) break;
      const room = { event: Math.min(budget.events, MAX_ITEMS_PER_PASS), customer: Math.min(budget.customers, MAX_ITEMS_PER_PASS), merge: Math.min(budget.merges, MAX_ITEMS_PER_PASS) };
      // One more than the budget per kind tells whether the budget is what holds that kind back.
      const plusOne = (n: number) => (n > 0 ? n + 1 : 0);
      const due = worthSending(this.store.due(now, { event: plusOne(room.event), customer: plusOne(room.customer), merge: plusOne(room.merge) }), room, limits);
      if (!due.length) break;
      const packed = pack(due, {
        packing: connection.delivery.packing,
        budget: { ...budget, requests: Math.min(budget.requests, MAX_REQUESTS_PER_FLUSH - this.sentThisFlush) },
      });
      for (const t of packed.tooLarge) {
        this.store.deadLetter(
          [t.key],
          now,
          'payload_too_large',
          `this event alone makes a ${t.bytes}-byte request; MoEngage accepts at most ${t.limit} bytes (128 KB)`,
        );
      }
      if (!packed.requests.length) {
        if (packed.tooLarge.length) continue;
        break;
      }
      const items = new Map(due.map((p) => [p.key, p]));
      for (const request of packed.requests) {
        // Leave an alarm behind while the request is out: if this object dies, the events are picked up.
        await this.ctx.storage.setAlarm(Date.now() + LEASE_MS);
        this.limiterState = take(this.limiter(connection, now), limits, { ...request.cost, requests: 1 }, Date.now());
        this.store.setMeta('limiter', this.limiterState);
        if ((await this.deliver(connection, request, items)) === 'stop') {
          stopped = true;
          break;
        }
      }
    }
    await this.scheduleNext(connection, this.sentThisFlush > 0);
  }

  /**
   * Sends one request and settles its items by MoEngage's answer; a refused multi-item request is
   * split in halves, recursively, until the refused item stands alone. 'stop' ends the flush
   * (MoEngage is rate limiting, failing or refusing our credentials).
   */
  private async deliver(connection: Connection, request: PackedRequest, items: Map<number, Pending>): Promise<'ok' | 'stop'> {
    const url = endpointUrl(connection, request.endpoint);
    const attemptId = this.store.beginAttempt({ url, body: request.body, bytes: request.bytes, at: Date.now(), units: request.cost }, request.keys);
    this.live.add(attemptId);
    this.sentThisFlush++;
    const exchange = await postToMoEngage(connection, url, request.body);
    const now = Date.now();
    try {
      return await this.settle(connection, request, items, attemptId, exchange, now);
    } catch (error) {
      // Recording the answer failed: the attempt must not stay in flight (it would block its events
      // and later pass for an orphan of a restart). Its events go out again, after the outage
      // ladder's wait so that a failure that repeats cannot become a retry storm; the journey says why.
      this.store.interrupt(attemptId, now, `recording MoEngage's answer (HTTP ${exchange.status}) failed: ${String(error).slice(0, 200)}`);
      const failures = (this.store.getMeta<OutageGate>('outage')?.failures ?? 0) + 1;
      this.store.setMeta('outage', { failures, until: now + backoffMs(failures, Math.random()) } satisfies OutageGate);
      return 'stop';
    } finally {
      this.live.delete(attemptId);
    }
  }

  private async settle(connection: Connection, request: PackedRequest, items: Map<number, Pending>, attemptId: number, exchange: Exchange, now: number): Promise<'ok' | 'stop'> {
    const url = exchange.url;
    const verdict = classify(exchange, { url, ...(connection.dataCenter ? { dataCenter: connection.dataCenter } : {}), ...(connection.apiBase ? { apiBase: connection.apiBase } : {}) });
    observeAttempt(this.ctx.storage.sql, this.env.ANALYTICS, { connection: connection.id, attemptId, endpoint: request.endpoint, exchange, verdict, items: request.keys.length, units: request.cost });
    this.limiterState = observe(this.limiter(connection, now), limitsOf(connection), { status: exchange.status, unit: unitOf(request), rate: exchange.rate }, now);
    this.store.setMeta('limiter', this.limiterState);

    switch (verdict.kind) {
      case 'delivered':
        this.store.finishAttempt(attemptId, exchange);
        this.store.delivered(request.keys, now, request.endpoint === 'transition' ? BULK_NOTE : null);
        this.store.deleteMeta('outage');
        // MoEngage said its quota is spent: the rest of this flush waits too.
        return serverWait(this.limiterState, now) ? 'stop' : 'ok';
      case 'rate_limited': {
        const until = this.limiterState.blockedUntil;
        const wait = serverWait(this.limiterState, now);
        const why = wait ? ` (${describeWait(wait, now)})` : '';
        this.store.finishAttempt(attemptId, exchange, `rate limited${why}: sent again after ${new Date(until).toISOString()}; not counted as a failed attempt`);
        this.store.release(request.keys, now, until, null);
        return 'stop';
      }
      case 'retry': {
        // One jitter draw per failed request: its events stay together for the next attempt.
        const random = Math.random();
        const gate = this.store.getMeta<OutageGate>('outage');
        const failures = (gate?.failures ?? 0) + 1;
        this.store.setMeta('outage', { failures, until: now + backoffMs(failures, random) } satisfies OutageGate);
        this.store.finishAttempt(attemptId, exchange);
        this.store.failed(request.keys, now, { reason: verdict.reason, detail: verdict.detail }, (n) =>
          afterFailure(n, connection.delivery.maxAttempts, now, random),
        );
        return 'stop';
      }
      case 'pause': {
        const pause: PauseInfo = { reason: verdict.reason, detail: verdict.detail, since: now, fingerprint: await fingerprint(connection) };
        this.store.setMeta('pause', pause);
        this.store.finishAttempt(attemptId, exchange, 'connection paused: nothing is sent until it is resumed or its settings change');
        this.store.release(request.keys, now, null, pause);
        this.store.markPaused(pause, now);
        return 'stop';
      }
      case 'reject': {
        if (request.keys.length === 1) {
          this.store.finishAttempt(attemptId, exchange);
          this.store.deadLetter(request.keys, now, verdict.reason, verdict.detail);
          return 'ok';
        }
        this.store.finishAttempt(attemptId, exchange, `split: the ${request.keys.length} items are sent again in two halves to isolate what MoEngage refuses`);
        this.store.release(request.keys, now, null, null);
        const middle = Math.ceil(request.keys.length / 2);
        for (const half of [request.keys.slice(0, middle), request.keys.slice(middle)]) {
          const pending = half.map((key) => items.get(key)).filter((p): p is Pending => p !== undefined);
          // The halves were paid for by the refused request (MoEngage counts accepted events only).
          const { requests } = pack(pending, { packing: request.endpoint === 'transition' ? 'bulk' : 'event' });
          for (const sub of requests) if ((await this.deliver(connection, sub, items)) === 'stop') return 'stop';
        }
        return 'ok';
      }
    }
  }

  /** Next alarm: when something is due and the limiter, outage gate or pause allow sending it. */
  private async scheduleNext(connection: Connection, progressed: boolean): Promise<void> {
    const now = Date.now();
    const nextDue = Object.entries(this.store.nextDue());
    if (!nextDue.length) {
      if (this.store.waitingCount === 0) await this.ctx.storage.deleteAlarm();
      else await this.ctx.storage.setAlarm(now + LEASE_MS); // all in flight elsewhere: check back
      return;
    }
    const gate = this.store.getMeta<OutageGate>('outage')?.until ?? 0;
    const limits = limitsOf(connection);
    // Nothing due now: tokens saved from here on are idle ones (small burst, see limiter.ts).
    if (nextDue.every(([, due]) => due > now)) {
      this.limiterState = rest(this.limiter(connection, now), limits, now);
      this.store.setMeta('limiter', this.limiterState);
    }
    const limiter = this.limiter(connection, now);
    // Events lead when they are due (worthSending); otherwise the earliest kind that is due and
    // within budget. Wait for most of a bucket rather than waking up for every token.
    const eventsDue = nextDue.find(([kind, due]) => kind === 'event' && due <= now);
    const at = Math.min(
      ...(eventsDue ? [eventsDue] : nextDue).map(([kind, due]) => {
        const want: Partial<Amounts> = { [UNIT_OF[kind as keyof typeof UNIT_OF]]: Math.min(this.store.waitingCount, readyAt(limits, kind as keyof typeof UNIT_OF)) };
        if (limits.requests !== undefined) want.requests = 1;
        return Math.max(due, gate, nextAvailableAt(limiter, limits, want, now));
      }),
    );
    // Without progress, never spin: the earliest retry is a quarter second away.
    await this.ctx.storage.setAlarm(Math.max(at, progressed ? now : now + 250));
  }

  /** Age bound and the log's row bound, at most once a minute. */
  private housekeeping(connection: Connection, now: number): void {
    const last = this.store.getMeta<number>('housekeeping') ?? 0;
    if (now - last < HOUSEKEEPING_MS) return;
    this.store.setMeta('housekeeping', now);
    const expired = this.store.expired(expiryCutoff(now, connection.delivery), MAX_ITEMS_PER_PASS);
    if (expired.length) {
      const hours = connection.delivery.maxEventAgeHours;
      this.store.deadLetter(expired, now, 'expired', `not delivered within ${hours} h of being queued (MAX_EVENT_AGE_HOURS); replay it once MoEngage accepts events again`);
      this.count('expired', now, undefined, expired.length);
    }
    // MAX_LOG_EVENTS is a storage bound for floods: up to 20 batches (100,000 events) a minute.
    for (let i = 0; i < 20 && this.store.trim(connection.delivery.maxLogEvents, PURGE_BATCH) === PURGE_BATCH; i++);
    this.store.recount();
  }

  /**
   * DEBUGGER_RETENTION_HOURS: forgets one bounded chunk of finished events past retention (their
   * attempts go with them) and notes when the next chunk is due: soon while expired events remain,
   * else when the oldest finished event expires. The alarm comes back for it (see `alarm`).
   */
  private retention(connection: Connection, now: number): void {
    const purged = this.store.purge(now - retentionMs(connection), RETENTION_CHUNK);
    if (purged === RETENTION_CHUNK) {
      this.retentionDueAt = now + RETENTION_PAUSE_MS;
      return;
    }
    const oldest = this.store.oldestFinishedAt();
    this.retentionDueAt = oldest === null ? null : oldest + retentionMs(connection) + 1;
  }

  /** The pause in force, unless the connection's settings changed since (then it resumes). */
  private async currentPause(connection: Connection, now: number): Promise<PauseInfo | null> {
    const pause = this.store.getMeta<PauseInfo>('pause');
    if (!pause) return null;
    if (pause.fingerprint === (await fingerprint(connection))) return pause;
    this.resumeNow(now);
    await this.wakeBy(now);
    return null;
  }

  private resumeNow(now: number): void {
    this.store.deleteMeta('pause');
    this.store.deleteMeta('outage');
    this.store.markResumed(now);
    // A resume also lifts what MoEngage's rate headers imposed (the next send is a single probe).
    const connection = this.connection();
    if (connection) {
      const wait = serverWait(this.limiter(connection, now), now);
      this.limiterState = liftServerWaits(this.limiter(connection, now));
      this.store.setMeta('limiter', this.limiterState);
      if (wait) this.store.liftWait(now, wait.until);
    }
  }

  private count(key: 'refused' | 'expired', now: number, detail?: string, n = 1): void {
    const c = this.store.getMeta<Counter>(key) ?? { total: 0, lastAt: now };
    this.store.setMeta(key, { total: c.total + n, lastAt: now, ...(detail ? { detail } : {}) } satisfies Counter);
  }

  /**
   * Reports this queue's state to its connection's alerts when it changed in a way an alert depends
   * on. Never waits for a webhook (the alerts object sends from its own alarm); if the alerts object
   * cannot be reached, the next change or its own check catches up.
   */
  private async tellAlerts(connection: Connection | undefined): Promise<void> {
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

  private signalOf(connection: Connection, now: number): QueueSignal {
    const pause = this.store.getMeta<PauseInfo>('pause') ?? null;
    // What /healthz calls rate_limited: a wait MoEngage imposed (429, or a quota it said is spent) holding events back.
    const wait = this.store.waitingCount > 0 ? serverWait(this.limiter(connection, now), now) : null;
    return {
      connection: connection.id,
      // One queue per connection, named by it: the connection's id names the queue too.
      queue: connection.id,
      at: now,
      paused: pause ? { reason: pause.reason, detail: pause.detail, since: pause.since } : null,
      rateLimited: wait ? { until: wait.until } : null,
      depth: this.store.waitingCount,
      maxBacklogEvents: connection.delivery.maxBacklogEvents,
      oldestQueuedAt: this.store.waitingCount > 0 ? this.store.oldestQueuedAt() : null,
      deadLettered: deadLettered(this.ctx.storage.sql),
      batchCadenceMinutes: connection.delivery.mode === 'batch' ? connection.delivery.batchCadenceMinutes : null,
    };
  }

  private limiter(connection: Connection, now: number): LimiterState {
    this.limiterState ??= restoreLimiter(this.store.getMeta('limiter'), limitsOf(connection), now);
    return this.limiterState;
  }

  /** Makes sure an alarm fires no later than `at`. */
  private async wakeBy(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current == null || current > at) await this.ctx.storage.setAlarm(at);
  }

  private connection(): Connection | undefined {
    const id = this.store.connectionId();
    return id === undefined ? undefined : readConfig(this.env).connections.find((c) => c.id === id);
  }
}

const UNIT_OF = { event: 'events', customer: 'customers', merge: 'merges' } as const;

/**
 * Under a backlog, tokens trickle in while requests are out; sending each trickle would make many
 * small requests. A kind whose due items fill its whole budget waits until the bucket is full (the
 * next alarm is set for then); a kind whose due items all fit goes now.
 */
function worthSending(due: Pending[], room: Record<keyof typeof UNIT_OF, number>, limits: Limits): Pending[] {
  const count = { event: 0, customer: 0, merge: 0 };
  for (const p of due) count[p.item.kind]++;
  const ready = (kind: keyof typeof UNIT_OF) =>
    room[kind] > 0 && (count[kind] <= room[kind] || room[kind] >= readyAt(limits, kind));
  // Events lead: while they wait for a fuller budget, profile updates wait with them so both
  // share the same bulk bodies instead of going out one /v1/customer request each.
  if (count.event > 0 && !ready('event')) return [];
  const taken = { event: 0, customer: 0, merge: 0 };
  return due.filter((p) => ready(p.item.kind) && taken[p.item.kind]++ < room[p.item.kind]);
}

/** Budget worth a flush under a backlog: most of a half-second bucket. */
function readyAt(limits: Limits, kind: keyof typeof UNIT_OF): number {
  return Math.max(1, Math.floor(0.9 * Math.min(MAX_ITEMS_PER_PASS, quantum(limits, UNIT_OF[kind]))));
}

function retentionMs(connection: Connection): number {
  return connection.delivery.logRetentionHours * 3_600_000;
}

function limitsOf(connection: Connection): Limits {
  return {
    events: connection.eventsPerMinute,
    customers: connection.delivery.customerUpdatesPerMinute,
    merges: connection.delivery.mergesPerMinute,
    ...(connection.delivery.requestsPerMinute ? { requests: connection.delivery.requestsPerMinute } : {}),
  };
}

/** The unit a request mostly spends; MoEngage's rate headers are read against it. */
function unitOf(request: PackedRequest): Unit {
  if (request.endpoint === 'merge') return 'merges';
  if (request.endpoint === 'customer') return 'customers';
  return request.cost.events >= request.cost.customers ? 'events' : 'customers';
}
