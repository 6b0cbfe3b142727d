import { type Amounts, available, type Limits, type LimiterState, liftServerWaits, observe, type RateSignal, rest, serverWait, take } from './limiter';
import type { ServerWait } from './serverWait';

/**
 * Pure: one MoEngage budget shared by a connection's queue shards (the DeliveryBudget object keeps
 * it). The limiter (limiter.ts) is the same as one queue's; what sharing adds:
 * - a send is granted only when the whole request fits what is available *now* (another shard may
 *   have spent it since this one looked), and is recorded in the same step;
 * - after a server-imposed wait the one probe is one request across all shards, not one per shard;
 * - the bucket saves only the idle burst when no shard has anything due any more.
 */

/** A probe's answer is awaited this long at most (the outbound POST's deadline is 15 s). */
export const PROBE_TIMEOUT_MS = 20_000;
/** A shard that took tokens and has not said it is idle counts as busy for this long. */
export const BUSY_FOR_MS = 65_000;

export interface Ledger {
  limiter: LimiterState;
  /** A probe is out: no other request until its answer (or PROBE_TIMEOUT_MS). */
  probeUntil: number;
  /** Shards with work due, and when each last took tokens. */
  busy: Record<string, number>;
  /** The highest shard number that ever stored events, +1 (delivery/queues.ts reads them all). */
  shards: number;
}

export function grant(ledger: Ledger, limits: Limits, cost: Partial<Amounts>, shard: number, now: number): { granted: boolean; ledger: Ledger } {
  const room = available(ledger.limiter, limits, now);
  const probing = ledger.limiter.probe === true;
  const fits = (Object.keys(cost) as (keyof Amounts)[]).every((unit) => (cost[unit] ?? 0) <= room[unit]) && room.requests >= 1;
  if (!fits || (probing && ledger.probeUntil > now)) return { granted: false, ledger };
  return {
    granted: true,
    ledger: {
      ...ledger,
      limiter: take(ledger.limiter, limits, { ...cost, requests: 1 }, now),
      probeUntil: probing ? now + PROBE_TIMEOUT_MS : ledger.probeUntil,
      busy: { ...ledger.busy, [shard]: now },
    },
  };
}

/** MoEngage's answer to any shard's request: a 429 or spent quota holds every shard back. */
export function answered(ledger: Ledger, limits: Limits, signal: RateSignal, now: number): Ledger {
  return { ...ledger, limiter: observe(ledger.limiter, limits, signal, now), probeUntil: 0 };
}

/**
 * How a shard stands after a flush: with work due (it waits for tokens) or not. Once no shard has
 * work due, the bucket only saves up the small idle burst; while any has, it keeps the busy one,
 * so a shard waiting for its turn loses no tokens to another shard's quiet spell.
 */
export function standing(ledger: Ledger, limits: Limits, shard: number, due: boolean, now: number): Ledger {
  const others = Object.entries(ledger.busy).filter(([s, at]) => s !== String(shard) && at > now - BUSY_FOR_MS);
  const busy = Object.fromEntries(due ? [...others, [String(shard), now]] : others);
  return { ...ledger, busy, limiter: Object.keys(busy).length ? ledger.limiter : rest(ledger.limiter, limits, now) };
}

/** An operator's resume: the wait that was holding every shard back, lifted (the next send probes). */
export function lifted(ledger: Ledger, now: number): { wait: ServerWait | null; ledger: Ledger } {
  return { wait: serverWait(ledger.limiter, now), ledger: { ...ledger, limiter: liftServerWaits(ledger.limiter), probeUntil: 0 } };
}
