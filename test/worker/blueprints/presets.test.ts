import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../../worker/blueprints/registry';
import { eventPayload } from '../../../worker/moengage/payloads';
import { AT, map, onlyCustomer, onlyEvent } from './support';
import { SEED_MESSAGE, SEED_PAYLOAD } from '../../seed';

describe('the seed example, field for field', () => {
  it.each(['retail', 'b2b-saas'])('%s: Order Completed becomes exactly the seed payload (time fields carry the event time)', (preset) => {
    const result = map(SEED_MESSAGE, preset);
    expect(result.status).toBe('queued');
    const body = structuredClone(eventPayload([onlyEvent(result)])) as unknown as typeof SEED_PAYLOAD & { actions: Record<string, unknown>[] };
    expect(body.actions[0]?.user_time).toBe(AT);
    expect(body.actions[0]?.current_time).toBe(AT);
    delete body.actions[0]?.user_time;
    delete body.actions[0]?.current_time;
    expect(JSON.stringify(body)).toBe(JSON.stringify(SEED_PAYLOAD)); // key order included
    expect(result.omissions).toEqual([]);
  });

  it('names stay off the event: they reach the profile through identify (Track User), as decided', () => {
    const event = onlyEvent(map(SEED_MESSAGE));
    expect(JSON.stringify(event)).not.toContain('Jane');
    const profile = onlyCustomer(map({ type: 'identify', userId: 'u_8842', traits: SEED_MESSAGE.context.traits }));
    expect(profile.attributes).toEqual({ email: 'jane@example.com', mobile: '+447700900123', first_name: 'Jane', last_name: 'Doe' });
  });
});

/** Seed 004's default presets table, plus what B2B/SaaS adds. */
const SEED_EVENTS: Record<string, string> = {
  page: 'Page Viewed',
  'Products Searched': 'Products Searched',
  'Product Viewed': 'Product Viewed',
  'Product Added': 'Product Added',
  'Checkout Started': 'Checkout Started',
  'Order Completed': 'Order Completed',
  'Signed Up': 'Signed Up',
  'Logged In': 'Logged In',
  'Subscription Started': 'Subscription Started',
};
const B2B_EVENTS: Record<string, string> = {
  ...SEED_EVENTS,
  'Trial Started': 'Trial Started',
  'Plan Upgraded': 'Plan Upgraded',
  'Demo Requested': 'Demo Requested',
  'Account Created': 'Account Created',
};
/** Segment's e-commerce spec (V2) events Retail adds to the seed's table. */
const RETAIL_EVENTS: Record<string, string> = {
  ...SEED_EVENTS,
  'Product List Viewed': 'Product List Viewed',
  'Product Clicked': 'Product Clicked',
  'Product Removed': 'Product Removed',
  'Cart Viewed': 'Cart Viewed',
  'Payment Info Entered': 'Payment Info Entered',
  'Coupon Applied': 'Coupon Applied',
};
const EXPECTED: Record<string, { enabled: Record<string, string>; disabled: string[] }> = {
  retail: { enabled: RETAIL_EVENTS, disabled: ['Order Refunded'] },
  'b2b-saas': { enabled: B2B_EVENTS, disabled: [] },
};

const sourceMessage = (source: string, properties: Record<string, unknown>) =>
  source === 'page' ? { type: 'page', userId: 'u_1', name: 'Pricing', properties } : { type: 'track', userId: 'u_1', event: source, properties };

describe.each(Object.entries(EXPECTED))('preset %s', (preset, expected) => {
  it('enables exactly the events of its table', () => {
    const rules = Object.entries(PRESETS[preset]?.events ?? {});
    expect(Object.fromEntries(rules.filter(([, r]) => r.enabled !== false).map(([k, r]) => [k, r.action ?? k]))).toEqual(expected.enabled);
    expect(rules.filter(([, r]) => r.enabled === false).map(([k]) => k)).toEqual(expected.disabled);
  });

  it.each(Object.entries(expected.enabled))('%s → %s with its properties as attributes', (source, action) => {
    const properties = { sku: 'SKU-1', price: 25, revenue: 25, plan: 'pro' };
    const event = onlyEvent(map(sourceMessage(source, properties), preset));
    expect(event.customer_id).toBe('u_1');
    expect(event.action.action).toBe(action);
    expect(event.action.platform).toBe('web');
    const revenueIs = source === 'Checkout Started' || source === 'Order Completed' ? { value: 25 } : { revenue: 25 };
    expect(event.action.attributes).toEqual({ sku: 'SKU-1', price: 25, ...revenueIs, plan: 'pro', ...(source === 'page' ? { name: 'Pricing' } : {}) });
  });

  it('drops events it does not list, with the reason', () => {
    expect(map({ type: 'track', userId: 'u_1', event: 'Wishlist Shared' }, preset)).toMatchObject({
      status: 'dropped',
      reason: 'not_in_blueprint',
      detail: `"Wishlist Shared" is not in blueprint "${preset}"`,
    });
    expect(map({ type: 'screen', userId: 'u_1', name: 'Home' }, preset)).toMatchObject({ status: 'dropped', reason: 'not_in_blueprint' });
  });
});

