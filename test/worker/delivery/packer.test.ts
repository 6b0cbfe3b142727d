/**
 * The packer as a specification: queued items in, MoEngage requests out (endpoint, exact body,
 * exact bytes), always within 128 KB (bulk 100 KB) and the rate budget.
 */
import { describe, expect, it } from 'vitest';
import { AUTO_MAX_SINGLE_REQUESTS, type Packing, type Pending, pack, utf8Length } from '../../../worker/delivery/packer';
import { MOENGAGE_REQUEST_LIMITS } from '../../../worker/moengage/limits';
import type { CustomerItem, DeliveryItem, EventItem, MergeItem } from '../../../worker/moengage/payloads';

const event = (customer: string, action = 'Product Viewed', attributes: Record<string, unknown> = {}, ids?: EventItem['user_identifiers']): EventItem => ({
  kind: 'event',
  customer_id: customer,
  ...(ids ? { user_identifiers: ids } : {}),
  action: { action, platform: 'web', attributes },
});
const profile = (customer: string, attributes: Record<string, unknown> = { first_name: 'Jane' }): CustomerItem => ({ kind: 'customer', customer_id: customer, attributes });
const merge = (from: string, to: string): MergeItem => ({ kind: 'merge', merged_user: from, retained_user: to });
const queue = (...items: DeliveryItem[]): Pending[] => items.map((item, i) => ({ key: i + 1, item }));
const bytesOf = (body: unknown) => utf8Length(JSON.stringify(body));
const UNLIMITED = { events: 1e9, customers: 1e9, merges: 1e9, requests: 1e9 };

describe('utf8Length', () => {
  it.each([
    ['', 0],
    ['abc', 3],
    ['é', 2],
    ['€', 3],
    ['😀', 4],
    ['a😀é', 7],
  ])('%j is %i bytes', (s, n) => {
    expect(utf8Length(s)).toBe(n);
    expect(utf8Length(s)).toBe(new TextEncoder().encode(s).byteLength);
  });
});

describe('same customer shares one request; endpoints by packing mode', () => {
  const cases: { name: string; packing: Packing; items: DeliveryItem[]; expected: { endpoint: string; body: unknown; keys: number[] }[] }[] = [
    {
      name: 'one event → /v1/event with one action',
      packing: 'auto',
      items: [event('u1', 'Order Completed', { order_id: 'ORD-1' }, { u_em: 'a@b.co' })],
      expected: [
        {
          endpoint: 'event',
          body: {
            type: 'event',
            customer_id: 'u1',
            user_identifiers: { u_em: 'a@b.co' },
            actions: [{ action: 'Order Completed', platform: 'web', attributes: { order_id: 'ORD-1' } }],
          },
          keys: [1],
        },
      ],
    },
    {
      name: 'three events of one customer → one actions array, identifiers merged',
      packing: 'event',
      items: [event('u1', 'A', {}, { u_em: 'a@b.co' }), event('u1', 'B'), event('u1', 'C', {}, { u_mb: '+447700900123' })],
      expected: [
        {
          endpoint: 'event',
          body: {
            type: 'event',
            customer_id: 'u1',
            user_identifiers: { u_em: 'a@b.co', u_mb: '+447700900123' },
            actions: ['A', 'B', 'C'].map((action) => ({ action, platform: 'web', attributes: {} })),
          },
          keys: [1, 2, 3],
        },
      ],
    },
    {
      name: 'event mode: one request per customer, oldest first',
      packing: 'event',
      items: [event('u1', 'A'), event('u2', 'B'), event('u1', 'C')],
      expected: [
        { endpoint: 'event', body: { type: 'event', customer_id: 'u1', actions: [{ action: 'A', platform: 'web', attributes: {} }, { action: 'C', platform: 'web', attributes: {} }] }, keys: [1, 3] },
        { endpoint: 'event', body: { type: 'event', customer_id: 'u2', actions: [{ action: 'B', platform: 'web', attributes: {} }] }, keys: [2] },
      ],
    },
    {
      name: 'bulk mode: customers and profile updates in one /v1/transition',
      packing: 'bulk',
      items: [event('u1', 'A'), profile('u2'), event('u1', 'C')],
      expected: [
        {
          endpoint: 'transition',
          body: {
            type: 'transition',
            elements: [
              { type: 'event', customer_id: 'u1', actions: [{ action: 'A', platform: 'web', attributes: {} }, { action: 'C', platform: 'web', attributes: {} }] },
              { type: 'customer', customer_id: 'u2', attributes: { first_name: 'Jane' } },
            ],
          },
          keys: [1, 3, 2],
        },
      ],
    },
    {
      name: 'event mode: a profile update goes to /v1/customer',
      packing: 'event',
      items: [profile('u9', { first_name: 'Ann', plan: 'pro' })],
      expected: [{ endpoint: 'customer', body: { type: 'customer', customer_id: 'u9', attributes: { first_name: 'Ann', plan: 'pro' } }, keys: [1] }],
    },
    {
      name: 'merges share one /v1/customer/merge body in every mode',
      packing: 'bulk',
      items: [merge('anon-1', 'u1'), merge('anon-2', 'u2')],
      expected: [
        {
          endpoint: 'merge',
          body: { merge_data: [{ merged_user: 'anon-1', retained_user: 'u1' }, { merged_user: 'anon-2', retained_user: 'u2' }] },
          keys: [1, 2],
        },
      ],
    },
  ];
  it.each(cases)('$name', ({ packing, items, expected }) => {
    const { requests, tooLarge } = pack(queue(...items), { packing });
    expect(tooLarge).toEqual([]);
    expect(requests.map(({ endpoint, body, keys }) => ({ endpoint, body, keys }))).toStrictEqual(expected);
    for (const r of requests) expect(r.bytes).toBe(bytesOf(r.body));
  });
});

