import type { Message } from '../../shared/message';
import { checkCustomerId } from '../identity/customerId';
import { type IdentityOptions, type Omission, traitsOf, userIdentifiers } from '../identity/identifiers';
import type { DeliveryItem, EventAction } from '../moengage/payloads';
import type { Blueprint } from './schema';
import { timezoneOffsetSeconds } from './time';

export type MapResult =
  | { ok: true; items: DeliveryItem[]; omissions: Omission[] }
  | { ok: false; reason: string; detail: string; omissions: Omission[] };

/** A blueprint lookup by a name from the message: own entries only ("toString" must not find Object.prototype's). */
function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** MoEngage reserves `moe_` for its own attributes (and blacklists senders of it): left out, and said so. */
function setAttribute(attributes: Record<string, unknown>, name: string, value: unknown, omissions: Omission[]): void {
  if (name.toLowerCase().startsWith('moe_')) omissions.push({ reason: 'reserved_attribute', detail: `${name}: MoEngage reserves the moe_ prefix` });
  else attributes[name] = value;
}

/** The blueprint key of a message: its event name, or `page` for page calls. */
export function sourceEventOf(message: Message): string {
  return message.type === 'track' ? message.event : message.type;
}

/** Pure: one ingest message → the MoEngage items it becomes under a blueprint, or why it is dropped. */
export function mapMessage(message: Message, blueprint: Blueprint, options: IdentityOptions = {}): MapResult {
  const omissions: Omission[] = [];
  const drop = (reason: string, detail: string): MapResult => ({ ok: false, reason, detail, omissions });

  if (message.type === 'identify') {
    const customer = checkCustomerId(message.userId);
    if (!customer.ok) return drop(customer.reason, customer.detail);
    const traits = traitsOf(message);
    const attributes: Record<string, unknown> = {};
    const ids = userIdentifiers(traits, options, omissions);
    for (const [trait, value] of Object.entries(traits)) {
      if (trait === 'email' || trait === 'phone' || trait === 'mobile') continue;
      setAttribute(attributes, own(blueprint.userAttributes, trait) ?? trait, value, omissions);
    }
    if (ids.u_em) attributes.u_em = ids.u_em;
    if (ids.u_mb) attributes.u_mb = ids.u_mb;
    return { ok: true, items: [{ kind: 'customer', customer_id: customer.id, attributes }], omissions };
  }

  if (message.type !== 'track' && message.type !== 'page') {
    return drop('unsupported_type', `${message.type} messages are not delivered to MoEngage yet`);
  }

  const source = sourceEventOf(message);
  const rule = own(blueprint.events, source);
  if (!rule || !rule.enabled) {
    return drop('not_in_blueprint', `"${source}" is not enabled in blueprint "${blueprint.name}"`);
  }
  const customer = checkCustomerId(message.userId);
  if (!customer.ok) return drop(customer.reason, customer.detail);

  const properties: Record<string, unknown> = { ...(message.properties ?? {}) };
  if (message.type === 'page' && message.name) properties.name ??= message.name;
  const attributes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(properties)) setAttribute(attributes, own(rule.rename, key) ?? key, value, omissions);

  const at = new Date(message.timestamp ?? Date.now());
  const action: EventAction = {
    action: rule.action ?? source,
    platform: 'web',
    attributes,
    user_time: at.toISOString(),
    current_time: at.toISOString(),
  };
  const offset = timezoneOffsetSeconds(message.context?.timezone, at);
  if (offset !== undefined) action.user_timezone_offset = offset;

  const ids = userIdentifiers(traitsOf(message), options, omissions);
  return {
    ok: true,
    items: [
      {
        kind: 'event',
        customer_id: customer.id,
        ...(Object.keys(ids).length ? { user_identifiers: ids } : {}),
        action,
      },
    ],
    omissions,
  };
}
