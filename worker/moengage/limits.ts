/**
 * MoEngage's data tracking policy (help.moengage.com "Data Tracking Policies" and "How to
 * Understand the MoEngage Data Tracking Policy"). MoEngage itself truncates or silently ignores
 * what breaks these; edgetag enforces them before sending so every change is recorded with a reason.
 */
export const MOENGAGE_LIMITS = {
  /** "You cannot use moe_ as a prefix while naming events, event attributes, or user attributes." */
  reservedPrefix: 'moe_',
  /** Event and attribute names: MoEngage keeps the first 200 characters. */
  maxNameLength: 200,
  /** String values: MoEngage keeps the first 512 characters, but rejects URLs longer than that. */
  maxStringLength: 512,
  /** "Only the first 100 event attributes will be ingested." */
  maxEventAttributes: 100,
  /** Arrays: up to 50 elements, each ≤ 512 characters, all of one type. */
  maxArrayLength: 50,
} as const;

export function hasReservedPrefix(name: string): boolean {
  return name.toLowerCase().startsWith(MOENGAGE_LIMITS.reservedPrefix);
}

/**
 * Data API request size limits (seed 004: 128 KB per request; seed 001: bulk /v1/transition
 * ≤ 100 KB). KB = 1,024 bytes, as the sandbox models them; should MoEngage count 1,000, its 413 is
 * split in halves like any payload error (docs/delivery.md), so nothing is lost either way.
 */
export const MOENGAGE_REQUEST_LIMITS = {
  maxRequestBytes: 128 * 1024,
  maxBulkRequestBytes: 100 * 1024,
} as const;
