import type { AliasMessage, GroupMessage, IdentifyMessage, Message } from '../../shared/message';
import { checkCustomerId } from '../identity/customerId';
import { UNIDENTIFIED } from '../identity/heldCustomer';
import { type IdentityOptions, type Omission, traitsOf, userIdentifiers } from '../identity/identifiers';
import { profileAttributes } from '../identity/profile';
import { type AnonymousPolicy, type Customer, resolveCustomer } from '../identity/resolveCustomer';
import { type GuardOptions, guardAttributes, type MoePrefixPolicy, type NestedPolicy } from '../moengage/guardAttributes';
import { hasReservedPrefix, MOENGAGE_LIMITS } from '../moengage/limits';
import type { DeliveryItem, EventAction } from '../moengage/payloads';
import { compileCondition, evaluateCondition } from './evaluateCondition';
import { splitPath, takeAt, valueAt } from './path';
import { ANY_TRACK_EVENT, type Blueprint, type EventRule } from './schema';
import { ownEntry } from './ownEntry';
import { timezoneOffsetSeconds } from './time';

/** Per-connection choices that shape the mapping (worker/config: ANONYMOUS, PHONE_VALIDATION, …). */
export interface MappingOptions extends IdentityOptions {
  anonymous?: AnonymousPolicy;
  moePrefix?: MoePrefixPolicy;
  nestedAttributes?: NestedPolicy;
  /** Event time for a message without timestamp (ingest always sets one; previews may not). */
  now?: number;
}

/** What a message becomes: MoEngage items to send now, items held for an anonymous visitor, or a drop with its reason. */
export type MapResult =
  | { status: 'queued'; items: DeliveryItem[]; omissions: Omission[] }
  | { status: 'held'; items: DeliveryItem[]; omissions: Omission[] }
  | { status: 'dropped'; reason: string; detail: string; omissions: Omission[] };

/** The blueprint key of a message: its event name for `track`, else its type (`page`, `screen`). */
export function sourceEventOf(message: Message): string {
  return message.type === 'track' ? message.event : message.type;
}

/** customer_id of an item: UNIDENTIFIED while held (the DeliveryQueue fills it in when the visitor is identified). */
const customerIdOf = (customer: Exclude<Customer, { kind: 'rejected' }>) => (customer.kind === 'held' ? UNIDENTIFIED : customer.customerId);

/** Pure: one ingest message → the MoEngage items it becomes under a blueprint, or why it is dropped. */
export function mapMessage(message: Message, blueprint: Blueprint, options: MappingOptions = {}): MapResult {
  const omissions: Omission[] = [];
  switch (message.type) {
    case 'identify':
      return mapIdentify(message, blueprint, options, omissions);
    case 'alias':
      return mapAlias(message, omissions);
    case 'group':
      return mapGroup(message, blueprint, options, omissions);
    default:
      return mapEvent(message, blueprint, options, omissions);
  }
}

function dropped(reason: string, detail: string, omissions: Omission[]): MapResult {
  return { status: 'dropped', reason, detail, omissions };
}

function ready(customer: Customer, items: DeliveryItem[], omissions: Omission[]): MapResult {
  return { status: customer.kind === 'held' ? 'held' : 'queued', items, omissions };
}

const guardOptions = (options: MappingOptions, maxAttributes?: number): GuardOptions => ({
  moePrefix: options.moePrefix,
  nested: options.nestedAttributes,
  maxAttributes,
});

function mapIdentify(message: IdentifyMessage, blueprint: Blueprint, options: MappingOptions, omissions: Omission[]): MapResult {
  const customer = resolveCustomer(message, options.anonymous);
  if (customer.kind === 'rejected') return dropped(customer.reason, customer.detail, omissions);
  const attributes = profileAttributes(traitsOf(message), blueprint, { ...options, ...guardOptions(options) }, omissions);
  const items: DeliveryItem[] = [{ kind: 'customer', customer_id: customerIdOf(customer), attributes }];
  // ANONYMOUS=customer: the visitor's anonymous profile joins the real one (after its attributes are set).
  if (customer.kind === 'known' && options.anonymous === 'customer' && message.anonymousId != null) {
    const anonymous = checkCustomerId(message.anonymousId, 'anonymousId');
    if (anonymous.ok && anonymous.id !== customer.customerId) items.push({ kind: 'merge', merged_user: anonymous.id, retained_user: customer.customerId });
  }
  return ready(customer, items, omissions);
}

