import type { Blueprint } from '../blueprints/schema';
import { splitPath, takeAt } from '../blueprints/path';
import { type GuardOptions, guardAttributes } from '../moengage/guardAttributes';
import { type IdentityOptions, type Omission, standardValue } from './standardAttributes';

/**
 * identify traits → MoEngage Track User attributes: the blueprint's `userAttributes` name the
 * standard keys (email → u_em, phone → u_mb in E.164, first_name → u_fn, last_name → u_ln,
 * name → u_n, gender → u_gd, birthday → u_bd in ISO 8601) and the remaining traits are sent under
 * their own names (`otherTraits: "send"`, the default) or listed as omitted (`"ignore"`).
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
  const others = Object.keys(rest);
  if (blueprint.otherTraits === 'ignore') {
    if (others.length) omissions.push({ reason: 'traits_not_in_blueprint', detail: `not sent (otherTraits: "ignore"): ${others.join(', ')}` });
  } else {
    for (const name of others) if (!Object.hasOwn(attributes, name)) attributes[name] = rest[name];
  }
  return guardAttributes(attributes, options, omissions, 'user attributes');
}
