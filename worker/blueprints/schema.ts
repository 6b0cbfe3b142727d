import { z } from 'zod';

/** How one source event becomes a MoEngage action. */
export const EventRule = z.object({
  /** MoEngage action name (defaults to the source event name). */
  action: z.string().min(1).max(200).optional(),
  enabled: z.boolean().default(true),
  /** Property renames, e.g. Retail's `revenue` → `value`. */
  rename: z.record(z.string(), z.string().min(1)).default({}),
});
export type EventRule = z.infer<typeof EventRule>;

/**
 * A blueprint: which events are delivered and how they are named. The key `page` stands for every
 * `tag.page()` call. Events not listed (or disabled) are dropped with reason `not_in_blueprint`.
 */
export const Blueprint = z.object({
  name: z.string().min(1),
  description: z.string().default(''),
  events: z.record(z.string().min(1), EventRule),
  /** Traits sent as MoEngage user attributes on identify (trait → attribute name). */
  userAttributes: z.record(z.string(), z.string().min(1)).default({}),
});
export type Blueprint = z.infer<typeof Blueprint>;
export type BlueprintInput = z.input<typeof Blueprint>;
