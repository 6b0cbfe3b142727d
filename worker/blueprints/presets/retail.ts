import type { BlueprintInput } from '../schema';

/** Seed 004's default event mapping, with Retail's `revenue` → `value`. */
export const retail: BlueprintInput = {
  name: 'retail',
  description: 'Retail / e-commerce: browsing, cart, checkout, orders, accounts.',
  events: {
    page: { action: 'Page Viewed' },
    'Products Searched': {},
    'Product Viewed': {},
    'Product Added': {},
    'Checkout Started': { rename: { revenue: 'value' } },
    'Order Completed': { rename: { revenue: 'value' } },
    'Signed Up': {},
    'Logged In': {},
    'Subscription Started': {},
  },
  userAttributes: {
    first_name: 'u_fn',
    last_name: 'u_ln',
    name: 'u_n',
    email: 'u_em',
    phone: 'u_mb',
    gender: 'u_gd',
    birthday: 'u_bd',
  },
};