const DISABLED = Object.entries(EXPECTED).flatMap(([preset, { disabled }]) => disabled.map((source) => [preset, source] as const));

describe('events a preset lists disabled (a custom blueprint can switch them on)', () => {
  it.each(DISABLED)('%s: %s is dropped with reason not_in_blueprint', (preset, source) => {
    expect(map(sourceMessage(source, {}), preset)).toEqual({
      status: 'dropped',
      reason: 'not_in_blueprint',
      detail: `"${source}" is disabled in blueprint "${preset}"`,
      omissions: [],
    });
  });
});

describe('B2B / SaaS accounts', () => {
  const company = { id: 'acme-1', name: 'Acme Ltd', industry: 'Manufacturing', employee_count: 250, plan: 'enterprise' };

  it('Account Created carries the company traits as company_* attributes', () => {
    const event = onlyEvent(
      map({ type: 'track', userId: 'u_1', event: 'Account Created', properties: { account_name: 'Acme' }, context: { traits: { email: 'a@acme.test', company } } }, 'b2b-saas'),
    );
    expect(event.action.attributes).toEqual({
      account_name: 'Acme',
      company_id: 'acme-1',
      company_name: 'Acme Ltd',
      company_industry: 'Manufacturing',
      company_size: 250,
      company_plan: 'enterprise',
    });
    expect(event.user_identifiers).toEqual({ u_em: 'a@acme.test' });
  });

  it('group calls become company attributes of the user (Track User)', () => {
    const result = map({ type: 'group', userId: 'u_1', groupId: 'acme-1', traits: { name: 'Acme Ltd', industry: 'Manufacturing', employees: 250, plan: 'enterprise', website: 'https://acme.test', founded: 1990 } }, 'b2b-saas');
    expect(onlyCustomer(result)).toEqual({
      kind: 'customer',
      customer_id: 'u_1',
      attributes: { company_id: 'acme-1', company_name: 'Acme Ltd', company_industry: 'Manufacturing', company_size: 250, company_plan: 'enterprise', company_website: 'https://acme.test' },
    });
    expect(result.omissions).toEqual([{ reason: 'traits_not_in_blueprint', detail: 'group traits not in the blueprint, not sent: founded' }]);
  });

  it('identify maps the company trait object and the job title', () => {
    const customer = onlyCustomer(map({ type: 'identify', userId: 'u_1', traits: { email: 'a@acme.test', title: 'CTO', company } }, 'b2b-saas'));
    expect(customer.attributes).toEqual({
      email: 'a@acme.test',
      company_id: 'acme-1',
      company_name: 'Acme Ltd',
      company_industry: 'Manufacturing',
      company_size: 250,
      company_plan: 'enterprise',
      job_title: 'CTO',
    });
  });

  it('retail has no accounts: group calls are dropped with the reason', () => {
    expect(map({ type: 'group', userId: 'u_1', groupId: 'acme-1' })).toMatchObject({
      status: 'dropped',
      reason: 'not_in_blueprint',
      detail: 'group calls are not enabled in blueprint "retail"',
    });
  });
});

/**
 * Segment's e-commerce spec (V2) calls, as its docs print them, and the exact MoEngage body each
 * becomes under Retail: every property of the spec's table under its own name, a `products` list
 * as one array per product field (NESTED_ATTRIBUTES=flatten, the default).
 */
