import type { BlueprintDefinition } from '../schema';

/**
 * Standard traits → MoEngage standard user attributes (seed 004 identity table and MoEngage's
 * Track User keys). Both the seed's snake_case and Segment's camelCase trait names are read.
 */
export const STANDARD_USER_ATTRIBUTES: Record<string, string> = {
  email: 'u_em',
  phone: 'u_mb',
  mobile: 'u_mb',
  first_name: 'u_fn',
  firstName: 'u_fn',
  last_name: 'u_ln',
  lastName: 'u_ln',
  name: 'u_n',
  gender: 'u_gd',
  birthday: 'u_bd',
};

/** Seed 004's default event mapping, which every preset starts from (Retail's `revenue` → `value`). */
export const SEED_EVENTS: BlueprintDefinition['events'] = {
  page: { action: 'Page Viewed' },
  'Products Searched': {},
  'Product Viewed': {},
  'Product Added': {},
  'Checkout Started': { rename: { revenue: 'value' } },
  'Order Completed': { rename: { revenue: 'value' } },
  'Signed Up': {},
  'Logged In': {},
  'Subscription Started': {},
};
