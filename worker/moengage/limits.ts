/**
 * MoEngage Data API request limits (seed 004: 30,000 events/min, 128 KB per request; seed 001: bulk
 * /v1/transition ≤ 100 KB; Track User 10,000 updates/min; Merge User 1,000 pairs/min). KB = 1,024
 * bytes, as the sandbox models them; should MoEngage count 1,000, the 413 answer is split in halves
 * like any payload error (docs/delivery.md), so nothing is lost either way.
 */
export const MOENGAGE_LIMITS = {
  maxRequestBytes: 128 * 1024,
  maxBulkRequestBytes: 100 * 1024,
} as const;
