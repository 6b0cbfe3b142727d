import type { BlueprintDefinition } from '../schema';
import { SEED_EVENTS, STANDARD_TRAITS } from './seedDefaults';

/**
 * Retail / e-commerce: seed 004's default event mapping, with Retail's `revenue` → `value`, plus
 * Segment's e-commerce spec (V2) events MoEngage users segment and trigger on. Their properties go
 * under the spec's own names (`cart_id`, `coupon_id`, `discount`, …); a `products` list becomes one
 * array per product field (`products_sku: [..]`) unless NESTED_ATTRIBUTES=object. Order Refunded
 * is listed disabled, so a custom blueprint can switch it on with `"Order Refunded": true`.
 */
export const retail: BlueprintDefinition = {
  name: 'retail',
  description: 'Retail / e-commerce: browsing, search, cart, checkout, orders, accounts.',
  events: {
    ...SEED_EVENTS,
    'Product List Viewed': {},
    'Product Clicked': {},
    'Product Removed': {},
    'Cart Viewed': {},
    'Payment Info Entered': {},
    'Coupon Applied': {},
    'Order Refunded': { enabled: false, rename: { revenue: 'value' } },
  },
  userAttributes: STANDARD_TRAITS,
};
