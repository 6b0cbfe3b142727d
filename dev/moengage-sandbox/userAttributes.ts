import { MoEngageError } from './responses';

/**
 * The standard user attributes MoEngage's Track User API documents by request key (its "Standard
 * User Attributes" table and Portfolio sample; RudderStack's MoEngage destination sends the same
 * keys), with the profile field each one fills. The sandbox keeps its own copy instead of importing
 * the collector's, so a wrong key in edgetag cannot pass both.
 *
 * Any other key is a custom attribute — MoEngage's internal names (`u_em`, `u_fn`, …) included:
 * a profile that got its email as `u_em` has an empty Email (Standard).
 *
 * Formats: MoEngage stores a date only in `YYYY-MM-DD` or `YYYY-MM-DDTHH:mm:ssZ` and keeps other
 * date text as a plain string; the sandbox refuses such values (and other wrong types) instead, so
 * a standard field edgetag fills is never silently a string.
 */
type Check = (value: unknown) => boolean;

const isText: Check = (v) => typeof v === 'string' && v.trim() !== '';
const isEmail: Check = (v) => typeof v === 'string' && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v);
/** Digits with an optional `+` (MoEngage's own example is `918888444411`); edgetag sends E.164. */
const isMobile: Check = (v) => typeof v === 'string' && /^\+?[1-9]\d{5,14}$/.test(v);
const isDate: Check = (v) => typeof v === 'string' && (/^\d{4}-\d{2}-\d{2}$/.test(v) || /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(v)) && Number.isFinite(Date.parse(v));
/** First/Last Seen also come as epoch milliseconds in MoEngage's samples (`"1756198118474"`). */
const isDateOrEpoch: Check = (v) => isDate(v) || (typeof v === 'number' && Number.isInteger(v) && v > 0) || (typeof v === 'string' && /^\d{10,13}$/.test(v));
const isNumber: Check = (v) => (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)));
const isBoolean: Check = (v) => typeof v === 'boolean';

interface Standard {
  /** The profile field (what the dashboard shows) this key fills. */
  field: string;
  check: Check;
  expected: string;
}

const text = (field: string): Standard => ({ field, check: isText, expected: 'non-empty text' });

export const STANDARD_KEYS: Readonly<Record<string, Standard>> = {
  name: text('name'),
  first_name: text('first_name'),
  last_name: text('last_name'),
  email: { field: 'email', check: isEmail, expected: 'an email address' },
  mobile: { field: 'mobile', check: isMobile, expected: 'a mobile number (E.164, e.g. +447700900123)' },
  // The identity-resolution samples set the same Mobile Number (Standard) through moe_mobile.
  moe_mobile: { field: 'mobile', check: isMobile, expected: 'a mobile number (E.164, e.g. +447700900123)' },
  gender: text('gender'),
  birthday: { field: 'birthday', check: isDate, expected: 'a date as YYYY-MM-DD or YYYY-MM-DDTHH:mm:ssZ' },
  age: { field: 'age', check: isNumber, expected: 'a number' },
  source: text('source'),
  created_time: { field: 'created_time', check: isDateOrEpoch, expected: 'YYYY-MM-DDTHH:mm:ssZ or epoch milliseconds' },
  last_seen: { field: 'last_seen', check: isDateOrEpoch, expected: 'YYYY-MM-DDTHH:mm:ssZ or epoch milliseconds' },
  transactions: { field: 'transactions', check: isNumber, expected: 'a number' },
  revenue: { field: 'revenue', check: isNumber, expected: 'a number' },
  moe_unsubscribe: { field: 'moe_unsubscribe', check: isBoolean, expected: 'true or false' },
  moe_spam: { field: 'moe_spam', check: isBoolean, expected: 'true or false' },
  moe_hard_bounce: { field: 'moe_hard_bounce', check: isBoolean, expected: 'true or false' },
  moe_wa_subscription: { field: 'moe_wa_subscription', check: isBoolean, expected: 'true or false' },
  moe_sub_w: { field: 'moe_sub_w', check: isBoolean, expected: 'true or false' },
  moe_sms_subscription: text('moe_sms_subscription'),
  moe_em_unsub_categories: text('moe_em_unsub_categories'),
};

export function standardKey(key: string): Standard | undefined {
  return Object.hasOwn(STANDARD_KEYS, key) ? STANDARD_KEYS[key] : undefined;
}

/** A standard key with a value MoEngage would not store in its field → 400 naming the attribute. */
export function checkStandardValue(key: string, value: unknown, path: string): void {
  const standard = standardKey(key);
  if (!standard || standard.check(value)) return;
  const got = typeof value === 'string' ? JSON.stringify(value) : Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  throw new MoEngageError(400, 'InvalidAttributeError', `Invalid attribute '${path}': the standard attribute "${key}" must be ${standard.expected}, got ${got}.`);
}
