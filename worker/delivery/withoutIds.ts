/**
 * Pure: a stored request or answer with nothing left of the erased ids. A request to MoEngage may
 * carry several users (a bulk `elements` list, a merge's pairs): every array element that mentions
 * an erased id anywhere inside goes, and a value equal to one that is not inside such an element
 * (a single-user body's `customer_id`) reads `[erased]`. Other users' data stays as it was sent.
 */
export const ERASED = '[erased]';

export function withoutIds(value: unknown, ids: ReadonlySet<string>): unknown {
  if (typeof value === 'string') return ids.has(value) ? ERASED : value;
  if (Array.isArray(value)) return value.filter((v) => !mentions(v, ids)).map((v) => withoutIds(v, ids));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutIds(v, ids)]));
  return value;
}

/** Whether any string inside `value` is one of `ids`. */
export function mentions(value: unknown, ids: ReadonlySet<string>): boolean {
  if (typeof value === 'string') return ids.has(value);
  if (Array.isArray(value)) return value.some((v) => mentions(v, ids));
  if (value && typeof value === 'object') return Object.values(value).some((v) => mentions(v, ids));
  return false;
}
