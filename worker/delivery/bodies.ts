import type { Endpoint } from '../moengage/endpoints';
import { MOENGAGE_REQUEST_LIMITS } from '../moengage/limits';
import {
  type CustomerItem,
  type CustomerPayload,
  type DeliveryItem,
  type EventItem,
  type EventPayload,
  type MergeItem,
  type MergePayload,
  type TransitionPayload,
  customerPayload,
  eventPayload,
  mergePayload,
  transitionPayload,
} from '../moengage/payloads';

/**
 * Pure: MoEngage request bodies laid out within byte limits, measured exactly as JSON.stringify
 * writes them: one customer's events as Create Event elements, many customers in bulk
 * /v1/transition bodies, merges in Merge User bodies. packer.ts decides which items go together.
 */

/** Units MoEngage counts against its per-minute limits. */
export interface Cost {
  events: number;
  customers: number;
  merges: number;
}

export type RequestBody = EventPayload | CustomerPayload | TransitionPayload | MergePayload;

export interface PackedRequest {
  endpoint: Endpoint;
  body: RequestBody;
  /** UTF-8 bytes of `JSON.stringify(body)`, exactly. */
  bytes: number;
  /** Items carried, in order. */
  keys: number[];
  cost: Cost;
}

/** UTF-8 length of a string without encoding it. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

export const jsonBytes = (v: unknown) => utf8Length(JSON.stringify(v));

// Fixed parts of the bodies, so sizes add up exactly as JSON.stringify writes them.
export const TRANSITION_OVERHEAD = jsonBytes(transitionPayload([])); // {"type":"transition","elements":[]}
export const MERGE_OVERHEAD = jsonBytes({ merge_data: [] });

export function costOf(item: DeliveryItem): Cost {
  return item.kind === 'event'
    ? { events: 1, customers: 0, merges: 0 }
    : item.kind === 'customer'
      ? { events: 0, customers: 1, merges: 0 }
      : { events: 0, customers: 0, merges: 1 };
}

export function addCost(a: Cost, b: Cost): Cost {
  return { events: a.events + b.events, customers: a.customers + b.customers, merges: a.merges + b.merges };
}

export const ZERO: Cost = { events: 0, customers: 0, merges: 0 };

/**
 * An event element being filled for one customer: its exact size follows from the customer id,
 * the union of identifiers and the actions (as `eventPayload` lays them out).
 */
export class EventChunk {
  readonly keys: number[] = [];
  readonly items: EventItem[] = [];
  private identifiers: Record<string, unknown> = {};
  private actionBytes = 0;
  private headBytes: number;

  constructor(readonly customerId: string) {
    this.headBytes = this.head();
  }

  private head(): number {
    const ids = Object.keys(this.identifiers).length ? { user_identifiers: this.identifiers } : {};
    // {"type":"event","customer_id":"…",["user_identifiers":{…},]"actions":[]}
    return jsonBytes({ type: 'event', customer_id: this.customerId, ...ids, actions: [] });
  }

  /** Size of the element if `item` (with its action's size) were added. */
  bytesWith(item: EventItem, itemActionBytes: number): number {
    const merged = item.user_identifiers ? { ...this.identifiers, ...item.user_identifiers } : this.identifiers;
    const head =
      merged === this.identifiers || JSON.stringify(merged) === JSON.stringify(this.identifiers)
        ? this.headBytes
        : jsonBytes({ type: 'event', customer_id: this.customerId, user_identifiers: merged, actions: [] });
    return head + this.actionBytes + itemActionBytes + (this.items.length ? 1 : 0);
  }

  add(key: number, item: EventItem, itemActionBytes: number): void {
    if (item.user_identifiers) {
      this.identifiers = { ...this.identifiers, ...item.user_identifiers };
      this.headBytes = this.head();
    }
    this.actionBytes += itemActionBytes + (this.items.length ? 1 : 0);
    this.keys.push(key);
    this.items.push(item);
  }

  get bytes(): number {
    return this.headBytes + this.actionBytes;
  }
}

export interface Element {
  /** Smallest key, for FIFO order of requests. */
  first: number;
  keys: number[];
  kind: 'event' | 'customer';
  body: EventPayload | CustomerPayload;
  bytes: number;
  cost: Cost;
}

/** Splits one customer's events into elements no bigger than `limit` bytes each. */
export function eventElements(customerId: string, group: { key: number; item: EventItem; actionBytes: number }[], limit: number): Element[] {
  const out: Element[] = [];
  let chunk = new EventChunk(customerId);
  const close = () => {
    if (!chunk.items.length) return;
    out.push({
      first: chunk.keys[0] as number,
      keys: chunk.keys,
      kind: 'event',
      body: eventPayload(chunk.items),
      bytes: chunk.bytes,
      cost: { events: chunk.items.length, customers: 0, merges: 0 },
    });
    chunk = new EventChunk(customerId);
  };
  for (const { key, item, actionBytes } of group) {
    if (chunk.items.length && chunk.bytesWith(item, actionBytes) > limit) close();
    chunk.add(key, item, actionBytes);
  }
  close();
  return out;
}

