import { migrate } from '../../sql/migrate';
import type { PackedRecord } from '../packedRecord';
import type { EnqueueResult } from '../record';
import { afterFailure } from '../retryPolicy';
import type { StoreOp } from '../settlement';
import { statusOf } from '../status';
import { DeleteRequests } from './deleteRequests';
import { type AttemptResult, EventLog, type StoredAttempt } from './eventLog';
import { admitLinks } from './heldRelease';
import { Holds } from './holds';
import { type InsertPlan, planInsert } from './insertPlan';
import { LogStaging } from './logStaging';
import { MessageKeys } from './messageKeys';
import { type PauseInfo, QueueMeta } from './meta';
import { Outbox } from './outbox';
import type { ReplayResult, ReplaySelector } from './replaySelection';
import { QUEUE_MIGRATIONS } from './schema';

export type { ReplayResult, ReplaySelector } from './replaySelection';

/**
 * A DeliveryQueue's storage: the outbox (what is still to deliver), the event log (what the
 * debugger shows), the anonymous hold and the queue's meta state, kept consistent in one SQLite
 * transaction per operation. An event's log status follows its outbox items (status.ts).
 */

export interface QueueStats {
  waiting: number;
  inFlight: number;
  dead: number;
  /** When the oldest dead letter died, or null. */
  oldestDeadAt: number | null;
  oldestQueuedAt: number | null;
  nextAttemptAt: number | null;
  storageBytes: number;
}

class Refused extends Error {}

export class QueueStore {
  readonly meta: QueueMeta;
  readonly outbox: Outbox;
  readonly log: EventLog;
  readonly holds: Holds;
  readonly keys: MessageKeys;
  readonly staging: LogStaging;
  readonly deletes: DeleteRequests;
  readonly sql: SqlStorage;

  constructor(private readonly storage: DurableObjectStorage) {
    migrate(storage, QUEUE_MIGRATIONS);
    this.sql = storage.sql;
    this.meta = new QueueMeta(this.sql);
    this.outbox = new Outbox(this.sql);
    this.log = new EventLog(this.sql);
    this.holds = new Holds(this.sql);
    this.keys = new MessageKeys(this.sql);
    this.staging = new LogStaging(this.sql);
    this.deletes = new DeleteRequests(this.sql);
  }

  /**
   * Stores a batch (packed by the Worker, packedRecord.ts) in one transaction: every record staged
   * for the log (deduplicated by sender and messageId), queued ones with their outbox items, held ones in the hold, and the held events this batch identifies
   * released. `admit` sees how many new items would wait and may refuse the batch: then nothing
   * at all is stored.
   */
  insert(
    records: readonly PackedRecord[],
    options: { now: number; dueAt: number; pause: PauseInfo | null; admit: (incoming: number) => boolean },
  ): Omit<EnqueueResult, 'refused'> & { queued: number; refused: boolean; staged: boolean; holdUntil: number | null } {
    const { now, dueAt, pause } = options;
    let plan: InsertPlan;
    let queued = 0;
    try {
      plan = this.storage.transactionSync(() => {
        // The batch's ids are claimed in one statement; rows are then written table by table, one statement each (a json_each
        // statement per table was measured slower: SQLite re-reads each row's JSON once per column).
        const p = planInsert(records, this.keys.claimAll(records), pause, dueAt);
        this.staging.stageAll(p.rows, now);
        queued = this.outbox.addAll(p.items, now, dueAt);
        this.holds.holdAll(p.holds);
        queued += admitLinks(this, records, p.held, now, dueAt, pause);
        if (!options.admit(queued)) throw new Refused();
        return p;
      });
    } catch (error) {
      this.outbox.recount(); // the rolled-back rows were counted as they were added
      this.staging.forgetStagedCount();
      this.holds.forgetKnownLinks();
      if (error instanceof Refused) return { duplicates: [], queued: 0, refused: true, staged: false, holdUntil: null };
      throw error;
    }
    return { duplicates: plan.duplicates, queued, refused: false, staged: plan.rows.length > 0, holdUntil: plan.holdUntil };
  }

