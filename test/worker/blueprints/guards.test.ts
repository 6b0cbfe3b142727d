import { describe, expect, it } from 'vitest';
import { type GuardOptions, guardAttributes } from '../../../worker/moengage/guardAttributes';
import type { Omission } from '../../../worker/identity/standardAttributes';
import { customerPayload, eventPayload } from '../../../worker/moengage/payloads';
import { validateCustomer, validateEvent } from '../../../dev/moengage-sandbox/validate';
import { AT, map, onlyCustomer, onlyEvent } from './support';

function guard(attributes: Record<string, unknown>, options: GuardOptions = {}) {
  const omissions: Omission[] = [];
  const out = guardAttributes(attributes, options, omissions, 'attributes');
  return { out, omissions };
}

const long = (n: number, c = 'x') => c.repeat(n);
const sandboxCtx = { nowMs: Date.parse(AT) + 60_000, futureToleranceMs: 0 };

describe('reserved moe_ prefix (never sent)', () => {
  it.each<[Record<string, unknown>, GuardOptions, Record<string, unknown>, string[]]>([
    [{ moe_source: 'ad', sku: 'A' }, {}, { source: 'ad', sku: 'A' }, ['renamed moe_source → source (moe_ is reserved by MoEngage)']],
    [{ MOE_Source: 'ad' }, {}, { Source: 'ad' }, ['renamed MOE_Source → Source (moe_ is reserved by MoEngage)']],
    [{ moe_moe_x: 1 }, {}, { x: 1 }, ['renamed moe_moe_x → x (moe_ is reserved by MoEngage)']],
    [{ moe_sku: 'B', sku: 'A' }, {}, { sku: 'A' }, ['dropped moe_sku (moe_ is reserved by MoEngage, and "sku" is taken)']],
    [{ moe_: 1 }, {}, {}, ['dropped moe_ (moe_ is reserved by MoEngage, and "" is empty)']],
    [{ moe_source: 'ad', sku: 'A' }, { moePrefix: 'drop' }, { sku: 'A' }, ['dropped moe_source (moe_ is reserved by MoEngage)']],
    [{ meta: { moe_x: 1 } }, { nested: 'object' }, { meta: { x: 1 } }, ['renamed meta.moe_x → x (moe_ is reserved by MoEngage)']],
  ])('%j (%j) → %j', (input, options, expected, details) => {
    const { out, omissions } = guard(input, options);
    expect(out).toEqual(expected);
    expect(omissions).toEqual([{ reason: 'reserved_prefix', detail: `attributes: ${details.join('; ')}` }]);
  });

  it('guarded events pass the sandbox, which refuses moe_ names outright', () => {
    const event = onlyEvent(map({ type: 'track', userId: 'u_1', event: 'Product Viewed', properties: { moe_campaign: 'x', sku: 'A' } }));
    expect(event.action.attributes).toEqual({ campaign: 'x', sku: 'A' });
    expect(() => validateEvent(eventPayload([event]) as never, sandboxCtx)).not.toThrow();
    const unguarded = { ...eventPayload([event]), actions: [{ ...event.action, attributes: { moe_campaign: 'x' } }] };
    expect(() => validateEvent(unguarded as never, sandboxCtx)).toThrow(/reserved prefix/);
  });

  it('identify traits are guarded the same way', () => {
    const result = map({ type: 'identify', userId: 'u_1', traits: { moe_tier: 'gold' } }, 'retail', { moePrefix: 'drop' });
    const customer = onlyCustomer(result);
    expect(customer.attributes).toEqual({});
    expect(result.omissions).toEqual([{ reason: 'reserved_prefix', detail: 'user attributes: dropped moe_tier (moe_ is reserved by MoEngage)' }]);
    expect(() => validateCustomer(customerPayload(customer) as never)).not.toThrow();
  });

  it('event names from a "*" blueprint are guarded: renamed, or the event dropped', () => {
    const any = { name: 'everything', events: { '*': {} } };
    const renamed = map({ type: 'track', userId: 'u_1', event: 'moe_Clicked' }, any);
    expect(onlyEvent(renamed).action.action).toBe('Clicked');
    expect(renamed.omissions).toEqual([{ reason: 'reserved_prefix', detail: 'event name "moe_Clicked" renamed to "Clicked" (moe_ is reserved by MoEngage)' }]);
    expect(map({ type: 'track', userId: 'u_1', event: 'moe_Clicked' }, any, { moePrefix: 'drop' })).toMatchObject({ status: 'dropped', reason: 'reserved_prefix' });
    expect(map({ type: 'track', userId: 'u_1', event: long(201) }, any)).toMatchObject({
      status: 'dropped',
      reason: 'event_name_too_long',
      detail: 'event name is 201 characters; MoEngage allows 200',
    });
  });
});

