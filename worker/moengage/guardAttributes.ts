import type { Omission } from './omission';
import { hasReservedPrefix, MOENGAGE_LIMITS } from './limits';

/** What to do with a name starting with MoEngage's reserved `moe_`: strip the prefix (default) or drop it. */
export const MOE_PREFIX_POLICIES = ['rename', 'drop'] as const;
export type MoePrefixPolicy = (typeof MOE_PREFIX_POLICIES)[number];

/**
 * Nested objects: `flatten` (default) turns `{address: {city}}` into `address_city` and an array
 * of objects `{products: [{sku}, {sku}]}` into `products_sku: [..]`, which every MoEngage account
 * accepts; `object` sends them as they are, for workspaces with MoEngage's Object data type
 * (early access — without it, "attribute values sent as dictionary data types will be rejected").
 */
export const NESTED_POLICIES = ['flatten', 'object'] as const;
export type NestedPolicy = (typeof NESTED_POLICIES)[number];

export interface GuardOptions {
  moePrefix?: MoePrefixPolicy;
  nested?: NestedPolicy;
  /** Events: MoEngage ingests only the first 100 attributes. */
  maxAttributes?: number;
  /** Top-level `moe_` names MoEngage documents for this payload (moe_unsubscribe on Track User): kept as they are. */
  reservedAllowed?: ReadonlySet<string>;
}

type Primitive = string | number | boolean;
const MAX_DEPTH = 8;
const SEPARATOR = '_'; // MoEngage turns "." in names into spaces, so flattened names use "_".

/** Collects one note per reason, so 40 null properties make one readable omission, not 40. */
class Notes {
  private readonly byReason = new Map<string, string[]>();
  add(reason: string, note: string): void {
    const list = this.byReason.get(reason) ?? [];
    list.push(note);
    this.byReason.set(reason, list);
  }
  flush(omissions: Omission[], what: string): void {
    for (const [reason, notes] of this.byReason) {
      const shown = notes.length > 20 ? [...notes.slice(0, 20), `… ${notes.length - 20} more`] : notes;
      omissions.push({ reason, detail: `${what}: ${shown.join('; ')}` });
    }
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const codePoints = (s: string) => [...s].length;
const short = (name: string) => (name.length > 60 ? `${name.slice(0, 60)}…` : name);

function flattenInto(out: [string, unknown][], name: string, value: unknown, depth: number): void {
  if (isPlainObject(value) && depth < MAX_DEPTH) {
    for (const [k, v] of Object.entries(value)) flattenInto(out, `${name}${SEPARATOR}${k}`, v, depth + 1);
    return;
  }
  if (Array.isArray(value) && value.some(isPlainObject) && depth < MAX_DEPTH) {
    // Array of objects → one array per field ("columnar"): products_sku: ["A1", "B2"].
    const columns = new Map<string, unknown[]>();
    const loose: unknown[] = [];
    for (const element of value) {
      if (!isPlainObject(element)) {
        loose.push(element);
        continue;
      }
      const fields: [string, unknown][] = [];
      for (const [k, v] of Object.entries(element)) flattenInto(fields, k, v, depth + 1);
      for (const [k, v] of fields) {
        if (v == null) continue;
        const column = columns.get(k) ?? [];
        column.push(Array.isArray(v) ? JSON.stringify(v) : v);
        columns.set(k, column);
      }
    }
    if (loose.length) out.push([name, loose]);
    for (const [k, column] of columns) out.push([`${name}${SEPARATOR}${k}`, column]);
    return;
  }
  out.push([name, value]);
}

/** Strings ≤ 512 characters (URLs longer than that are dropped: MoEngage rejects them rather than truncating). */
function guardString(name: string, value: string, notes: Notes): string | undefined {
  // A string has no more code points than UTF-16 units: nearly every one is short enough uncounted.
  if (value.length <= MOENGAGE_LIMITS.maxStringLength) return value;
  const length = codePoints(value);
  if (length <= MOENGAGE_LIMITS.maxStringLength) return value;
  if (/^https?:\/\//i.test(value)) {
    notes.add('url_too_long', `dropped ${short(name)}, a ${length}-character URL (MoEngage rejects URLs over ${MOENGAGE_LIMITS.maxStringLength})`);
    return undefined;
  }
  notes.add('value_truncated', `${short(name)} cut from ${length} to ${MOENGAGE_LIMITS.maxStringLength} characters`);
  return [...value].slice(0, MOENGAGE_LIMITS.maxStringLength).join('');
}

function guardArray(name: string, value: unknown[], options: GuardOptions, notes: Notes): unknown[] | undefined {
  let items = value.filter((v) => v != null);
  if (items.length > MOENGAGE_LIMITS.maxArrayLength) {
    notes.add('array_truncated', `${short(name)} cut from ${items.length} to ${MOENGAGE_LIMITS.maxArrayLength} elements`);
    items = items.slice(0, MOENGAGE_LIMITS.maxArrayLength);
  }
  if (options.nested === 'object' && items.every(isPlainObject)) {
    return items.map((item) => guardObject(name, item as Record<string, unknown>, options, notes, 1));
  }
  // Arrays must hold one type: mixed ones (and nested arrays/objects left over) go as strings.
  const types = new Set(items.map((v) => typeof v));
  let primitives: Primitive[];
  if (types.size > 1 || items.some((v) => typeof v === 'object')) {
    notes.add('array_mixed_types', `${short(name)} holds mixed types, sent as strings`);
    primitives = items.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v)));
  } else {
    primitives = items as Primitive[];
  }
  return primitives.map((v, i) => (typeof v === 'string' ? (guardString(`${name}[${i}]`, v, notes) ?? '') : v));
}