  /** Ends holds past their window as `dropped` (anonymous_not_identified); returns how many ended. */
  expireHolds(now: number): number {
    let n = 0;
    this.write(() => {
      const expired = this.holds.expire(now);
      for (const { messageId, anonymousId } of expired) this.log.unidentified(messageId, anonymousId, now);
      n = expired.length;
    });
    return n;
  }

  /**
   * The in-flight marker, written (and durable) before the request leaves: the attempt row and the
   * items it carries. If the object dies before the answer is recorded, `outbox.orphans` finds them.
   */
  beginAttempt(attempt: StoredAttempt, keys: readonly number[]): number {
    let id = 0;
    this.write(() => {
      id = this.log.beginAttempt(attempt);
      this.log.carried(id, this.outbox.markInFlight(id, keys));
    });
    return id;
  }

  finishAttempt(attemptId: number, result: AttemptResult, note?: string): void {
    this.log.finishAttempt(attemptId, result, note);
  }

  /**
   * An attempt whose answer was never recorded: its outcome is unknown, so its items are sent again
   * (at-least-once). `why` says what happened; by default, an orphan of an earlier life.
   */
  interrupt(attemptId: number, now: number, why = "the queue restarted before MoEngage's answer was recorded"): void {
    this.write(() => {
      // Only an attempt still in flight: one already settled keeps the answer it recorded.
      if (this.outbox.carries(attemptId)) this.log.interruptAttempt(attemptId, now, why);
      this.outbox.clearInFlight(attemptId);
    });
  }

  /** Items MoEngage accepted: gone from the outbox; their events delivered once nothing else waits. */
  delivered(keys: readonly number[], now: number, note: string | null): void {
    this.write(() => {
      const messages = this.outbox.remove(keys);
      this.log.delivered(messages, note, now);
      this.settle(this.outbox.unsettled(messages), now, null);
    });
  }

  /** Items sent but not settled (429, split, pause): back in the queue, due at `dueAt` (or unchanged). */
  release(keys: readonly number[], now: number, dueAt: number | null, pause: PauseInfo | null): void {
    this.write(() => {
      this.outbox.release(keys, dueAt);
      this.settle(this.outbox.messagesOf(keys), now, pause);
    });
  }

  /** A failed attempt (5xx, timeout, network): count it, then retry later or dead-letter. */
  failed(
    keys: readonly number[],
    now: number,
    failure: { reason: string; detail: string },
    next: (failures: number) => { retry: true; at: number } | { retry: false },
  ): void {
    this.write(() => {
      this.outbox.fail(keys, failure, next);
      this.settle(this.outbox.messagesOf(keys), now, null);
    });
  }

  /** Dead-letters items (payload errors, too large, expired) with MoEngage's (or our) reason. */
  deadLetter(keys: readonly number[], now: number, reason: string, detail: string): void {
    if (!keys.length) return;
    this.write(() => {
      this.outbox.deadLetter(keys, reason, detail);
      this.settle(this.outbox.messagesOf(keys), now, null);
    });
  }

  /** Applies one of settlement.ts's operations to the items of a request. */
  apply(op: StoreOp, keys: readonly number[], now: number): void {
    switch (op.op) {
      case 'delivered':
        return this.delivered(keys, now, op.note);
      case 'release':
        return this.release(keys, now, op.dueAt, op.pause);
      case 'failed':
        return this.failed(keys, now, op, (n) => afterFailure(n, op.maxAttempts, now, op.random));
      case 'deadLetter':
        return this.deadLetter(keys, now, op.reason, op.detail);
      case 'setOutage':
        return this.meta.set('outage', op.gate);
      case 'clearOutage':
        return this.meta.delete('outage');
      case 'pause':
        this.meta.set('pause', op.pause);
        return this.markPaused(op.pause, now);
    }
  }

