import { MoEngageError } from './responses';
import { allowedLeadMs, MAX_TIMEZONE_OFFSET_SECONDS, parseEventTime } from './eventTime';
import { checkStandardValue, standardKey } from './userAttributes';

/** What a valid payload costs against the workspace's per-minute budgets. */
export interface Cost {
  events: number;
  customers: number;
  merges: number;
  /** Delete User requests (one user each). */
  deletions: number;
}

export interface ValidationContext {
  nowMs: number;
  futureToleranceMs: number;
}

type Json = Record<string, unknown>;

const missing = (path: string) =>
  new MoEngageError(400, 'MissingAttributeError', `Missing required attribute '${path}'.`);
const invalid = (path: string, why: string) =>
  new MoEngageError(400, 'InvalidAttributeError', `Invalid attribute '${path}': ${why}`);

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isAbsent = (v: unknown) => v === undefined || v === null || v === '';
const describe = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v === 'string' ? JSON.stringify(v) : typeof v);

/**
 * MoEngage: "You cannot use moe_ as a prefix while naming events, event attributes, or user
 * attributes" — it is a system prefix and offenders get blacklisted. The real API may accept and
 * drop silently; the sandbox refuses loudly so our mapping never ships one.
 */
const RESERVED_PREFIX = 'moe_';

/** MoEngage: "\"id\", \"_id\", and \"\" keywords are blocked and not to be used as user attribute names." */
const BLOCKED_USER_KEYS = new Set(['id', '_id', '']);

/** Documented as not allowed for `customer_id`: placeholder values that would merge strangers. */
const PLACEHOLDER_CUSTOMER_IDS = new Set(['unknown', 'guest', 'null', '0', '1', 'true', 'false', 'user_attribute_unique_id']);

function requireType(body: Json, expected: string, path: string): void {
  if (isAbsent(body.type)) throw missing(path);
  if (body.type !== expected) throw invalid(path, `must be "${expected}" (case-sensitive), got ${describe(body.type)}.`);
}

function requireCustomerId(body: Json, path: string): void {
  const id = body.customer_id;
  if (isAbsent(id) || (typeof id === 'string' && id.trim() === '')) throw missing(path);
  if (typeof id !== 'string') throw invalid(path, `must be a string, got ${describe(id)}.`);
  if (PLACEHOLDER_CUSTOMER_IDS.has(id.trim().toLowerCase())) {
    throw invalid(path, `${JSON.stringify(id)} is a placeholder value MoEngage does not allow as a customer_id.`);
  }
}

function requireName(value: unknown, path: string): string {
  if (isAbsent(value)) throw missing(path);
  if (typeof value !== 'string') throw invalid(path, `must be a string, got ${describe(value)}.`);
  if (value.trim() === '') throw missing(path);
  if (value.toLowerCase().startsWith(RESERVED_PREFIX)) {
    throw invalid(path, `${JSON.stringify(value)} uses the reserved prefix "${RESERVED_PREFIX}".`);
  }
  return value;
}

/** `user`: Track User attributes, where the documented standard keys (a few of them `moe_…`) must hold valid values. */
function checkAttributes(value: unknown, path: string, user = false): void {
  if (value === undefined) return;
  if (!isObject(value)) throw invalid(path, `must be a JSON object, got ${describe(value)}.`);
  for (const [key, v] of Object.entries(value)) {
    if (user && BLOCKED_USER_KEYS.has(key)) throw invalid(`${path}.${key}`, `${JSON.stringify(key)} is blocked as a user attribute name.`);
    if (user && standardKey(key)) {
      checkStandardValue(key, v, `${path}.${key}`);
      continue;
    }
    if (key.toLowerCase().startsWith(RESERVED_PREFIX)) {
      throw invalid(`${path}.${key}`, `attribute names must not use the reserved prefix "${RESERVED_PREFIX}".`);
    }
  }
}

function checkOptionalString(value: unknown, path: string): void {
  if (value !== undefined && typeof value !== 'string') throw invalid(path, `must be a string, got ${describe(value)}.`);
}

function checkOptionalObject(value: unknown, path: string): void {
  if (value !== undefined && !isObject(value)) throw invalid(path, `must be a JSON object, got ${describe(value)}.`);
}

function checkAction(action: unknown, path: string, ctx: ValidationContext): void {
  if (!isObject(action)) throw invalid(path, `must be a JSON object, got ${describe(action)}.`);
  requireName(action.action, `${path}.action`);
  checkAttributes(action.attributes, `${path}.attributes`);
  checkOptionalString(action.platform, `${path}.platform`);
  checkOptionalString(action.app_version, `${path}.app_version`);

  let offset: number | undefined;
  if (action.user_timezone_offset !== undefined) {
    const o = action.user_timezone_offset;
    if (typeof o !== 'number' || !Number.isFinite(o) || Math.abs(o) > MAX_TIMEZONE_OFFSET_SECONDS) {
      throw invalid(`${path}.user_timezone_offset`, `must be a number of seconds between -${MAX_TIMEZONE_OFFSET_SECONDS} and ${MAX_TIMEZONE_OFFSET_SECONDS}, got ${describe(o)}.`);
    }
    offset = o;
  }

  for (const field of ['current_time', 'user_time'] as const) {
    const raw = action[field];
    if (raw === undefined) continue;
    const at = parseEventTime(raw);
    if (at === null) throw invalid(`${path}.${field}`, `must be epoch seconds or an ISO 8601 string, got ${describe(raw)}.`);
    const lead = at - ctx.nowMs;
    if (lead > allowedLeadMs(field, ctx.futureToleranceMs, offset)) {
      throw invalid(
        `${path}.${field}`,
        `event is dated ${Math.round(lead / 1000)} s in the future; MoEngage rejects future-dated events (epoch values are seconds, not milliseconds).`,
      );
    }
  }
}