function guardValue(name: string, value: unknown, options: GuardOptions, notes: Notes, depth: number): unknown {
  if (value == null) {
    notes.add('null_value', `dropped ${short(name)} (null)`);
    return undefined;
  }
  if (typeof value === 'string') return guardString(name, value, notes);
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return guardArray(name, value, options, notes);
  if (isPlainObject(value)) {
    if (options.nested === 'object' && depth < MAX_DEPTH) return guardObject(name, value, options, notes, depth + 1);
    // Only reached past MAX_DEPTH: too deep to be useful as attributes.
    return guardString(name, JSON.stringify(value), notes);
  }
  notes.add('invalid_value', `dropped ${short(name)} (${typeof value})`);
  return undefined;
}

/** Names inside objects (NESTED_ATTRIBUTES=object) obey the same prefix and length rules. */
function guardObject(path: string, value: Record<string, unknown>, options: GuardOptions, notes: Notes, depth: number): Record<string, unknown> {
  return guardEntries(Object.entries(value), options, notes, depth, `${path}.`);
}

function guardEntries(entries: [string, unknown][], options: GuardOptions, notes: Notes, depth: number, prefix = ''): Record<string, unknown> {
  const reserved = (name: string) => hasReservedPrefix(name) && !(prefix === '' && options.reservedAllowed?.has(name));
  const plainNames = new Set(entries.map(([k]) => k).filter((k) => !reserved(k)));
  const out: Record<string, unknown> = {};
  for (const [raw, value] of entries) {
    let name = raw;
    if (reserved(name)) {
      let stripped = name;
      while (hasReservedPrefix(stripped)) stripped = stripped.slice(MOENGAGE_LIMITS.reservedPrefix.length);
      if (options.moePrefix === 'drop') {
        notes.add('reserved_prefix', `dropped ${prefix}${short(raw)} (moe_ is reserved by MoEngage)`);
        continue;
      }
      if (!stripped || plainNames.has(stripped) || Object.hasOwn(out, stripped)) {
        notes.add('reserved_prefix', `dropped ${prefix}${short(raw)} (moe_ is reserved by MoEngage, and "${stripped}" ${stripped ? 'is taken' : 'is empty'})`);
        continue;
      }
      notes.add('reserved_prefix', `renamed ${prefix}${short(raw)} → ${stripped} (moe_ is reserved by MoEngage)`);
      name = stripped;
    }
    if (name.length > MOENGAGE_LIMITS.maxNameLength) {
      notes.add('attribute_name_too_long', `dropped ${prefix}${short(name)} (${name.length} characters; MoEngage allows ${MOENGAGE_LIMITS.maxNameLength})`);
      continue;
    }
    if (name === '') {
      notes.add('invalid_name', `dropped an attribute with an empty name`);
      continue;
    }
    const guarded = guardValue(`${prefix}${name}`, value, options, notes, depth);
    if (guarded !== undefined) out[name] = guarded;
  }
  return out;
}

/**
 * Makes attributes safe for MoEngage: reserved `moe_` names renamed or dropped, names ≤ 200
 * characters, strings ≤ 512, arrays ≤ 50 of one type, nested objects flattened or kept, nulls
 * left out, at most `maxAttributes`. Every change is recorded in `omissions` with its reason.
 */
export function guardAttributes(
  attributes: Record<string, unknown>,
  options: GuardOptions,
  omissions: Omission[],
  what: string,
): Record<string, unknown> {
  const notes = new Notes();
  const entries: [string, unknown][] = [];
  if ((options.nested ?? 'flatten') === 'flatten') for (const [k, v] of Object.entries(attributes)) flattenInto(entries, k, v, 0);
  else entries.push(...Object.entries(attributes));

  let out = guardEntries(entries, { ...options, nested: options.nested ?? 'flatten' }, notes, 0);
  const names = Object.keys(out);
  if (options.maxAttributes !== undefined && names.length > options.maxAttributes) {
    const dropped = names.slice(options.maxAttributes);
    out = Object.fromEntries(Object.entries(out).slice(0, options.maxAttributes));
    const listed = dropped.length > 20 ? `${dropped.slice(0, 20).join(', ')} … ${dropped.length - 20} more` : dropped.join(', ');
    notes.add('too_many_attributes', `kept the first ${options.maxAttributes} of ${names.length}, dropped ${listed}`);
  }
  notes.flush(omissions, what);
  return out;
}