/** alias(userId, previousId) → MoEngage merge: previousId's profile is merged into userId's. */
function mapAlias(message: AliasMessage, omissions: Omission[]): MapResult {
  const retained = checkCustomerId(message.userId);
  if (!retained.ok) return dropped(retained.reason, retained.detail, omissions);
  const merged = checkCustomerId(message.previousId, 'previousId');
  if (!merged.ok) return dropped(merged.reason, merged.detail, omissions);
  if (merged.id === retained.id) return dropped('alias_same_user', `previousId and userId are both "${retained.id}": nothing to merge`, omissions);
  return { status: 'queued', items: [{ kind: 'merge', merged_user: merged.id, retained_user: retained.id }], omissions };
}

/** group (B2B): MoEngage has no accounts, so the account's traits become company_* attributes of the user. */
function mapGroup(message: GroupMessage, blueprint: Blueprint, options: MappingOptions, omissions: Omission[]): MapResult {
  const group = blueprint.group;
  if (!group || group.enabled === false) {
    return dropped('not_in_blueprint', `group calls are not enabled in blueprint "${blueprint.name}"`, omissions);
  }
  const customer = resolveCustomer(message, options.anonymous);
  if (customer.kind === 'rejected') return dropped(customer.reason, customer.detail, omissions);
  const attributes: Record<string, unknown> = { [group.idAttribute ?? 'company_id']: message.groupId };
  const rest: Record<string, unknown> = { ...(message.traits ?? {}) };
  for (const [path, attribute] of Object.entries(group.attributes ?? {})) {
    const value = takeAt(rest, splitPath(path));
    if (value !== undefined && !Object.hasOwn(attributes, attribute)) attributes[attribute] = value;
  }
  const unmapped = Object.keys(rest);
  if (unmapped.length) omissions.push({ reason: 'traits_not_in_blueprint', detail: `group traits not in the blueprint, not sent: ${unmapped.join(', ')}` });
  const guarded = guardAttributes(attributes, guardOptions(options), omissions, 'user attributes');
  return ready(customer, [{ kind: 'customer', customer_id: customerIdOf(customer), attributes: guarded }], omissions);
}

function ruleFor(message: Message, blueprint: Blueprint): { key: string; rule: EventRule | undefined; action: string } {
  const key = sourceEventOf(message);
  const listed = ownEntry(blueprint.events, key);
  if (listed) return { key, rule: listed, action: listed.action ?? key };
  const any = message.type === 'track' ? ownEntry(blueprint.events, ANY_TRACK_EVENT) : undefined;
  return { key, rule: any, action: key };
}

/** An action name that came from the site (via `*`) rather than the checked blueprint. */
function guardActionName(action: string, options: MappingOptions, omissions: Omission[]): { ok: true; action: string } | { ok: false; reason: string; detail: string } {
  let name = action;
  if (name.trim() === '') {
    return { ok: false, reason: 'blank_action_name', detail: `event name ${JSON.stringify(action)} is blank; MoEngage refuses an action without a name` };
  }
  if (hasReservedPrefix(name)) {
    const stripped = name.replace(/^(moe_)+/i, '');
    if (options.moePrefix === 'drop' || !stripped) {
      return { ok: false, reason: 'reserved_prefix', detail: `event name "${action}" starts with moe_, reserved by MoEngage` };
    }
    omissions.push({ reason: 'reserved_prefix', detail: `event name "${action}" renamed to "${stripped}" (moe_ is reserved by MoEngage)` });
    name = stripped;
  }
  if (name.length > MOENGAGE_LIMITS.maxNameLength) {
    return { ok: false, reason: 'event_name_too_long', detail: `event name is ${name.length} characters; MoEngage allows ${MOENGAGE_LIMITS.maxNameLength}` };
  }
  return { ok: true, action: name };
}

