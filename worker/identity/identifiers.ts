import type { Message } from '../../shared/message';
import { splitPath, valueAt } from '../blueprints/path';
import type { UserIdentifiers } from '../moengage/payloads';
import { formatOf, type IdentityOptions, type Omission, standardValue } from './standardAttributes';

export type { IdentityOptions, Omission } from './standardAttributes';

/** Traits of a message: its own `traits` (identify/group) over `context.traits` (what the tag remembers). */
export function traitsOf(message: Message): Record<string, unknown> {
  const own = message.type === 'identify' && message.traits ? message.traits : {};
  return { ...(message.context?.traits ?? {}), ...own };
}

/**
 * Seed 004 identity table, for events: the traits a blueprint maps to an email or mobile key
 * (`email`, `mobile`, `moe_mobile`; the presets read email, phone and mobile) become
 * `user_identifiers` u_em and u_mb, normalised, exactly as the seed's payload shows them. The
 * first trait that yields a usable value wins.
 */
export function userIdentifiers(
  traits: Record<string, unknown>,
  userAttributes: Readonly<Record<string, string>>,
  options: IdentityOptions,
  omissions: Omission[],
): UserIdentifiers {
  const ids: UserIdentifiers = {};
  for (const { path, parts, attribute, identifier } of identifierTraits(userAttributes)) {
    if (ids[identifier] !== undefined) continue;
    const raw = valueAt(traits, parts);
    if (raw == null || raw === '') continue;
    const value = standardValue(attribute, raw, `trait ${path}`, options, omissions);
    if (typeof value === 'string') ids[identifier] = value;
  }
  // Key order as in the seed's payload, whatever the blueprint's order.
  return { ...(ids.u_em !== undefined && { u_em: ids.u_em }), ...(ids.u_mb !== undefined && { u_mb: ids.u_mb }) };
}

interface IdentifierTrait {
  path: string;
  parts: string[];
  attribute: string;
  identifier: 'u_em' | 'u_mb';
}

/** A blueprint's identifier traits, in its order, found once per blueprint rather than per event (most of its traits are not identifiers). */
const identifierTraitsOf = new WeakMap<object, IdentifierTrait[]>();
function identifierTraits(userAttributes: Readonly<Record<string, string>>): IdentifierTrait[] {
  let found = identifierTraitsOf.get(userAttributes);
  if (!found) {
    found = [];
    for (const [path, attribute] of Object.entries(userAttributes)) {
      const identifier = formatOf(attribute)?.identifier;
      if (identifier) found.push({ path, parts: splitPath(path), attribute, identifier });
    }
    identifierTraitsOf.set(userAttributes, found);
  }
  return found;
}
