import type { BlueprintDefinition } from '../schema';

/**
 * Traits → MoEngage's documented Track User keys (moengage/userAttributes.ts), read under the names
 * Segment and RudderStack users write them: the seed's snake_case, Segment's camelCase spec traits
 * (`firstName`, `createdAt`) and RudderStack's lowercase ones (`firstname`). Events carry the email
 * and mobile as seed 004's `user_identifiers` u_em and u_mb. Earlier versions sent the u_* keys.
 */
export const STANDARD_TRAITS: Record<string, string> = {
  email: 'email',
  phone: 'mobile',
  mobile: 'mobile',
  first_name: 'first_name',
  firstName: 'first_name',
  firstname: 'first_name',
  last_name: 'last_name',
  lastName: 'last_name',
  lastname: 'last_name',
  name: 'name',
  gender: 'gender',
  birthday: 'birthday',
  birthdate: 'birthday',
  age: 'age',
  createdAt: 'created_time',
  created_at: 'created_time',
  lastSeen: 'last_seen',
  last_seen: 'last_seen',
  transactions: 'transactions',
  revenue: 'revenue',
  moeUnsubscribe: 'moe_unsubscribe',
  moe_unsubscribe: 'moe_unsubscribe',
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