function eventAttributes(properties: Record<string, unknown>, traits: Record<string, unknown>, rule: EventRule, omissions: Omission[]): Record<string, unknown> {
  const rename = rule.rename ?? {};
  const exclude = new Set(rule.exclude ?? []);
  const attributes: Record<string, unknown> = {};
  const sourceOf = new Map<string, string>();
  for (const [key, value] of Object.entries(properties)) {
    if (exclude.has(key)) continue;
    const target = ownEntry(rename, key) ?? key;
    const earlier = sourceOf.get(target);
    if (earlier === undefined) {
      attributes[target] = value;
      sourceOf.set(target, key);
    } else if (ownEntry(rename, key) && !ownEntry(rename, earlier)) {
      // A renamed property wins over one already called so: revenue → value beats a `value` property.
      omissions.push({ reason: 'attribute_collision', detail: `property ${earlier} not sent: ${target} comes from ${key}` });
      attributes[target] = value;
      sourceOf.set(target, key);
    } else {
      omissions.push({ reason: 'attribute_collision', detail: `property ${key} not sent: ${target} comes from ${earlier}` });
    }
  }
  for (const [path, attribute] of Object.entries(rule.traits ?? {})) {
    const value = valueAt(traits, splitPath(path));
    if (value !== undefined && !Object.hasOwn(attributes, attribute)) attributes[attribute] = value;
  }
  return attributes;
}

function mapEvent(message: Message, blueprint: Blueprint, options: MappingOptions, omissions: Omission[]): MapResult {
  const { key, rule, action: actionName } = ruleFor(message, blueprint);
  if (!rule) return dropped('not_in_blueprint', `"${key}" is not in blueprint "${blueprint.name}"`, omissions);
  if (rule.enabled === false) return dropped('not_in_blueprint', `"${key}" is disabled in blueprint "${blueprint.name}"`, omissions);

  const properties: Record<string, unknown> = { ...('properties' in message && message.properties ? message.properties : {}) };
  if ((message.type === 'page' || message.type === 'screen') && message.name) properties.name ??= message.name;
  if (message.type === 'page' && message.category) properties.category ??= message.category;
  const traits = traitsOf(message);

  if (rule.filter) {
    const scope = { properties, traits, message: message as Record<string, unknown> };
    if (!evaluateCondition(compileCondition(rule.filter), scope)) {
      return dropped('filtered', `filter "${rule.filter}" is false for this event`, omissions);
    }
  }
  const customer = resolveCustomer(message, options.anonymous);
  if (customer.kind === 'rejected') return dropped(customer.reason, customer.detail, omissions);
  const name = guardActionName(actionName, options, omissions);
  if (!name.ok) return dropped(name.reason, name.detail, omissions);

  const attributes = guardAttributes(
    eventAttributes(properties, traits, rule, omissions),
    guardOptions(options, MOENGAGE_LIMITS.maxEventAttributes),
    omissions,
    `"${name.action}" attributes`,
  );
  const at = new Date(message.timestamp ?? options.now ?? Date.now());
  const action: EventAction = {
    action: name.action,
    platform: 'web',
    attributes,
    user_time: at.toISOString(),
    current_time: at.toISOString(),
  };
  const timezone = message.context?.timezone;
  const offset = timezoneOffsetSeconds(timezone, at);
  if (offset !== undefined) action.user_timezone_offset = offset;
  else if (timezone) omissions.push({ reason: 'invalid_timezone', detail: `context.timezone "${timezone}" is not an IANA time zone; user_timezone_offset not sent` });

  const ids = userIdentifiers(traits, blueprint.userAttributes ?? {}, options, omissions);
  return ready(customer, [
    {
      kind: 'event',
      customer_id: customerIdOf(customer),
      ...(Object.keys(ids).length ? { user_identifiers: ids } : {}),
      action,
    },
  ], omissions);
}