export function single(element: Element): PackedRequest {
  return { endpoint: element.kind, body: element.body, bytes: element.bytes, keys: element.keys, cost: element.cost };
}

/** Next-fit of elements into bulk bodies ≤ `limit`; a customer's events may continue in the next body. */
export function bulkRequests(
  customers: Map<string, { key: number; item: EventItem; actionBytes: number }[]>,
  profiles: { key: number; item: CustomerItem; bytes: number }[],
  limit: number,
  singleLimit: number,
): PackedRequest[] {
  const room = limit - TRANSITION_OVERHEAD;
  // Work in order of each element's first key so the oldest events leave first.
  type Unit = { first: number; customer?: string; profile?: { key: number; item: CustomerItem; bytes: number } };
  const units: Unit[] = [];
  for (const [customer, group] of customers) units.push({ first: (group[0] as { key: number }).key, customer });
  for (const profile of profiles) units.push({ first: profile.key, profile });
  units.sort((a, b) => a.first - b.first);

  const requests: PackedRequest[] = [];
  let bin: Element[] = [];
  let used = 0; // element bytes + commas
  const flush = () => {
    if (!bin.length) return;
    const elements = bin;
    requests.push({
      endpoint: 'transition',
      body: transitionPayload(elements.map((e) => e.body)),
      bytes: TRANSITION_OVERHEAD + used,
      keys: elements.flatMap((e) => e.keys),
      cost: elements.reduce((c, e) => addCost(c, e.cost), ZERO),
    });
    bin = [];
    used = 0;
  };
  const fits = (bytes: number) => used + (bin.length ? 1 : 0) + bytes <= room;
  const put = (e: Element) => {
    used += (bin.length ? 1 : 0) + e.bytes;
    bin.push(e);
  };

  for (const unit of units) {
    if (unit.profile) {
      const { key, item, bytes } = unit.profile;
      const element: Element = { first: key, keys: [key], kind: 'customer', body: customerPayload(item), bytes, cost: costOf(item) };
      if (bytes > room) {
        if (bytes <= singleLimit) requests.push(single(element));
        continue;
      }
      if (!fits(bytes)) flush();
      put(element);
      continue;
    }
    let rest = customers.get(unit.customer as string) ?? [];
    while (rest.length) {
      // Fill what is left of this body with as many of the customer's events as fit.
      const space = room - used - (bin.length ? 1 : 0);
      const chunk = new EventChunk(unit.customer as string);
      let taken = 0;
      for (const { key, item, actionBytes } of rest) {
        if (chunk.bytesWith(item, actionBytes) > space) break;
        chunk.add(key, item, actionBytes);
        taken++;
      }
      if (taken === 0) {
        if (bin.length) {
          flush();
          continue;
        }
        // Alone in an empty body and still too big for bulk: its own /v1/event (128 KB) request.
        const head = rest[0] as { key: number; item: EventItem; actionBytes: number };
        const [element] = eventElements(unit.customer as string, [head], singleLimit);
        if (element) requests.push(single(element));
        rest = rest.slice(1);
        continue;
      }
      put({
        first: chunk.keys[0] as number,
        keys: chunk.keys,
        kind: 'event',
        body: eventPayload(chunk.items),
        bytes: chunk.bytes,
        cost: { events: taken, customers: 0, merges: 0 },
      });
      rest = rest.slice(taken);
      if (rest.length) flush();
    }
  }
  flush();
  return requests;
}

export function mergeRequests(merges: { key: number; item: MergeItem; bytes: number }[], limit: number): PackedRequest[] {
  const requests: PackedRequest[] = [];
  let keys: number[] = [];
  let items: MergeItem[] = [];
  let used = 0;
  const flush = () => {
    if (!items.length) return;
    requests.push({ endpoint: 'merge', body: mergePayload(items), bytes: MERGE_OVERHEAD + used, keys, cost: { events: 0, customers: 0, merges: items.length } });
    keys = [];
    items = [];
    used = 0;
  };
  for (const m of merges) {
    const add = m.bytes + (items.length ? 1 : 0);
    if (items.length && MERGE_OVERHEAD + used + add > limit) flush();
    used += m.bytes + (items.length ? 1 : 0);
    keys.push(m.key);
    items.push(m.item);
  }
  flush();
  return requests;
}
