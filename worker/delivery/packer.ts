import type { Endpoint } from '../moengage/endpoints';
import { MOENGAGE_REQUEST_LIMITS } from '../moengage/limits';
import type { CustomerItem, CustomerPayload, DeliveryItem, EventItem, EventPayload, MergeItem, TransitionPayload } from '../moengage/payloads';
import { customerPayload, mergePayload } from '../moengage/payloads';
import {
  addCost,
  bulkRequests,
  type Cost,
  costOf,
  eventElements,
  EventChunk,
  jsonBytes,
  MERGE_OVERHEAD,
  mergeRequests,
  type PackedRequest,
  single,
  TRANSITION_OVERHEAD,
  ZERO,
} from './bodies';

export type { Cost, PackedRequest, RequestBody } from './bodies';
export { utf8Length } from './bodies';
export type { Endpoint };

/**
 * Pure: queued delivery items → MoEngage requests, each within the byte limit of its endpoint and
 * together within the rate budget. Same-customer events share one `actions` array; many customers
 * share one bulk `/v1/transition` body (bodies.ts lays them out). docs/delivery.md "Packing".
 */

export type Packing = 'auto' | 'event' | 'bulk';

/** How a sent request's items are packed again (a split, or what an erasure left of it): as it was, bulk or per customer. */
export function packingOf(endpoint: Endpoint): 'bulk' | 'event' {
  return endpoint === 'transition' ? 'bulk' : 'event';
}

/** What may be sent now: units per bucket and, optionally, a number of requests. */
export interface Budget extends Cost {
  requests: number;
}

/** One queued item; `key` identifies it to the caller (the outbox row id), FIFO by key. */
export interface Pending {
  key: number;
  item: DeliveryItem;
}

export interface PackOptions {
  packing: Packing;
  /** Absent = unlimited (used when splitting a request that was already paid for). */
  budget?: Budget;
  maxBytes?: number;
  maxBulkBytes?: number;
  /**
   * `auto` keeps one request per customer (MoEngage answers each on its own) while that takes at
   * most this many requests, and switches to bulk beyond it (throughput).
   */
  autoMaxSingleRequests?: number;
}

export interface PackResult {
  requests: PackedRequest[];
  /** Items that cannot fit any request on their own: dead-letter them (`payload_too_large`). */
  tooLarge: { key: number; bytes: number; limit: number }[];
}

export const AUTO_MAX_SINGLE_REQUESTS = 10;

export function pack(pending: readonly Pending[], options: PackOptions): PackResult {
  const maxBytes = options.maxBytes ?? MOENGAGE_REQUEST_LIMITS.maxRequestBytes;
  const maxBulkBytes = options.maxBulkBytes ?? MOENGAGE_REQUEST_LIMITS.maxBulkRequestBytes;
  const budget = options.budget;
  const tooLarge: PackResult['tooLarge'] = [];

  // 1. Admit items oldest first while their bucket has budget; measure each once.
  const customers = new Map<string, { key: number; item: EventItem; actionBytes: number }[]>();
  const profiles: { key: number; item: CustomerItem; bytes: number }[] = [];
  const merges: { key: number; item: MergeItem; bytes: number }[] = [];
  let spent: Cost = ZERO;
  for (const { key, item } of [...pending].sort((a, b) => a.key - b.key)) {
    const cost = costOf(item);
    const next = addCost(spent, cost);
    if (budget && (next.events > budget.events || next.customers > budget.customers || next.merges > budget.merges)) continue;
    if (item.kind === 'event') {
      const actionBytes = jsonBytes(item.action);
      const alone = new EventChunk(item.customer_id).bytesWith(item, actionBytes);
      if (alone > maxBytes) {
        tooLarge.push({ key, bytes: alone, limit: maxBytes });
        continue;
      }
      const group = customers.get(item.customer_id) ?? [];
      group.push({ key, item, actionBytes });
      customers.set(item.customer_id, group);
    } else if (item.kind === 'customer') {
      const bytes = jsonBytes(customerPayload(item));
      if (bytes > maxBytes) {
        tooLarge.push({ key, bytes, limit: maxBytes });
        continue;
      }
      profiles.push({ key, item, bytes });
    } else {
      const bytes = jsonBytes(mergePayload([item]).merge_data[0]);
      if (MERGE_OVERHEAD + bytes > maxBytes) {
        tooLarge.push({ key, bytes: MERGE_OVERHEAD + bytes, limit: maxBytes });
        continue;
      }
      merges.push({ key, item, bytes });
    }
    spent = next;
  }

  // 2. Lay them out as requests.
  const perCustomer = (): PackedRequest[] => [
    ...[...customers].flatMap(([customer, group]) => eventElements(customer, group, maxBytes).map(single)),
    ...profiles.map(({ key, item, bytes }) => ({
      endpoint: 'customer' as const,
      body: customerPayload(item),
      bytes,
      keys: [key],
      cost: costOf(item),
    })),
  ];
  let main: PackedRequest[];
  if (options.packing === 'event') {
    main = perCustomer();
  } else if (options.packing === 'bulk') {
    main = bulkRequests(customers, profiles, maxBulkBytes, maxBytes);
  } else {
    const singles = perCustomer();
    main =
      singles.length <= (options.autoMaxSingleRequests ?? AUTO_MAX_SINGLE_REQUESTS)
        ? singles
        : bulkRequests(customers, profiles, maxBulkBytes, maxBytes).map(unwrapLoneElement);
  }
  let requests = [...main, ...mergeRequests(merges, maxBytes)].sort((a, b) => (a.keys[0] as number) - (b.keys[0] as number));
  if (budget) requests = requests.slice(0, Math.max(0, budget.requests));
  return { requests, tooLarge };
}

/** In `auto`, a bulk body holding a single element goes to that element's own endpoint (per-request answer). */
function unwrapLoneElement(request: PackedRequest): PackedRequest {
  if (request.endpoint !== 'transition') return request;
  const elements = (request.body as TransitionPayload).elements;
  if (elements.length !== 1) return request;
  const body = elements[0] as EventPayload | CustomerPayload;
  return { ...request, endpoint: body.type === 'event' ? 'event' : 'customer', body, bytes: request.bytes - TRANSITION_OVERHEAD };
}
