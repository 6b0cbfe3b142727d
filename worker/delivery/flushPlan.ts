import type { DeliveryConnection } from '../config/connections';
import { type Amounts, type Limits, type LimiterState, nextAvailableAt, quantum, rest, type Unit } from './limiter';
import type { PackedRequest, Pending } from './packer';
import type { ItemKind } from './store/outbox';

/**
 * Pure: how a flush spends its budget and when the queue wakes next (docs/delivery.md "Rate
 * limits"). The DeliveryQueue reads what these ask for and sends what they pick.
 */

/** Items read per packing pass. */
export const MAX_ITEMS_PER_PASS = 5_000;

export const UNIT_OF = { event: 'events', customer: 'customers', merge: 'merges' } as const satisfies Record<ItemKind, Unit>;

export function limitsOf(connection: Pick<DeliveryConnection, 'eventsPerMinute' | 'delivery'>): Limits {
  return {
    events: connection.eventsPerMinute,
    customers: connection.delivery.customerUpdatesPerMinute,
    merges: connection.delivery.mergesPerMinute,
    ...(connection.delivery.requestsPerMinute ? { requests: connection.delivery.requestsPerMinute } : {}),
  };
}

/** The unit a request mostly spends; MoEngage's rate headers are read against it. */
export function unitOf(request: Pick<PackedRequest, 'endpoint' | 'cost'>): Unit {
  if (request.endpoint === 'merge') return 'merges';
  if (request.endpoint === 'customer') return 'customers';
  return request.cost.events >= request.cost.customers ? 'events' : 'customers';
}

/** What one pass may take of each kind: the budget, at most a pass's worth. */
export function roomOf(budget: Amounts): Record<ItemKind, number> {
  return {
    event: Math.min(budget.events, MAX_ITEMS_PER_PASS),
    customer: Math.min(budget.customers, MAX_ITEMS_PER_PASS),
    merge: Math.min(budget.merges, MAX_ITEMS_PER_PASS),
  };
}

/** How many due items to read per kind: one more than the room tells whether the budget is what holds a kind back. */
export function askFor(room: Record<ItemKind, number>): Record<ItemKind, number> {
  const plusOne = (n: number) => (n > 0 ? n + 1 : 0);
  return { event: plusOne(room.event), customer: plusOne(room.customer), merge: plusOne(room.merge) };
}

/** Budget worth a flush under a backlog: most of a half-second bucket. */
export function readyAt(limits: Limits, kind: ItemKind): number {
  return Math.max(1, Math.floor(0.9 * Math.min(MAX_ITEMS_PER_PASS, quantum(limits, UNIT_OF[kind]))));
}

/**
 * Under a backlog, tokens trickle in while requests are out; sending each trickle would make many
 * small requests. A kind whose due items fill its whole budget waits until the bucket is full (the
 * next alarm is set for then); a kind whose due items all fit goes now.
 */
export function worthSending(due: readonly Pending[], room: Record<ItemKind, number>, limits: Limits): Pending[] {
  const count = { event: 0, customer: 0, merge: 0 };
  for (const p of due) count[p.item.kind]++;
  const ready = (kind: ItemKind) => room[kind] > 0 && (count[kind] <= room[kind] || room[kind] >= readyAt(limits, kind));
  // Events lead: while they wait for a fuller budget, profile updates wait with them so both
  // share the same bulk bodies instead of going out one /v1/customer request each.
  if (count.event > 0 && !ready('event')) return [];
  const taken = { event: 0, customer: 0, merge: 0 };
  return due.filter((p) => ready(p.item.kind) && taken[p.item.kind]++ < room[p.item.kind]);
}

export interface WakeInput {
  /** Per kind, when the earliest waiting item not in flight is due. */
  nextDue: Partial<Record<ItemKind, number>>;
  /** Items waiting (in flight included). */
  waiting: number;
  /** No request before this (an outage's backoff), 0 when none. */
  gateUntil: number;
  limits: Limits;
  limiter: LimiterState;
  now: number;
  /** The flush sent something (else the next try is at least 250 ms away). */
  progressed: boolean;
  /** While requests are out, how far ahead the alarm stays (if this object dies, it runs again). */
  leaseMs: number;
}

/**
 * When the queue should wake next (null: no alarm), and the limiter as it stands: when nothing is
 * due now, tokens saved from here on are idle ones (a small burst, see limiter.ts).
 */
export function nextWake(input: WakeInput): { at: number | null; limiter: LimiterState } {
  const { now, limits } = input;
  const nextDue = Object.entries(input.nextDue) as [ItemKind, number][];
  if (!nextDue.length) return { at: input.waiting === 0 ? null : now + input.leaseMs, limiter: input.limiter }; // all in flight elsewhere: check back
  const limiter = nextDue.every(([, due]) => due > now) ? rest(input.limiter, limits, now) : input.limiter;
  // Events lead when they are due (worthSending); otherwise the earliest kind that is due and
  // within budget. Wait for most of a bucket rather than waking up for every token.
  const eventsDue = nextDue.find(([kind, due]) => kind === 'event' && due <= now);
  const at = Math.min(
    ...(eventsDue ? [eventsDue] : nextDue).map(([kind, due]) => {
      const want: Partial<Amounts> = { [UNIT_OF[kind]]: Math.min(input.waiting, readyAt(limits, kind)) };
      if (limits.requests !== undefined) want.requests = 1;
      return Math.max(due, input.gateUntil, nextAvailableAt(limiter, limits, want, now));
    }),
  );
  // Without progress, never spin: the earliest retry is a quarter second away.
  return { at: Math.max(at, input.progressed ? now : now + 250), limiter };
}
