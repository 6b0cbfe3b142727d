import type { BlueprintDefinition } from '../schema';
import { SEED_EVENTS, STANDARD_USER_ATTRIBUTES } from './seedDefaults';

/**
 * Retail / e-commerce: seed 004's default event mapping, with Retail's `revenue` → `value`.
 * A few more Segment e-commerce events are listed disabled, so a custom blueprint can switch
 * them on with `"Product Removed": true`.
 */
export const retail: BlueprintDefinition = {
  name: 'retail',
  description: 'Retail / e-commerce: browsing, search, cart, checkout, orders, accounts.',
  events: {
    ...SEED_EVENTS,
    'Product Removed': false,
    'Cart Viewed': false,
    'Order Refunded': { enabled: false, rename: { revenue: 'value' } },
  },
  userAttributes: STANDARD_USER_ATTRIBUTES,
};
