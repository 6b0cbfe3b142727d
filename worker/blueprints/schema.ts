import { z } from 'zod';
import { hasReservedPrefix, MOENGAGE_LIMITS } from '../moengage/limits';
import { BLOCKED_USER_ATTRIBUTE_NAMES, DOCUMENTED_RESERVED_USER_KEYS } from '../moengage/userAttributes';
import { parseCondition } from './condition';

/** Blank or whitespace-only: MoEngage refuses such an action ("action cannot be empty"), and an attribute so named is invisible. */
const notBlank = (name: string) => name.trim() !== '';

/** A name MoEngage will see: an action or an attribute. Checked when the blueprint loads, not per event. */
const MoEngageName = z
  .string()
  .min(1, 'must not be empty')
  .refine(notBlank, { message: 'must not be blank (only spaces)' })
  .max(MOENGAGE_LIMITS.maxNameLength, `MoEngage keeps only ${MOENGAGE_LIMITS.maxNameLength} characters of a name`)
  .refine((name) => !hasReservedPrefix(name), { message: `must not start with "${MOENGAGE_LIMITS.reservedPrefix}" (reserved by MoEngage)` });

/** A Track User key: a name MoEngage will see, or one of the few `moe_` keys MoEngage documents there (moe_unsubscribe). */
const UserAttributeKey = z.string().superRefine((key, ctx) => {
  if (BLOCKED_USER_ATTRIBUTE_NAMES.has(key)) {
    ctx.addIssue({ code: 'custom', message: `"${key}" is blocked by MoEngage as a user attribute name` });
    return;
  }
  if (DOCUMENTED_RESERVED_USER_KEYS.has(key)) return;
  const checked = MoEngageName.safeParse(key);
  if (!checked.success) for (const issue of checked.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
});

/** Property or trait names (dotted paths reach into objects: `company.name`). */
const SourceName = z.string().min(1, 'must not be empty');

const Filter = z.string().superRefine((text, ctx) => {
  const parsed = parseCondition(text);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: `malformed filter "${text}": ${parsed.error}` });
});

/** How one source event becomes a MoEngage action. Every field is optional, so a custom blueprint can override one. */
export const EventRule = z.strictObject({
  /** MoEngage action name (default: the source event name). */
  action: MoEngageName.optional(),
  /** false keeps the event listed but not delivered (dropped with reason `not_in_blueprint`). Default true. */
  enabled: z.boolean().optional(),
  /** Property renames, e.g. Retail's `revenue` → `value`. */
  rename: z.record(SourceName, MoEngageName).optional(),
  /** Properties never sent (e.g. `search` of page views). */
  exclude: z.array(SourceName).optional(),
  /** Traits copied into the action's attributes (trait path → attribute), e.g. B2B's `company.name` → `company_name`. */
  traits: z.record(SourceName, MoEngageName).optional(),
  /** Only events matching this condition are delivered; the others are dropped with reason `filtered`. */
  filter: Filter.optional(),
  description: z.string().optional(),
});
export type EventRule = z.infer<typeof EventRule>;

/** `"Product Removed": false` and `"Wishlist Shared": true` are shorthands for `{ "enabled": … }`. */
const EventRuleOrSwitch = z.preprocess((value) => (typeof value === 'boolean' ? { enabled: value } : value), EventRule);

/** `group` calls (B2B): the account's traits become attributes of the user's profile. */
export const GroupRule = z.strictObject({
  enabled: z.boolean().optional(),
  /** User attribute that receives the groupId (default `company_id`). */
  idAttribute: MoEngageName.optional(),
  /** Group trait path → user attribute. Group traits not listed are not sent (recorded as omitted). */
  attributes: z.record(SourceName, MoEngageName).optional(),
});
export type GroupRule = z.infer<typeof GroupRule>;

/** The key that makes every `track` event not listed pass with its own name as the action. */
export const ANY_TRACK_EVENT = '*';

/**
 * A blueprint: which events are delivered, under which MoEngage action names, with which
 * attributes; which traits become which user attributes. Keys of `events` are `track` event
 * names, `page` (every page view), `screen`, or `*`. Events not listed, or disabled, are dropped
 * with reason `not_in_blueprint`. Unknown keys are refused so a typo is an error, not a no-op.
 */
export const Blueprint = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'letters, digits, ".", "-" or "_" (at most 64)'),
    description: z.string().optional(),
    /** A preset or another custom blueprint this one starts from: its events and mappings, overridden key by key. */
    extends: z.string().min(1).optional(),
    events: z.record(z.string().min(1).max(255), EventRuleOrSwitch),
    /**
     * Trait path → Track User key, on identify; traits mapped to `email` or `mobile` also ride on
     * events as user_identifiers u_em / u_mb. Presets use MoEngage's documented keys (docs/moengage.md).
     */
    userAttributes: z.record(SourceName, UserAttributeKey).optional(),
    /** Traits not in `userAttributes`: sent under their own name (default) or ignored. */
    otherTraits: z.enum(['send', 'ignore']).optional(),
    group: GroupRule.optional(),
  })
  .superRefine((blueprint, ctx) => {
    for (const [key, rule] of Object.entries(blueprint.events)) {
      if (!notBlank(key)) {
        ctx.addIssue({ code: 'custom', path: ['events', key], message: 'an event name must not be blank (only spaces)' });
        continue;
      }
      if (key === ANY_TRACK_EVENT || rule.action) continue;
      // Without an `action`, the key itself is what MoEngage receives.
      const checked = MoEngageName.safeParse(key);
      if (!checked.success) {
        ctx.addIssue({ code: 'custom', path: ['events', key], message: `needs an "action": as an action name, "${key}" ${checked.error.issues[0]?.message}` });
      }
    }
    if (blueprint.events[ANY_TRACK_EVENT]?.action) {
      ctx.addIssue({ code: 'custom', path: ['events', ANY_TRACK_EVENT, 'action'], message: '"*" passes each event under its own name; it cannot have an action' });
    }
  });
export type Blueprint = z.infer<typeof Blueprint>;

/** How presets are written: rules may be the boolean shorthand. */
export type BlueprintDefinition = Omit<Blueprint, 'events'> & { events: Record<string, EventRule | boolean> };
