import type { Verdict } from '../moengage/classify';
import { type Endpoint, packingOf } from './packer';
import { backoffMs } from './retryPolicy';
import { describeWait, type ServerWait } from './serverWait';
import type { OutageGate, PauseInfo } from './store/meta';

/**
 * Pure: what MoEngage's verdict on one request does to the queue, as a list of store operations
 * (applied in order by the DeliveryQueue, each in its own transaction) and what the flush does
 * next. docs/delivery.md "MoEngage's answers".
 */

export const BULK_NOTE =
  'accepted in a bulk /v1/transition request: MoEngage answers for the whole request and does not confirm elements one by one';

export type StoreOp =
  /** The items are gone; their events delivered (with `note`) once nothing else of theirs waits. */
  | { op: 'delivered'; note: string | null }
  /** The items wait again, due at `dueAt` (null: unchanged), shown paused when `pause` is set. */
  | { op: 'release'; dueAt: number | null; pause: PauseInfo | null }
  /** A failed attempt for each item: retried per retryPolicy.afterFailure, or dead after `maxAttempts`. */
  | { op: 'failed'; reason: string; detail: string; maxAttempts: number; random: number }
  | { op: 'deadLetter'; reason: string; detail: string }
  | { op: 'setOutage'; gate: OutageGate }
  | { op: 'clearOutage' }
  /** The connection stops until resumed or its settings change; every waiting event shows why. */
  | { op: 'pause'; pause: PauseInfo };

export interface Settlement {
  /** Said on the attempt, after MoEngage's answer. */
  note?: string;
  ops: StoreOp[];
  /** `continue` the flush, `stop` it (MoEngage limits, fails or refuses us), or send the items again in two halves. */
  then: { kind: 'continue' } | { kind: 'stop' } | { kind: 'split'; halves: [number[], number[]]; packing: 'bulk' | 'event' };
}

export interface SettlementContext {
  keys: readonly number[];
  endpoint: Endpoint;
  now: number;
  /** The limiter's block after it saw this answer (a 429's wait). */
  blockedUntil: number;
  /** The wait MoEngage imposes after this answer (a 429's, or a quota it said is spent), null when none. */
  serverWait: ServerWait | null;
  /** The outage gate before this answer. */
  outage: OutageGate | undefined;
  maxAttempts: number;
  /** One jitter draw per failed request: its events stay together for the next attempt. */
  random: number;
  /** Of the connection's current settings (fingerprint.ts). */
  fingerprint: string;
}

export function settlementOf(verdict: Verdict, c: SettlementContext): Settlement {
  switch (verdict.kind) {
    case 'delivered':
      return {
        ops: [{ op: 'delivered', note: c.endpoint === 'transition' ? BULK_NOTE : null }, { op: 'clearOutage' }],
        // MoEngage said its quota is spent: the rest of this flush waits too.
        then: { kind: c.serverWait ? 'stop' : 'continue' },
      };
    case 'rate_limited': {
      const why = c.serverWait ? ` (${describeWait(c.serverWait, c.now)})` : '';
      return {
        note: `rate limited${why}: sent again after ${new Date(c.blockedUntil).toISOString()}; not counted as a failed attempt`,
        ops: [{ op: 'release', dueAt: c.blockedUntil, pause: null }],
        then: { kind: 'stop' },
      };
    }
    case 'retry': {
      const failures = (c.outage?.failures ?? 0) + 1;
      return {
        ops: [
          { op: 'setOutage', gate: { failures, until: c.now + backoffMs(failures, c.random) } },
          { op: 'failed', reason: verdict.reason, detail: verdict.detail, maxAttempts: c.maxAttempts, random: c.random },
        ],
        then: { kind: 'stop' },
      };
    }
    case 'pause': {
      const pause: PauseInfo = { reason: verdict.reason, detail: verdict.detail, since: c.now, fingerprint: c.fingerprint };
      return {
        note: 'connection paused: nothing is sent until it is resumed or its settings change',
        ops: [{ op: 'release', dueAt: null, pause }, { op: 'pause', pause }],
        then: { kind: 'stop' },
      };
    }
    case 'reject': {
      if (c.keys.length === 1) return { ops: [{ op: 'deadLetter', reason: verdict.reason, detail: verdict.detail }], then: { kind: 'continue' } };
      const middle = Math.ceil(c.keys.length / 2);
      return {
        note: `split: the ${c.keys.length} items are sent again in two halves to isolate what MoEngage refuses`,
        ops: [{ op: 'release', dueAt: null, pause: null }],
        then: { kind: 'split', halves: [c.keys.slice(0, middle), c.keys.slice(middle)], packing: packingOf(c.endpoint) },
      };
    }
  }
}
