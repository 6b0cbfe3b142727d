import { z } from 'zod';
import type { MappingOptions } from '../blueprints/map';
import type { Settings } from './settings';
import { isPhoneCountry, PHONE_VALIDATIONS } from '../identity/phone';
import { ANONYMOUS_POLICIES } from '../identity/resolveCustomer';
import { MOE_PREFIX_POLICIES, NESTED_POLICIES } from '../moengage/guardAttributes';

/** MoEngage keeps nothing for us past a week; a longer hold would only grow the queue. */
export const MAX_HOLD_MINUTES = 7 * 24 * 60;

/**
 * How a connection maps identities and attributes (docs/blueprints.md). Flat settings
 * ANONYMOUS, ANONYMOUS_HOLD_MINUTES, PHONE_VALIDATION, DEFAULT_PHONE_COUNTRY, MOE_PREFIX,
 * NESTED_ATTRIBUTES; in MOENGAGE_CONNECTIONS entries the camelCase keys below.
 */
export const MappingSettings = z.object({
  anonymous: z.enum(ANONYMOUS_POLICIES),
  anonymousHoldMinutes: z.coerce.number().int().positive().max(MAX_HOLD_MINUTES, `at most ${MAX_HOLD_MINUTES} (7 days)`),
  phoneValidation: z.enum(PHONE_VALIDATIONS),
  defaultPhoneCountry: z
    .string()
    .refine(isPhoneCountry, { message: 'an ISO 3166 two-letter country code with phone numbering (e.g. GB, US, DE; the UK is GB)' })
    .transform((c) => c.toUpperCase())
    .optional(),
  moePrefix: z.enum(MOE_PREFIX_POLICIES),
  nestedAttributes: z.enum(NESTED_POLICIES),
});
export type MappingSettings = z.infer<typeof MappingSettings>;

export const MAPPING_DEFAULTS = { anonymous: 'hold', anonymousHoldMinutes: 60, phoneValidation: 'possible', moePrefix: 'rename', nestedAttributes: 'flatten' } as const;

/** Per-connection overrides in a MOENGAGE_CONNECTIONS entry (each falls back to the flat setting). */
export const MappingEntry = z.object({
  anonymous: z.string().optional(),
  anonymousHoldMinutes: z.union([z.number(), z.string()]).optional(),
  phoneValidation: z.string().optional(),
  defaultPhoneCountry: z.string().optional(),
  moePrefix: z.string().optional(),
  nestedAttributes: z.string().optional(),
});

const setting = (value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : value.trim());

/** Draft mapping settings from the flat vars, with an entry's own values on top. */
export function mappingDraft(env: Settings, entry: z.infer<typeof MappingEntry> = {}): Record<string, unknown> {
  return {
    anonymous: entry.anonymous ?? setting(env.ANONYMOUS) ?? MAPPING_DEFAULTS.anonymous,
    anonymousHoldMinutes: entry.anonymousHoldMinutes ?? setting(env.ANONYMOUS_HOLD_MINUTES) ?? MAPPING_DEFAULTS.anonymousHoldMinutes,
    phoneValidation: entry.phoneValidation ?? setting(env.PHONE_VALIDATION) ?? MAPPING_DEFAULTS.phoneValidation,
    defaultPhoneCountry: entry.defaultPhoneCountry ?? setting(env.DEFAULT_PHONE_COUNTRY),
    moePrefix: entry.moePrefix ?? setting(env.MOE_PREFIX) ?? MAPPING_DEFAULTS.moePrefix,
    nestedAttributes: entry.nestedAttributes ?? setting(env.NESTED_ATTRIBUTES) ?? MAPPING_DEFAULTS.nestedAttributes,
  };
}

/** The options mapMessage takes for one connection and one request. */
export function mappingOptions(settings: MappingSettings, visitorCountry: string | undefined): MappingOptions {
  return {
    anonymous: settings.anonymous,
    phoneValidation: settings.phoneValidation,
    defaultPhoneCountry: settings.defaultPhoneCountry,
    visitorCountry,
    moePrefix: settings.moePrefix,
    nestedAttributes: settings.nestedAttributes,
  };
}