  /** The connection is paused: every waiting event shows it (and why). */
  markPaused(pause: PauseInfo, now: number): void {
    this.write(() => this.log.markPaused(pause, now));
  }

  /** Moves the log's staged rows into it (the alarm's write-behind, and before every read of the log). */
  drainLog(): void {
    if (this.staging.hasStaged()) this.write(() => {});
  }

  /** One transaction that reads or changes the log: staged rows move in first, so it sees every message. */
  private write(body: () => void): void {
    try {
      this.storage.transactionSync(() => {
        this.staging.drain();
        body();
      });
    } catch (error) {
      this.staging.forgetStagedCount();
      throw error;
    }
  }

  /** Resumed: paused events wait again, due at once. */
  markResumed(now: number): void {
    this.write(() => {
      const paused = this.log.withStatus('paused');
      this.outbox.dueBy(paused, now);
      this.settle(paused, now, null);
    });
  }

  /**
   * A rate-limit wait was lifted (resume): items it held back (due before `until`) are due now, and
   * their events show it.
   */
  liftWait(now: number, until: number): void {
    this.write(() => this.settle([...new Set(this.outbox.liftWait(now, until))], now, null));
  }

  /**
   * Dead-lettered events matching the selector are queued again with fresh attempts and a fresh
   * age. Idempotent: a replayed event is no longer dead, so replaying again selects nothing.
   */
  replay(selector: ReplaySelector, now: number): ReplayResult {
    const result: ReplayResult = { replayed: 0, paused: 0, skipped: [] };
    this.write(() => {
      let dead: string[];
      if (selector.messageIds) {
        const status = this.log.statuses(selector.messageIds);
        dead = [];
        for (const id of new Set(selector.messageIds)) {
          const s = status.get(id) ?? null;
          if (s === 'dead') dead.push(id);
          else if (s === 'paused') result.paused++;
          else result.skipped.push({ messageId: id, status: s });
        }
      } else {
        dead = this.log.withStatus('dead', selector.reason);
        result.paused = this.log.countWithStatus('paused', selector.reason);
      }
      this.outbox.requeueDead(dead, now);
      this.settle(dead, now, null);
      this.log.note(dead, `replayed at ${new Date(now).toISOString()}`);
      result.replayed = dead.length;
    });
    return result;
  }

  /** Forgets delivered and dropped events past the log's retention, at most `limit`. Returns how many. */
  purge(cutoff: number, limit: number): number {
    return this.forget(() => this.log.forgetFinished(cutoff, limit));
  }

  /** Forgets dead letters dead since before `cutoff` (of one reason, if given), at most `limit`, with their dead items. */
  purgeDead(cutoff: number, limit: number, reason?: string): number {
    return this.forget(() => this.log.forgetDead(cutoff, limit, reason));
  }

  /**
   * Keeps the log under `maxEvents` rows by forgetting the oldest delivered and dropped events
   * (dead letters wait for the time retention, so they stay replayable). Returns how many went.
   */
  trim(maxEvents: number, limit: number): number {
    const excess = Math.min(limit, this.log.size() - maxEvents);
    return excess <= 0 ? 0 : this.forget(() => this.log.forgetOldest(excess));
  }

  stats(): QueueStats {
    const outbox = this.outbox.stats();
    return { ...outbox, dead: this.log.countDead(), oldestDeadAt: this.log.oldestDeadAt(), storageBytes: this.sql.databaseSize };
  }

  private forget(select: () => string[]): number {
    let gone: string[] = [];
    this.write(() => {
      gone = select();
      if (gone.length) this.outbox.dropDead(gone);
    });
    return gone.length;
  }

  /** Each message's log status, re-derived from its outbox items. */
  private settle(messages: readonly string[], now: number, pause: PauseInfo | null): void {
    const items = this.outbox.itemsOfMessages(messages);
    this.log.settle(new Map([...items].map(([m, i]) => [m, statusOf(i, pause)])), now);
  }
}
