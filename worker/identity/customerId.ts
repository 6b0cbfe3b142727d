/**
 * Values MoEngage refuses as a unique id ("The following values are not allowed in the UniqueID
 * field", MoEngage SDK docs): placeholders that would merge strangers into one profile. Plus what
 * JavaScript makes of a missing value (`undefined`, `NaN`, `[object Object]`) and `anonymous`.
 * Compared case-insensitively after trimming.
 */
export const DISALLOWED_CUSTOMER_IDS: ReadonlySet<string> = new Set([
  // MoEngage's list
  'unknown', 'guest', 'null', '0', '1', '2', '-1', '-2', 'true', 'false', 'user_attribute_unique_id', '(empty)',
  'na', 'n/a', '', 'dummy_seller_code', 'user_id', 'id', 'customer_id', 'uid', 'userid', 'none',
  // what code produces when the id is missing
  'undefined', 'nil', 'nan', '[object object]', 'anonymous',
]);

export type CustomerIdResult =
  | { ok: true; id: string }
  | { ok: false; reason: 'missing_customer_id' | 'disallowed_customer_id'; detail: string };

/** `userId` (or, with ANONYMOUS=customer, `anonymousId`) as a MoEngage customer_id, or why it cannot be one. */
export function checkCustomerId(value: string | null | undefined, field = 'userId'): CustomerIdResult {
  if (value == null) return { ok: false, reason: 'missing_customer_id', detail: `message has no ${field}` };
  const id = value.trim();
  if (DISALLOWED_CUSTOMER_IDS.has(id.toLowerCase())) {
    return {
      ok: false,
      reason: 'disallowed_customer_id',
      detail: id ? `${field} "${value}" is a placeholder MoEngage does not allow as customer_id` : `${field} is blank`,
    };
  }
  return { ok: true, id };
}
