/**
 * MoEngage refuses these as customer_id (placeholders that would merge strangers into one profile).
 * Compared case-insensitively after trimming.
 */
export const DISALLOWED_CUSTOMER_IDS: ReadonlySet<string> = new Set([
  '', 'unknown', 'guest', 'null', 'undefined', 'nil', 'none', 'na', 'n/a', '0', '1', '-1', 'true', 'false',
  'anonymous', 'user', 'test', '[object object]', 'nan', 'user_attribute_unique_id',
]);

export type CustomerIdResult = { ok: true; id: string } | { ok: false; reason: 'missing_customer_id' | 'disallowed_customer_id'; detail: string };

export function checkCustomerId(userId: string | null | undefined): CustomerIdResult {
  if (userId == null) return { ok: false, reason: 'missing_customer_id', detail: 'message has no userId' };
  const id = userId.trim();
  if (DISALLOWED_CUSTOMER_IDS.has(id.toLowerCase())) {
    return { ok: false, reason: 'disallowed_customer_id', detail: `userId "${userId}" is a placeholder MoEngage refuses` };
  }
  return { ok: true, id };
}