describe('MoEngage limits', () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>, Omission[]]>([
    ['a 200-character name is kept', { [long(200, 'n')]: 1 }, { [long(200, 'n')]: 1 }, []],
    ['a 201-character name is dropped', { [long(201, 'n')]: 1, ok: 2 }, { ok: 2 }, [{ reason: 'attribute_name_too_long', detail: `attributes: dropped ${long(60, 'n')}… (201 characters; MoEngage allows 200)` }]],
    ['a 512-character string is kept', { s: long(512) }, { s: long(512) }, []],
    ['a 513-character string is cut to 512', { s: long(513) }, { s: long(512) }, [{ reason: 'value_truncated', detail: 'attributes: s cut from 513 to 512 characters' }]],
    ['characters, not UTF-16 units: 512 emoji are kept', { s: long(512, '😀') }, { s: long(512, '😀') }, []],
    ['a URL over 512 characters is dropped (MoEngage rejects rather than truncates it)', { url: `https://shop.test/?q=${long(600)}` }, {}, [{ reason: 'url_too_long', detail: 'attributes: dropped url, a 621-character URL (MoEngage rejects URLs over 512)' }]],
    ['null values are left out', { coupon: null, note: undefined, sku: 'A' }, { sku: 'A' }, [{ reason: 'null_value', detail: 'attributes: dropped coupon (null); dropped note (null)' }]],
    ['arrays of one type are kept', { tags: ['a', 'b'], sizes: [1, 2] }, { tags: ['a', 'b'], sizes: [1, 2] }, []],
    ['arrays over 50 elements are cut', { ids: Array.from({ length: 60 }, (_, i) => i) }, { ids: Array.from({ length: 50 }, (_, i) => i) }, [{ reason: 'array_truncated', detail: 'attributes: ids cut from 60 to 50 elements' }]],
    ['mixed arrays are sent as strings', { ids: [1, 'a', true] }, { ids: ['1', 'a', 'true'] }, [{ reason: 'array_mixed_types', detail: 'attributes: ids holds mixed types, sent as strings' }]],
    ['long strings in arrays are cut', { tags: [long(513)] }, { tags: [long(512)] }, [{ reason: 'value_truncated', detail: 'attributes: tags[0] cut from 513 to 512 characters' }]],
  ])('%s', (_, input, expected, omissions) => {
    expect(guard(input)).toEqual({ out: expected, omissions });
  });

  it('at most 100 attributes per event: the first 100 are kept, the rest listed', () => {
    const properties = Object.fromEntries(Array.from({ length: 105 }, (_, i) => [`p${i}`, i]));
    const result = map({ type: 'track', userId: 'u_1', event: 'Product Viewed', properties });
    const attributes = onlyEvent(result).action.attributes;
    expect(Object.keys(attributes)).toHaveLength(100);
    expect(attributes.p99).toBe(99);
    expect(attributes).not.toHaveProperty('p100');
    expect(result.omissions).toEqual([{ reason: 'too_many_attributes', detail: '"Product Viewed" attributes: kept the first 100 of 105, dropped p100, p101, p102, p103, p104' }]);
  });

  it('user attributes are not capped at 100 (the limit is per event)', () => {
    const traits = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`t${i}`, i]));
    expect(Object.keys(onlyCustomer(map({ type: 'identify', userId: 'u_1', traits })).attributes)).toHaveLength(120);
  });
});

describe('nested objects and arrays', () => {
  const order = {
    order_id: 'O-1',
    shipping: { method: 'express', address: { city: 'London', postcode: 'N1 9GU' } },
    products: [
      { sku: 'A1', price: 10, categories: ['shoes', 'sale'] },
      { sku: 'B2', price: 20 },
    ],
    tags: ['gift'],
  };

  it('flatten (default): objects become name_key, arrays of objects one array per field', () => {
    expect(guard(order)).toEqual({
      out: {
        order_id: 'O-1',
        shipping_method: 'express',
        shipping_address_city: 'London',
        shipping_address_postcode: 'N1 9GU',
        products_sku: ['A1', 'B2'],
        products_price: [10, 20],
        products_categories: ['["shoes","sale"]'],
        tags: ['gift'],
      },
      omissions: [],
    });
  });

  it('object: sent as they are, for workspaces with MoEngage’s Object data type', () => {
    expect(guard(order, { nested: 'object' })).toEqual({ out: order, omissions: [] });
  });

  it('the flattened seed-style order is accepted by the sandbox', () => {
    const event = onlyEvent(map({ type: 'track', userId: 'u_1', event: 'Order Completed', properties: order }));
    expect(() => validateEvent(eventPayload([event]) as never, sandboxCtx)).not.toThrow();
  });
});