/** Body of POST /v1/event/{workspace} — or one `type: "event"` element of a transition. */
export function validateEvent(body: Json, ctx: ValidationContext, prefix = ''): Cost {
  requireType(body, 'event', `${prefix}type`);
  requireCustomerId(body, `${prefix}customer_id`);
  checkOptionalString(body.device_id, `${prefix}device_id`);
  checkOptionalObject(body.user_identifiers, `${prefix}user_identifiers`);
  const actions = body.actions;
  if (actions === undefined || actions === null) throw missing(`${prefix}actions`);
  if (!Array.isArray(actions)) throw invalid(`${prefix}actions`, `must be a list of actions, got ${describe(actions)}.`);
  if (actions.length === 0) throw invalid(`${prefix}actions`, 'must contain at least one action.');
  actions.forEach((a, i) => checkAction(a, `${prefix}actions[${i}]`, ctx));
  return { events: actions.length, customers: 0, merges: 0, deletions: 0 };
}

/** Body of POST /v1/customer/{workspace} — or one `type: "customer"` element of a transition. */
export function validateCustomer(body: Json, prefix = ''): Cost {
  requireType(body, 'customer', `${prefix}type`);
  requireCustomerId(body, `${prefix}customer_id`);
  checkOptionalObject(body.user_identifiers, `${prefix}user_identifiers`);
  checkAttributes(body.attributes, `${prefix}attributes`, true);
  return { events: 0, customers: 1, merges: 0, deletions: 0 };
}

/** MoEngage also takes `type: "device"` elements in bulk; edgetag never sends them, so they are only shape-checked. */
function validateDevice(body: Json, prefix: string): Cost {
  requireCustomerId(body, `${prefix}customer_id`);
  checkOptionalObject(body.attributes, `${prefix}attributes`);
  return { events: 0, customers: 0, merges: 0, deletions: 0 };
}

/**
 * Body of POST /v1/transition/{workspace}. The real bulk endpoint answers 200 to almost anything and
 * drops bad elements silently ("debugging should be done on the user profile"); the sandbox
 * validates every element and rejects the whole batch instead, so a bad element fails a test.
 */
export function validateTransition(body: Json, ctx: ValidationContext): Cost {
  requireType(body, 'transition', 'type');
  const elements = body.elements;
  if (elements === undefined || elements === null) throw missing('elements');
  if (!Array.isArray(elements)) throw invalid('elements', `must be a list, got ${describe(elements)}.`);
  if (elements.length === 0) throw invalid('elements', 'must contain at least one element.');
  const total: Cost = { events: 0, customers: 0, merges: 0, deletions: 0 };
  elements.forEach((element, i) => {
    const prefix = `elements[${i}].`;
    if (!isObject(element)) throw invalid(`elements[${i}]`, `must be a JSON object, got ${describe(element)}.`);
    let cost: Cost;
    switch (element.type) {
      case 'event':
        cost = validateEvent(element, ctx, prefix);
        break;
      case 'customer':
        cost = validateCustomer(element, prefix);
        break;
      case 'device':
        cost = validateDevice(element, prefix);
        break;
      default:
        if (isAbsent(element.type)) throw missing(`${prefix}type`);
        throw invalid(`${prefix}type`, `must be "event", "customer" or "device" (case-sensitive), got ${describe(element.type)}.`);
    }
    total.events += cost.events;
    total.customers += cost.customers;
  });
  return total;
}

/** Body of POST /v1/customer/merge: `{"merge_data":[{"merged_user":"…","retained_user":"…"}]}`. */
export function validateMerge(body: Json): Cost {
  const pairs = body.merge_data;
  if (pairs === undefined || pairs === null) throw missing('merge_data');
  if (!Array.isArray(pairs)) throw invalid('merge_data', `must be a list of {merged_user, retained_user}, got ${describe(pairs)}.`);
  if (pairs.length === 0) throw invalid('merge_data', 'must contain at least one pair.');
  pairs.forEach((pair, i) => {
    const path = `merge_data[${i}]`;
    if (!isObject(pair)) throw invalid(path, `must be a JSON object, got ${describe(pair)}.`);
    for (const field of ['merged_user', 'retained_user'] as const) {
      const v = pair[field];
      if (isAbsent(v)) throw missing(`${path}.${field}`);
      if (typeof v !== 'string') throw invalid(`${path}.${field}`, `must be a string, got ${describe(v)}.`);
    }
    if (pair.merged_user === pair.retained_user) throw invalid(path, 'merged_user and retained_user must differ.');
  });
  return { events: 0, customers: 0, merges: pairs.length, deletions: 0 };
}

export function requireJsonObject(body: unknown): Json {
  if (!isObject(body)) throw invalid('(body)', `must be a JSON object, got ${describe(body)}.`);
  return body;
}
