/**
 * MoEngage Data API payloads (seed 004 "Resulting MoEngage payload", seed 001 customer/bulk).
 * A mapped message becomes one DeliveryItem; the packer groups items into requests.
 */

export interface UserIdentifiers {
  u_em?: string;
  u_mb?: string;
}

export interface EventAction {
  action: string;
  platform: 'web';
  attributes: Record<string, unknown>;
  /** ISO 8601 of when the event happened (the message timestamp). */
  user_time?: string;
  current_time?: string;
  /** Seconds east of UTC at the visitor, when the tag sent a valid IANA timezone. */
  user_timezone_offset?: number;
}

/** One action of one user: `POST /v1/event/{ws}` carries one or more for the same customer. */
export interface EventItem {
  kind: 'event';
  customer_id: string;
  user_identifiers?: UserIdentifiers;
  action: EventAction;
}

/** A user profile update: `POST /v1/customer/{ws}` (Track User). */
export interface CustomerItem {
  kind: 'customer';
  customer_id: string;
  attributes: Record<string, unknown>;
}

/** Merge two profiles: `POST /v1/customer/merge`. */
export interface MergeItem {
  kind: 'merge';
  merged_user: string;
  retained_user: string;
}

export type DeliveryItem = EventItem | CustomerItem | MergeItem;

export interface EventPayload {
  type: 'event';
  customer_id: string;
  user_identifiers?: UserIdentifiers;
  actions: EventAction[];
}

export interface CustomerPayload {
  type: 'customer';
  customer_id: string;
  attributes: Record<string, unknown>;
}

export interface TransitionPayload {
  type: 'transition';
  elements: (EventPayload | CustomerPayload)[];
}

export interface MergePayload {
  merge_data: { merged_user: string; retained_user: string }[];
}

/** Events of one customer as one Create Event body (key order as in the seed's example). */
export function eventPayload(items: readonly EventItem[]): EventPayload {
  const first = items[0];
  if (!first) throw new RangeError('eventPayload needs at least one item');
  const identifiers: UserIdentifiers = {};
  for (const item of items) Object.assign(identifiers, item.user_identifiers);
  return {
    type: 'event',
    customer_id: first.customer_id,
    ...(Object.keys(identifiers).length ? { user_identifiers: identifiers } : {}),
    actions: items.map((item) => item.action),
  };
}

export function customerPayload(item: CustomerItem): CustomerPayload {
  return { type: 'customer', customer_id: item.customer_id, attributes: item.attributes };
}

/** Several elements as one bulk body (`POST /v1/transition/{ws}`, ≤ 100 KB). */
export function transitionPayload(elements: (EventPayload | CustomerPayload)[]): TransitionPayload {
  return { type: 'transition', elements };
}

/** Merges as one `POST /v1/customer/merge` body: `{"merge_data":[{"merged_user","retained_user"}]}`. */
export function mergePayload(items: readonly MergeItem[]): MergePayload {
  return { merge_data: items.map(({ merged_user, retained_user }) => ({ merged_user, retained_user })) };
}
