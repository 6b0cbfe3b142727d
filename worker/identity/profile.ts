import type { Blueprint } from '../blueprints/schema';
import { splitPath, takeAt } from '../blueprints/path';
import { type GuardOptions, guardAttributes } from '../moengage/guardAttributes';
import { BLOCKED_USER_ATTRIBUTE_NAMES, DOCUMENTED_RESERVED_USER_KEYS } from '../moengage/userAttributes';
import { type IdentityOptions, type Omission, standardValue } from './standardAttributes';

/**
 * identify traits → MoEngage Track User attributes under the keys the blueprint's `userAttributes`
 * name: the presets use MoEngage's documented standard keys (email, mobile in E.164, first_name,
 * last_name, name, gender, birthday in ISO 8601, created_time, … moengage/userAttributes.ts), each
 * value put in its key's format. The remaining traits are sent under their own names
 * (`otherTraits: "send"`, the default) or listed as omitted (`"ignore"`).
 */
export function profileAttributes(
  traits: Record<string, unknown>,
  blueprint: Pick<Blueprint, 'userAttributes' | 'otherTraits'>,
  options: IdentityOptions & GuardOptions,
  omissions: Omission[],
): Record<string, unknown> {
  const rest: Record<string, unknown> = { ...traits };
  const attributes: Record<string, unknown> = {};
  for (const [path, attribute] of Object.entries(blueprint.userAttributes ?? {})) {
    const value = takeAt(rest, splitPath(path));
    if (value === undefined) continue;
    if (Object.hasOwn(attributes, attribute)) {
      omissions.push({ reason: 'duplicate_trait', detail: `trait ${path} not sent: ${attribute} is already set from another trait` });
      continue;
    }
    if (value === null) {
      attributes[attribute] = null; // left out (and recorded) by the guard below
      continue;
    }
    const standard = standardValue(attribute, value, `trait ${path}`, options, omissions);
    if (standard !== undefined) attributes[attribute] = standard;
  }
  // MoEngage: "id", "_id" and "" are blocked as user attribute names (Segment's `id` trait is the userId anyway).
  const blocked = Object.keys(rest).filter((name) => BLOCKED_USER_ATTRIBUTE_NAMES.has(name));
  for (const name of blocked) delete rest[name];
  if (blocked.length) omissions.push({ reason: 'blocked_attribute_name', detail: `not sent: ${blocked.map((n) => JSON.stringify(n)).join(', ')} (MoEngage blocks these user attribute names)` });
  const others = Object.keys(rest);
  if (blueprint.otherTraits === 'ignore') {
    if (others.length) omissions.push({ reason: 'traits_not_in_blueprint', detail: `not sent (otherTraits: "ignore"): ${others.join(', ')}` });
  } else {
    for (const name of others) {
      if (Object.hasOwn(attributes, name)) continue;
      // A trait already called by a standard key's name still has to take that key's format.
      const value = rest[name] == null ? rest[name] : standardValue(name, rest[name], `trait ${name}`, options, omissions);
      if (value !== undefined) attributes[name] = value;
    }
  }
  return guardAttributes(attributes, { ...options, reservedAllowed: DOCUMENTED_RESERVED_USER_KEYS }, omissions, 'user attributes');
}
