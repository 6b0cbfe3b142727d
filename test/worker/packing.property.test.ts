/**
 * Property: whatever the backlog holds (sizes from tiny to over the limit, many or few customers,
 * any packing mode, with or without a rate budget), packing never produces a request over
 * MoEngage's byte limits, reports its size exactly, loses or duplicates no item, keeps each
 * customer's events in order, stays within the budget, and every request it makes is one the
 * strict MoEngage sandbox accepts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Budget, type PackedRequest, type Pending, pack, utf8Length } from '../../worker/delivery/packer';
import { authorization } from '../../worker/moengage/endpoints';
import { MOENGAGE_REQUEST_LIMITS } from '../../worker/moengage/limits';
import type { DeliveryItem } from '../../worker/moengage/payloads';
import { createMoEngageSandbox } from '../../dev/moengage-sandbox/moengage';

const WORKSPACE = 'demo-workspace';
const KEY = 'demo-data-api-key';

const customerId = fc.constantFrom('u_1', 'u_2', 'u_3', 'ü_4', 'user-ñ-5', 'u_😀_6', 'u_7', 'u_8');
// Sizes chosen so requests fill up and split: most attributes are small, some are large, a few
// make a single event larger than a whole request.
const text = fc.oneof(
  { weight: 8, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 3, arbitrary: fc.nat({ max: 20_000 }).map((n) => 'x'.repeat(n)) },
  { weight: 2, arbitrary: fc.nat({ max: 3_000 }).map((n) => '€'.repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 128 * 1024, max: 140 * 1024 }).map((n) => 'y'.repeat(n)) },
);
const attributes = fc.dictionary(fc.constantFrom('sku', 'name', 'note', 'value', 'currency', 'blob'), fc.oneof(text, fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean()), { maxKeys: 4 });
// Custom user attributes only: standard Track User keys (name, email, …) always come in their format from the mapping.
const userAttributes = fc.dictionary(fc.constantFrom('plan', 'note', 'tier', 'blob'), fc.oneof(text, fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean()), { maxKeys: 4 });

const item: fc.Arbitrary<DeliveryItem> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ customer: customerId, action: fc.constantFrom('Product Viewed', 'Order Completed', 'Page Viewed'), attributes, email: fc.option(fc.constantFrom('jane@example.com', 'ünï@example.com'), { nil: undefined }) }).map(
    ({ customer, action, attributes, email }): DeliveryItem => ({
      kind: 'event',
      customer_id: customer,
      ...(email ? { user_identifiers: { u_em: email } } : {}),
      action: { action, platform: 'web', attributes, current_time: '2026-11-28T10:00:00.000Z', user_time: '2026-11-28T10:00:00.000Z' },
    }),
  ) },
  { weight: 2, arbitrary: fc.record({ customer: customerId, attributes: userAttributes }).map(({ customer, attributes }): DeliveryItem => ({ kind: 'customer', customer_id: customer, attributes: { first_name: 'Jane', ...attributes } })) },
  { weight: 1, arbitrary: fc.tuple(customerId, customerId).filter(([a, b]) => a !== b).map(([a, b]): DeliveryItem => ({ kind: 'merge', merged_user: a, retained_user: b })) },
);
const backlog = fc.array(item, { minLength: 1, maxLength: 60 }).map((items): Pending[] => items.map((it, i) => ({ key: i + 1, item: it })));
const budget = fc.option(
  fc.record({ events: fc.nat({ max: 60 }), customers: fc.nat({ max: 20 }), merges: fc.nat({ max: 10 }), requests: fc.constant(1e9) }),
  { nil: undefined },
);
const packing = fc.constantFrom('auto' as const, 'event' as const, 'bulk' as const);

function limitOf(request: PackedRequest): number {
  return request.endpoint === 'transition' ? MOENGAGE_REQUEST_LIMITS.maxBulkRequestBytes : MOENGAGE_REQUEST_LIMITS.maxRequestBytes;
}

function urlOf(request: PackedRequest): string {
  return request.endpoint === 'merge'
    ? `http://moengage.sandbox/v1/customer/merge?app_id=${WORKSPACE}`
    : `http://moengage.sandbox/v1/${request.endpoint}/${WORKSPACE}`;
}

function within(budget: Budget | undefined, requests: PackedRequest[]): boolean {
  if (!budget) return true;
  const spent = requests.reduce((s, r) => ({ events: s.events + r.cost.events, customers: s.customers + r.cost.customers, merges: s.merges + r.cost.merges }), { events: 0, customers: 0, merges: 0 });
  return spent.events <= budget.events && spent.customers <= budget.customers && spent.merges <= budget.merges;
}

describe('packing (property)', () => {
  it('never exceeds the byte limits, loses nothing, keeps order, and makes only requests MoEngage accepts', async () => {
    const sandbox = createMoEngageSandbox({
      credentials: { [WORKSPACE]: KEY },
      eventsPerMinute: 1e9,
      customerUpdatesPerMinute: 1e9,
      mergesPerMinute: 1e9,
      now: () => Date.parse('2026-11-28T10:00:00.000Z'),
    });
    await fc.assert(
      fc.asyncProperty(backlog, packing, budget, async (pending, mode, limit) => {
        const { requests, tooLarge } = pack(pending, { packing: mode, budget: limit });

        for (const request of requests) {
          const text = JSON.stringify(request.body);
          expect(request.bytes).toBe(utf8Length(text));
          expect(request.bytes).toBe(new TextEncoder().encode(text).byteLength);
          expect(request.bytes).toBeLessThanOrEqual(limitOf(request));
        }
        expect(within(limit, requests)).toBe(true);

        // Every item is sent once, dead-lettered as too large, or (only under a budget) left for later.
        const sent = requests.flatMap((r) => r.keys);
        const dead = tooLarge.map((t) => t.key);
        expect(new Set(sent).size).toBe(sent.length);
        expect(sent.filter((k) => dead.includes(k))).toEqual([]);
        const handled = new Set([...sent, ...dead]);
        if (!limit) expect([...handled].sort((a, b) => a - b)).toEqual(pending.map((p) => p.key));
        for (const t of tooLarge) expect(t.bytes).toBeGreaterThan(t.limit);

        // Each customer's events leave in the order they were queued.
        const byKey = new Map(pending.map((p) => [p.key, p.item]));
        const order = new Map<string, number[]>();
        for (const key of sent) {
          const it = byKey.get(key);
          if (it?.kind === 'event') order.set(it.customer_id, [...(order.get(it.customer_id) ?? []), key]);
        }
        for (const keys of order.values()) expect(keys).toEqual([...keys].sort((a, b) => a - b));

        // The strict MoEngage double accepts every request as packed.
        for (const request of requests) {
          const response = await sandbox.handle(
            new Request(urlOf(request), {
              method: 'POST',
              headers: { authorization: authorization({ workspaceId: WORKSPACE, dataApiKey: KEY }), 'content-type': 'application/json' },
              body: JSON.stringify(request.body),
            }),
          );
          if (response.status !== 200) throw new Error(`sandbox answered ${response.status} ${await response.text()} to a ${request.endpoint} request of ${request.bytes} B`);
        }
      }),
      { numRuns: 150, seed: 20261128 },
    );
  }, 120_000);
});
