/**
 * JSON numbers a double cannot hold exactly (12345678901234567890 parses as …568000; a 20-digit
 * decimal loses its tail) are kept as their digits, as strings, instead of being rounded: a user id
 * rounded to its neighbour is another person, a property rounded is a different value sent to
 * MoEngage. V8's JSON.parse hands a reviver each number's source text (`context.source`), so no
 * second parser is needed. Which values were kept as text is reported by path, for the debugger.
 */

export interface KeptAsText {
  /** Dotted path from the root of the parsed body (`batch.3.properties.order_ref`). */
  path: string;
  /** The number as written. */
  digits: string;
}

/** Ids are strings to us: an integer id beyond 2^53 becomes its digits even when a double holds it exactly. */
const ID_KEYS = new Set(['userId', 'anonymousId', 'groupId', 'previousId']);

/** 16 or more digits (a dot may sit among them), or a 3-digit exponent: the only numbers that can lose digits. */
const LONG_NUMBER = /\d[\d.]{15}|\d[eE][-+]?\d{3}/;

type Reviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;

/** JSON.parse, keeping inexact numbers as their digits. Throws JSON.parse's SyntaxError. */
export function parseExact(text: string): { value: unknown; keptAsText: KeptAsText[] } {
  // The reviver costs a call per value: only bodies that hold a long digit run pay it.
  if (!LONG_NUMBER.test(text)) return { value: JSON.parse(text), keptAsText: [] };
  // Paths of kept values, per object they were found in, joined upwards as the reviver climbs
  // (it is called bottom-up, and last of all for the root, with `this` the wrapper {"": root}).
  const below = new Map<object, { path: string[]; digits: string }[]>();
  let holder: object = {};
  const reviver: Reviver = function (key, value, context) {
    holder = this as object;
    let found: { path: string[]; digits: string }[] | undefined;
    if (typeof value === 'number' && context?.source !== undefined && keepAsText(key, value, context.source)) {
      found = [{ path: [key], digits: context.source }];
      value = context.source;
    } else if (value !== null && typeof value === 'object' && below.has(value)) {
      found = below.get(value)!.map((k) => ({ path: [key, ...k.path], digits: k.digits }));
      below.delete(value);
    }
    if (found) below.set(holder, [...(below.get(holder) ?? []), ...found]);
    return value;
  };
  const value: unknown = JSON.parse(text, reviver as (key: string, value: unknown) => unknown);
  const kept = below.get(holder) ?? [];
  // Drop the root's own key ('') from each path.
  return { value, keptAsText: kept.map((k) => ({ path: k.path.slice(1).join('.'), digits: k.digits })) };
}

function keepAsText(key: string, value: number, source: string): boolean {
  if (!Number.isFinite(value)) return false; // 1e400: refused as invalid_number by the shape check
  // An id written as plain digits keeps them; one in exponent notation or with a fraction is no id.
  if (ID_KEYS.has(key)) return /^-?\d+$/.test(source) && !Number.isSafeInteger(value);
  return decimalKey(source) !== decimalKey(String(value));
}

/** A number's decimal value as `sign digits e exponent`, without leading or trailing zeros. */
export function decimalKey(text: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return text;
  const [, sign, int = '', frac = '', exp = '0'] = m;
  let digits = (int + frac).replace(/^0+/, '');
  if (!digits) return '0';
  let exponent = Number(exp) - frac.length;
  while (digits.endsWith('0')) {
    digits = digits.slice(0, -1);
    exponent++;
  }
  return `${sign}${digits}e${exponent}`;
}

/** A message's top-level ids: kept as their digits silently, as every id is a string to us. */
const MESSAGE_IDS = new Set([...ID_KEYS, 'messageId']);

/**
 * The debugger notes for one message: each property, trait or context value kept as text, by its
 * path inside the message (`prefix` is the message's own path in the body: `batch.3.`, or '').
 */
export function keptAsTextNotes(kept: readonly KeptAsText[], prefix: string): { reason: string; detail: string }[] {
  const notes: { reason: string; detail: string }[] = [];
  for (const { path, digits } of kept) {
    if (!path.startsWith(prefix)) continue;
    const inside = path.slice(prefix.length);
    if (MESSAGE_IDS.has(inside)) continue;
    notes.push({
      reason: 'number_kept_as_text',
      detail: `${inside}: ${digits.slice(0, 80)} has more digits than a number holds exactly; sent as the text "${digits.slice(0, 80)}" so no digit changes`,
    });
  }
  return notes;
}