describe('Retail: Segment e-commerce events, exact MoEngage payloads', () => {
  const monopoly = { product_id: '507f1f77bcf86cd799439011', sku: 'G-32', category: 'Games', name: 'Monopoly: 3rd Edition', brand: 'Hasbro', variant: '200 pieces', price: 18.99, quantity: 1, coupon: 'MAYDEALS', position: 3, url: 'https://www.example.com/product/path', image_url: 'https://www.example.com/product/path.jpg' };
  const listed = [
    { product_id: '507f1f77bcf86cd799439011', sku: '45790-32', name: 'Monopoly: 3rd Edition', price: 19, position: 1, category: 'Games', url: 'https://www.example.com/product/path', image_url: 'https://www.example.com/product/path.jpg' },
    { product_id: '505bd76785ebb509fc183733', sku: '46493-32', name: 'Uno Card Game', price: 3, position: 2, category: 'Games' },
  ];
  const listedColumns = {
    products_product_id: ['507f1f77bcf86cd799439011', '505bd76785ebb509fc183733'],
    products_sku: ['45790-32', '46493-32'],
    products_name: ['Monopoly: 3rd Edition', 'Uno Card Game'],
    products_price: [19, 3],
    products_position: [1, 2],
    products_category: ['Games', 'Games'],
    products_url: ['https://www.example.com/product/path'],
    products_image_url: ['https://www.example.com/product/path.jpg'],
  };

  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ['Product List Viewed', { list_id: 'hot_deals_1', category: 'Deals', products: listed }, { list_id: 'hot_deals_1', category: 'Deals', ...listedColumns }],
    ['Product Clicked', monopoly, monopoly],
    ['Product Removed', { cart_id: 'ksjdj92dj29dj92d2j', ...monopoly }, { cart_id: 'ksjdj92dj29dj92d2j', ...monopoly }],
    ['Cart Viewed', { cart_id: 'd92jd29jd92jd29j92d92jd', products: listed }, { cart_id: 'd92jd29jd92jd29j92d92jd', ...listedColumns }],
    [
      'Payment Info Entered',
      { checkout_id: '39f39fj39f3jf93fj9fj39fj3f', order_id: 'dkfsjidfjsdifsdfksdjfkdsfjsdfkdsf', step: 3, shipping_method: 'Fedex', payment_method: 'Visa' },
      { checkout_id: '39f39fj39f3jf93fj9fj39fj3f', order_id: 'dkfsjidfjsdifsdfksdjfkdsfjsdfkdsf', step: 3, shipping_method: 'Fedex', payment_method: 'Visa' },
    ],
    [
      'Coupon Applied',
      { order_id: '50314b8e9bcf000000000000', cart_id: '923923929jd29jd92dj9j93fj3', coupon_id: 'may_deals_2016', coupon_name: 'May Deals 2016', discount: 23.32 },
      { order_id: '50314b8e9bcf000000000000', cart_id: '923923929jd29jd92dj9j93fj3', coupon_id: 'may_deals_2016', coupon_name: 'May Deals 2016', discount: 23.32 },
    ],
  ])('%s', (event, properties, attributes) => {
    const result = map({ type: 'track', userId: 'u_8842', event, properties, context: { traits: { email: 'jane@example.com' } } });
    expect(result.omissions).toEqual([]);
    expect(eventPayload([onlyEvent(result)])).toEqual({
      type: 'event',
      customer_id: 'u_8842',
      user_identifiers: { u_em: 'jane@example.com' },
      actions: [{ action: event, platform: 'web', attributes, user_time: AT, current_time: AT }],
    });
  });

  it('NESTED_ATTRIBUTES=object sends the products list as MoEngage objects', () => {
    const event = onlyEvent(map({ type: 'track', userId: 'u_1', event: 'Cart Viewed', properties: { cart_id: 'c-1', products: listed } }, 'retail', { nestedAttributes: 'object' }));
    expect(event.action.attributes).toEqual({ cart_id: 'c-1', products: listed });
  });
});

describe('event mapping (seed 004)', () => {
  it.each([
    ['Europe/London', '2026-11-28T10:00:00.000Z', 0],
    ['Europe/London', '2026-07-01T10:00:00.000Z', 3600],
    ['Asia/Kolkata', '2026-11-28T10:00:00.000Z', 19800],
    ['America/New_York', '2026-07-01T10:00:00.000Z', -14400],
    ['America/St_Johns', '2026-11-28T10:00:00.000Z', -12600],
    ['UTC', '2026-11-28T10:00:00.000Z', 0],
  ])('user_timezone_offset from context.timezone %s at %s = %i s', (timezone, timestamp, offset) => {
    const event = onlyEvent(map({ type: 'track', userId: 'u_1', event: 'Product Viewed', timestamp, context: { timezone } }));
    expect(event.action.user_timezone_offset).toBe(offset);
    expect(event.action.user_time).toBe(timestamp);
    expect(event.action.current_time).toBe(timestamp);
  });

  it('an unknown time zone is left out with the reason', () => {
    const result = map({ type: 'track', userId: 'u_1', event: 'Product Viewed', context: { timezone: 'Mars/Olympus_Mons' } });
    expect(onlyEvent(result).action).not.toHaveProperty('user_timezone_offset');
    expect(result.omissions).toEqual([{ reason: 'invalid_timezone', detail: 'context.timezone "Mars/Olympus_Mons" is not an IANA time zone; user_timezone_offset not sent' }]);
  });

  it('page views carry the page properties, name and category', () => {
    const event = onlyEvent(map({ type: 'page', userId: 'u_1', name: 'Pricing', category: 'Docs', properties: { path: '/pricing', url: 'https://shop.test/pricing' } }));
    expect(event.action).toMatchObject({ action: 'Page Viewed', attributes: { path: '/pricing', url: 'https://shop.test/pricing', name: 'Pricing', category: 'Docs' } });
  });

  it('a renamed property wins over one already named like its target, and the loser is recorded', () => {
    const result = map({ type: 'track', userId: 'u_1', event: 'Order Completed', properties: { value: 1, revenue: 2 } });
    expect(onlyEvent(result).action.attributes).toEqual({ value: 2 });
    expect(result.omissions).toEqual([{ reason: 'attribute_collision', detail: 'property value not sent: value comes from revenue' }]);
  });

  it('events without identity traits carry no user_identifiers', () => {
    expect(onlyEvent(map({ type: 'track', userId: 'u_1', event: 'Product Viewed' }))).not.toHaveProperty('user_identifiers');
  });
});
