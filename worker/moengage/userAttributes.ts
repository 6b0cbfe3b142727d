/**
 * MoEngage's standard user attributes as the Track User API (`POST /v1/customer/{ws}`) takes them:
 * the request keys of its "Standard User Attributes" table and of its Portfolio sample
 * (`name`, `first_name`, …, `created_time`, `last_seen`), which MoEngage stores under its own
 * internal names (`u_n`, `u_fn`, … `cr_t`, `u_l_a`) and shows as the dashboard names below. Any
 * other key, `u_em` included, becomes a custom attribute: a profile whose email went to `u_em` has
 * an empty Email (Standard), so email and SMS campaigns cannot reach it. docs/moengage.md.
 */

/** How a value must look for MoEngage to store it in the standard field. */
export type AttributeFormat = 'email' | 'phone' | 'text' | 'date' | 'datetime' | 'number' | 'boolean';

export interface StandardUserAttribute {
  /** What the MoEngage dashboard calls it. */
  label: string;
  format: AttributeFormat;
  /** Events carry this value in `user_identifiers` under this key (seed 004). */
  identifier?: 'u_em' | 'u_mb';
}

export const STANDARD_USER_ATTRIBUTES: Readonly<Record<string, StandardUserAttribute>> = {
  name: { label: 'Name', format: 'text' },
  first_name: { label: 'First Name', format: 'text' },
  last_name: { label: 'Last Name', format: 'text' },
  email: { label: 'Email (Standard)', format: 'email', identifier: 'u_em' },
  mobile: { label: 'Mobile Number (Standard)', format: 'phone', identifier: 'u_mb' },
  gender: { label: 'Gender', format: 'text' },
  birthday: { label: 'Birthday', format: 'date' },
  age: { label: 'Age', format: 'number' },
  source: { label: 'Source', format: 'text' },
  created_time: { label: 'First Seen', format: 'datetime' },
  last_seen: { label: 'Last Seen', format: 'datetime' },
  transactions: { label: 'No. of Conversions', format: 'number' },
  revenue: { label: 'LTV', format: 'number' },
  // The few `moe_` keys MoEngage documents as settable through Track User (its own reserved prefix).
  moe_unsubscribe: { label: 'Unsubscribe (Email)', format: 'boolean' },
  moe_mobile: { label: 'Mobile Number (Standard)', format: 'phone', identifier: 'u_mb' },
  moe_spam: { label: 'Spam (Email)', format: 'boolean' },
  moe_hard_bounce: { label: 'Hard Bounce (Email)', format: 'boolean' },
  moe_sms_subscription: { label: 'SMS Subscription Status', format: 'text' },
  moe_wa_subscription: { label: 'WhatsApp Subscription Status', format: 'boolean' },
  moe_em_unsub_categories: { label: 'Email Unsubscribed Categories', format: 'text' },
  moe_sub_w: { label: 'Web Push Subscription Status', format: 'boolean' },
};

export function standardUserAttribute(key: string): StandardUserAttribute | undefined {
  return Object.hasOwn(STANDARD_USER_ATTRIBUTES, key) ? STANDARD_USER_ATTRIBUTES[key] : undefined;
}

/** "\"id\", \"_id\", and \"\" keywords are blocked and not to be used as user attribute names." */
export const BLOCKED_USER_ATTRIBUTE_NAMES: ReadonlySet<string> = new Set(['id', '_id', '']);

/** `moe_` is MoEngage's reserved prefix, except for the standard keys above that carry it. */
export const DOCUMENTED_RESERVED_USER_KEYS: ReadonlySet<string> = new Set(Object.keys(STANDARD_USER_ATTRIBUTES).filter((k) => k.startsWith('moe_')));

/**
 * The standard fields a Track User body sets, with their dashboard names, in body order: what the
 * debugger shows for an identify.
 */
export function standardAttributesSet(attributes: Readonly<Record<string, unknown>>): { key: string; label: string }[] {
  return Object.keys(attributes).flatMap((key) => {
    const standard = standardUserAttribute(key);
    return standard ? [{ key, label: standard.label }] : [];
  });
}