describe('auto packing', () => {
  it(`keeps one request per customer up to ${AUTO_MAX_SINGLE_REQUESTS} requests (MoEngage answers each)`, () => {
    const items = Array.from({ length: AUTO_MAX_SINGLE_REQUESTS }, (_, i) => event(`u${i}`));
    const { requests } = pack(queue(...items), { packing: 'auto' });
    expect(requests.map((r) => r.endpoint)).toEqual(Array(AUTO_MAX_SINGLE_REQUESTS).fill('event'));
  });

  it('switches to bulk when the backlog holds more customers than that', () => {
    const items = Array.from({ length: AUTO_MAX_SINGLE_REQUESTS + 1 }, (_, i) => event(`u${i}`));
    const { requests } = pack(queue(...items), { packing: 'auto' });
    expect(requests).toHaveLength(1);
    expect(requests[0]?.endpoint).toBe('transition');
    expect(requests[0]?.cost).toEqual({ events: AUTO_MAX_SINGLE_REQUESTS + 1, customers: 0, merges: 0 });
  });

  it('sends a bulk body that ended up with a single element to that element’s own endpoint', () => {
    // 11 customers; the last one is so big it cannot share the 100 KB body with the rest.
    const big = 'x'.repeat(99 * 1024);
    const items = [...Array.from({ length: 11 }, (_, i) => event(`u${i}`)), event('whale', 'Big', { blob: big })];
    const { requests } = pack(queue(...items), { packing: 'auto' });
    expect(requests.map((r) => r.endpoint)).toEqual(['transition', 'event']);
    expect(requests[1]?.body).toMatchObject({ type: 'event', customer_id: 'whale' });
    expect(requests[1]?.bytes).toBe(bytesOf(requests[1]?.body));
  });
});

describe('byte limits', () => {
  const blob = (kb: number) => 'x'.repeat(kb * 1024);

  it('splits one customer’s events into several /v1/event requests, each ≤ 128 KB', () => {
    const items = Array.from({ length: 10 }, (_, i) => event('u1', `E${i}`, { blob: blob(30) }));
    const { requests } = pack(queue(...items), { packing: 'event' });
    expect(requests.length).toBe(3); // 4 × ~30 KB per request
    expect(requests.flatMap((r) => r.keys)).toEqual(items.map((_, i) => i + 1));
    for (const r of requests) {
      expect(r.bytes).toBe(bytesOf(r.body));
      expect(r.bytes).toBeLessThanOrEqual(MOENGAGE_REQUEST_LIMITS.maxRequestBytes);
    }
  });

  it('fills bulk bodies up to 100 KB, continuing a customer’s events in the next body', () => {
    const items = Array.from({ length: 40 }, (_, i) => event(`u${i % 3}`, `E${i}`, { blob: blob(7) }));
    const { requests } = pack(queue(...items), { packing: 'bulk' });
    for (const r of requests) {
      expect(r.endpoint).toBe('transition');
      expect(r.bytes).toBe(bytesOf(r.body));
      expect(r.bytes).toBeLessThanOrEqual(MOENGAGE_REQUEST_LIMITS.maxBulkRequestBytes);
      // Full: one more 7 KB event would not have fitted (except in the last body).
      if (r !== requests.at(-1)) expect(r.bytes).toBeGreaterThan(MOENGAGE_REQUEST_LIMITS.maxBulkRequestBytes - 7.2 * 1024);
    }
    expect(requests.flatMap((r) => r.keys).sort((a, b) => a - b)).toEqual(items.map((_, i) => i + 1));
  });

  it('sends an event between 100 and 128 KB alone to /v1/event even in bulk mode', () => {
    const { requests, tooLarge } = pack(queue(event('u1', 'Big', { blob: blob(110) })), { packing: 'bulk' });
    expect(tooLarge).toEqual([]);
    expect(requests.map((r) => r.endpoint)).toEqual(['event']);
  });

  it('reports an event over 128 KB on its own as too large and packs the rest', () => {
    const { requests, tooLarge } = pack(queue(event('u1', 'A'), event('u2', 'Huge', { blob: blob(129) }), event('u3', 'C')), {
      packing: 'auto',
    });
    expect(tooLarge).toEqual([{ key: 2, bytes: expect.any(Number), limit: MOENGAGE_REQUEST_LIMITS.maxRequestBytes }]);
    expect(tooLarge[0]?.bytes).toBeGreaterThan(MOENGAGE_REQUEST_LIMITS.maxRequestBytes);
    expect(requests.flatMap((r) => r.keys)).toEqual([1, 3]);
  });

  it('counts multi-byte characters as UTF-8 bytes', () => {
    const items = Array.from({ length: 30 }, (_, i) => event(`u${i}`, 'Reviewed', { text: '😀é€'.repeat(400) }));
    const { requests } = pack(queue(...items), { packing: 'bulk' });
    expect(requests.length).toBeGreaterThan(1);
    for (const r of requests) {
      expect(r.bytes).toBe(new TextEncoder().encode(JSON.stringify(r.body)).byteLength);
      expect(r.bytes).toBeLessThanOrEqual(MOENGAGE_REQUEST_LIMITS.maxBulkRequestBytes);
    }
  });
});

describe('rate budget', () => {
  const items = queue(event('u1', 'A'), event('u2', 'B'), profile('u3'), event('u4', 'C'), profile('u5'), merge('x', 'y'));

  it.each([
    { name: 'events budget 2: the two oldest events, all profile updates', budget: { events: 2, customers: 9, merges: 9, requests: 99 }, keys: [1, 2, 3, 5, 6] },
    { name: 'customers budget 1: only the oldest profile update', budget: { events: 9, customers: 1, merges: 9, requests: 99 }, keys: [1, 2, 3, 4, 6] },
    { name: 'nothing for merges', budget: { events: 9, customers: 9, merges: 0, requests: 99 }, keys: [1, 2, 3, 4, 5] },
    { name: 'two requests: the two oldest requests', budget: { events: 9, customers: 9, merges: 9, requests: 2 }, keys: [1, 2] },
  ])('$name', ({ budget, keys }) => {
    const { requests } = pack(items, { packing: 'event', budget });
    expect(requests.flatMap((r) => r.keys).sort((a, b) => a - b)).toEqual(keys);
  });
});

describe('a realistic backlog: 10,000 events of 2,000 customers, mixed sizes', () => {
  // Deterministic pseudo-random sizes: mostly small events, some product lists, a few large carts.
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const items: DeliveryItem[] = Array.from({ length: 10_000 }, (_, i) => {
    const r = rand();
    const size = r < 0.7 ? 50 : r < 0.95 ? 600 : 4_000;
    return event(`customer-${Math.floor(rand() * 2_000)}`, 'Product Viewed', { sku: `SKU-${i}`, note: 'n'.repeat(size) }, { u_em: `c${i % 2_000}@example.com` });
  });

  it.each(['auto', 'bulk', 'event'] as Packing[])('%s: every event exactly once, every request within its limit', (packing) => {
    const { requests, tooLarge } = pack(queue(...items), { packing, budget: UNLIMITED });
    expect(tooLarge).toEqual([]);
    const keys = requests.flatMap((r) => r.keys);
    expect(keys.length).toBe(items.length);
    expect(new Set(keys).size).toBe(items.length);
    for (const r of requests) {
      expect(r.bytes).toBe(bytesOf(r.body));
      expect(r.bytes).toBeLessThanOrEqual(r.endpoint === 'transition' ? MOENGAGE_REQUEST_LIMITS.maxBulkRequestBytes : MOENGAGE_REQUEST_LIMITS.maxRequestBytes);
      expect(r.cost.events).toBe(r.keys.length);
    }
    if (packing !== 'event') expect(items.length / requests.length).toBeGreaterThan(50);
  });
});
